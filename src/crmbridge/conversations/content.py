"""What an ended conversation becomes before it is stored: a scrubbed transcript, a summary, and the
title and body a CRM record gets (HTML, cut to the CRM field's limit with a note saying so)."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from .scrub import scrub_text, scrub_turns

__all__ = ["TRUNCATED_NOTE", "extractive_summary", "record_body", "scrub_end_payload", "title_of"]

TRUNCATED_NOTE = "[transcript truncated to fit the CRM's field limit]"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_MAX_SUMMARY = 600


def extractive_summary(turns: list[dict[str, Any]], outcome: str | None) -> str:
    """A deterministic, offline summary: the caller's first request, the agent's last answer, the
    outcome. Used when the end payload brings no summary and no summariser is configured."""
    caller = [t["text"] for t in turns if t["role"] == "caller" and t["text"].strip()]
    agent = [t["text"] for t in turns if t["role"] == "agent" and t["text"].strip()]
    parts = []
    if caller:
        parts.append("Caller: " + _SENTENCE.split(caller[0].strip())[0])
    if agent:
        parts.append("Agent: " + _SENTENCE.split(agent[-1].strip())[0])
    if outcome:
        parts.append(f"Outcome: {outcome}.")
    text = " ".join(parts) or "Conversation with no transcript."
    return text if len(text) <= _MAX_SUMMARY else text[: _MAX_SUMMARY - 1] + "…"


def scrub_end_payload(
    transcript: list[dict[str, Any]], summary: str | None, outcome: str | None
) -> dict[str, Any]:
    """The transcript and summary as stored: scrubbed (cards, CVV, expiry, national IDs) first."""
    # Each speaker's channel is scrubbed as one text, so a number the caller spreads over several turns,
    # with the agent's "go on" in between, is still one number.
    texts = [str(t.get("text") or "") for t in transcript]
    findings = []
    for role in ("caller", "agent"):
        where = [i for i, t in enumerate(transcript) if t.get("role") == role]
        cleaned, found = scrub_turns([texts[i] for i in where])
        for i, text in zip(where, cleaned, strict=True):
            texts[i] = text
        findings += found
    turns = [
        {"role": t["role"], "text": text, **({"at": t["at"]} if t.get("at") else {})}
        for t, text in zip(transcript, texts, strict=True)
    ]
    given = scrub_text(summary) if summary else None
    return {
        "transcript": turns,
        "summary": given or extractive_summary(turns, outcome),
        "summary_source": "payload" if given else "extractive",
        "redactions": sorted({f.label for f in findings}),
    }


def title_of(channel: str, caller: dict[str, Any]) -> str:
    who = caller.get("name") or caller.get("phone") or caller.get("email") or "unknown caller"
    return f"{'Call' if channel == 'voice' else 'Chat'} with {who} (AI agent)"


def record_body(
    content: dict[str, Any], *, with_transcript: bool, match_note: str, marker: str, limit: int
) -> tuple[str, str]:
    """``(html, text)`` of the record: summary, the transcript when asked, how the contact was chosen,
    and the interaction id (the marker a re-check looks for). Cut to ``limit`` characters."""
    head = [f"<p><b>Summary:</b> {html.escape(content['summary'])}</p>"]
    tail = [f"<p>{html.escape(match_note)}</p>", f"<p>crmbridge interaction {html.escape(marker)}</p>"]
    lines: list[str] = []
    if with_transcript and content["transcript"]:
        lines.append("<p><b>Transcript</b></p>")
        for turn in content["transcript"]:
            who = "Caller" if turn["role"] == "caller" else "Agent"
            lines.append(f"<p><b>{who}:</b> {html.escape(turn['text'])}</p>")
    budget = limit - sum(map(len, head + tail)) - len(TRUNCATED_NOTE) - 16
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) > budget:
            kept.append(f"<p>{TRUNCATED_NOTE}</p>")
            break
        kept.append(line)
        used += len(line)
    body = "".join(head + kept + tail)
    text = re.sub(r"<[^>]+>", " ", body)
    return body, html.unescape(re.sub(r"\s+", " ", text)).strip()


def parse_time(value: Any, default: datetime) -> datetime:
    if value is None:
        return default
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
