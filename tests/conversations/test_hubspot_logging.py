"""Interaction logging to HubSpot against the in-process sandbox, on a real DBOS runner."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from crmbridge.durable import DurableRunner
from crmbridge.store.interactions import InteractionRepository
from crmbridge_sandbox import Sandbox
from tests.conversations.env import Env, build

CARD = "4111 1111 1111 1111"
TRANSCRIPT = [
    {"role": "agent", "text": "Thanks for calling Acme. How can I help?"},
    {"role": "caller", "text": f"I want to pay my invoice, my card is {CARD}."},
    {"role": "agent", "text": "Thanks, the payment is booked."},
]


@pytest.fixture
def env(sandbox: Sandbox, tmp_path: Path, dbos_runner: DurableRunner) -> Env:
    built = build(sandbox, tmp_path, dbos_runner, "hubspot")
    yield built
    built.crm.close()
    built.bridge.close()


def contact(env: Env, phone: str, name: str = "Ann") -> str:
    r = env.crm.post("/crm/v3/objects/contacts", json={"properties": {"phone": phone, "firstname": name}})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def calls_of(env: Env, contact_id: str, kind: str = "calls") -> list[dict[str, Any]]:
    r = env.crm.get(f"/crm/v4/objects/contacts/{contact_id}/associations/{kind}")
    assert r.status_code == 200, r.text
    ids = [str(x["toObjectId"]) for x in r.json()["results"]]
    props = "hs_call_body,hs_call_title,hs_call_direction,hs_call_duration,hs_call_status,hs_call_from_number,hs_note_body"
    return [env.crm.get(f"/crm/v3/objects/{kind}/{i}", params={"properties": props}).json() for i in ids]


def all_calls(env: Env) -> list[dict[str, Any]]:
    """The calls interaction logging wrote (the seeded portal has calls of its own)."""
    r = env.crm.get("/crm/v3/objects/calls", params={"limit": 100, "properties": "crmbridge_interaction_id"})
    return [c for c in r.json()["results"] if c["properties"].get("crmbridge_interaction_id")]


def test_voice_becomes_a_call_on_the_matched_contact_scrubbed(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ann = contact(env, "14155552671")  # stored without "+"
    env.conversations.set_writeback(env.tenant, "hubspot", "summary_transcript")
    cid = env.start("voice", phone="+1 (415) 555-2671", name="Ann")
    first = env.end(cid, transcript=TRANSCRIPT, durationMs=61000, outcome="connected")
    assert first["status"] == "queued"
    done = env.wait(cid)
    assert done["status"] == "logged", done
    assert done["matchRule"] == "phone" and done["contactId"] == ann
    [call] = calls_of(env, ann)
    props = call["properties"]
    assert call["id"] == done["crmRecordId"]
    assert props["hs_call_direction"] == "INBOUND" and props["hs_call_status"] == "COMPLETED"
    assert props["hs_call_duration"] == "61000" and props["hs_call_from_number"] == "+14155552671"
    assert "[card number]" in props["hs_call_body"] and "Transcript" in props["hs_call_body"]
    assert "4111" not in props["hs_call_body"]
    stored = env.conversations.status(env.tenant, cid)
    assert stored is not None and stored["redactions"] == ["card number"]
    assert "4111" not in str(env.bridge.store.interactions.of_conversation(env.tenant, cid))
    assert not any("4111" in r.getMessage() for r in caplog.records)
    assert [e[1] for e in env.events] == ["interaction.logged"]
    settings = env.conversations.writeback(env.tenant, "hubspot")
    assert settings["stats"] == {"logged": 1, "skippedNoMatch": 0, "failed": 0, "pending": 0}


def test_summary_mode_leaves_the_transcript_out_and_chat_becomes_a_note(env: Env) -> None:
    ann = contact(env, "+14155552671")
    env.conversations.set_writeback(env.tenant, "hubspot", "summary")
    cid = env.start("chat", phone="415 555 2671")
    env.end(cid, transcript=TRANSCRIPT, summary=f"Paid with card {CARD}.")
    assert env.wait(cid)["status"] == "logged"
    [note] = calls_of(env, ann, "notes")
    body = note["properties"]["hs_note_body"]
    assert "Paid with card [card number]." in body and "Transcript" not in body


def test_ending_twice_logs_once(env: Env) -> None:
    ann = contact(env, "+14155552671")
    env.conversations.set_writeback(env.tenant, "hubspot", "summary")
    cid = env.start("voice", phone="+14155552671")
    env.end(cid, transcript=TRANSCRIPT)
    again = env.end(cid, transcript=TRANSCRIPT)
    assert env.wait(cid)["status"] == "logged"
    assert again["interactionId"] == env.conversations.status(env.tenant, cid)["interactionId"]  # type: ignore[index]
    assert len(calls_of(env, ann)) == 1


def test_a_crash_after_the_crm_write_still_logs_once(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    ann = contact(env, "+14155552671")
    env.conversations.set_writeback(env.tenant, "hubspot", "summary")
    real = InteractionRepository.update
    crashed: list[bool] = []

    def crash_once(self: InteractionRepository, tenant: str, ix: str, **fields: Any) -> Any:
        if fields.get("crm_record_id") and not crashed:
            crashed.append(True)
            raise RuntimeError("simulated crash between the CRM write and its checkpoint")
        return real(self, tenant, ix, **fields)

    monkeypatch.setattr(InteractionRepository, "update", crash_once)
    cid = env.start("voice", phone="+14155552671")
    env.end(cid, transcript=TRANSCRIPT)
    done = env.wait(cid)
    assert crashed and done["status"] == "logged", done
    assert len(calls_of(env, ann)) == 1 and len(all_calls(env)) == 1


def test_no_match_is_skipped_and_counted_or_creates_a_contact(env: Env) -> None:
    env.conversations.set_writeback(env.tenant, "hubspot", "summary")
    skipped = env.start("voice", phone="+14155550199")
    env.end(skipped, transcript=TRANSCRIPT)
    status = env.wait(skipped)
    assert status["status"] == "skipped" and "no_match" in status["reason"]
    assert all_calls(env) == []
    env.conversations.set_writeback(env.tenant, "hubspot", "summary", "create")
    created = env.start("voice", phone="+14155550199", name="Bo Lee")
    env.end(created, transcript=TRANSCRIPT)
    status = env.wait(created)
    assert status["status"] == "logged" and status["matchRule"] == "created"
    assert len(calls_of(env, status["contactId"])) == 1
    stats = env.conversations.writeback(env.tenant, "hubspot")["stats"]
    assert stats == {"logged": 1, "skippedNoMatch": 1, "failed": 0, "pending": 0}


def test_a_shared_number_logs_to_one_contact_and_says_why(env: Env) -> None:
    ids = [contact(env, "+14155552671", name) for name in ("Ann", "Bob", "Cy")]
    env.conversations.set_writeback(env.tenant, "hubspot", "summary")
    cid = env.start("voice", phone="+14155552671")
    env.end(cid, transcript=TRANSCRIPT)
    status = env.wait(cid)
    assert status["status"] == "logged" and status["matchRule"] == "phone_most_recent"
    counts = [len(calls_of(env, i)) for i in ids]
    assert sorted(counts) == [0, 0, 1]
    [call] = calls_of(env, status["contactId"])
    assert "3 contacts share the caller" in call["properties"]["hs_call_body"]


def test_logging_off_disables_and_never_back_fills(env: Env) -> None:
    contact(env, "+14155552671")
    cid = env.start("voice", phone="+14155552671")
    assert env.end(cid, transcript=TRANSCRIPT)["status"] == "disabled"
    on = env.conversations.set_writeback(env.tenant, "hubspot", "summary")
    assert on["enabledAt"] is not None
    assert env.end(cid, transcript=TRANSCRIPT)["status"] == "disabled"
    assert env.conversations.resume_pending() == 0
    assert all_calls(env) == []


def test_bad_settings_name_the_allowed_values(env: Env) -> None:
    from crmbridge.errors import InvalidInput

    with pytest.raises(InvalidInput, match="off, summary, summary_transcript"):
        env.conversations.set_writeback(env.tenant, "hubspot", "everything")
    with pytest.raises(InvalidInput, match="skip, create"):
        env.conversations.set_writeback(env.tenant, "hubspot", "summary", "guess")
    assert env.conversations.writeback(env.tenant, "hubspot")["mode"] == "off"
