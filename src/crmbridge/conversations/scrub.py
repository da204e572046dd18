"""Scrubbing transcripts and summaries before they reach the CRM, our database or a log line.

Card numbers: every Luhn-valid run of 13-19 digits, written (``4111 1111-1111.1111``) or spoken
(``four one one one``, ``double four``, ``oh``), also when it is split across turns, is masked — PCI
over-redaction, except where context shows an order/reference number or the run is a ``+``-prefixed
valid phone number. CVV and expiry are masked after their cue words. National IDs are validated with
``python-stdnum`` (checksums, dates); the ones without a checksum, or with a weak one, need a cue word.
Each hit becomes a labelled mask (``[card number]``). What is detected: ``docs/writeback.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from stdnum import iban, luhn
from stdnum.br import cpf
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.gb import nhs
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import pesel
from stdnum.us import ssn

__all__ = ["CARD_MASK", "Finding", "scrub_text", "scrub_turns"]

CARD_MASK = "[card number]"
CVV_MASK = "[security code]"
EXPIRY_MASK = "[expiry date]"

_WORD_DIGITS = {
    "zero": "0", "oh": "0", "o": "0", "nil": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEAT = {"double": 2, "triple": 3}
#: Words a speaker puts inside a number without ending it.
_FILLER = {"uh", "um", "er", "erm", "and", "then", "ok", "okay", "yes", "yeah", "so"}
_CARD_CUES = ("card", "visa", "mastercard", "amex", "credit", "debit", "pan", "cvv")
_KEEP_CUES = ("order", "tracking", "reference", "invoice", "confirmation", "booking", "ticket")
_TOKEN = re.compile(r"\+?\d+|[A-Za-z']+")
_CVV = re.compile(r"(?i)\b(?:cvv2?|cvc2?|cv2|security code|card verification(?: code| value)?)\b")
_EXPIRY = re.compile(
    r"(?i)\b(?:expir\w*|exp\.?|valid (?:thru|through|until))\b[^\d\n]{0,20}?"
    r"((?:0?[1-9]|1[0-2])\s*[/\-. ]\s*(?:\d{4}|\d{2}))\b"
)


@dataclass(frozen=True)
class Finding:
    """One masked value: its label and where it was (turn index), never the value itself."""

    label: str
    turn: int


@dataclass
class _Tok:
    turn: int
    start: int
    end: int
    digits: str  # "" for a word that is not a digit
    word: str


def _tokens(texts: Sequence[str]) -> list[_Tok]:
    out: list[_Tok] = []
    for turn, text in enumerate(texts):
        repeat = 1
        for m in _TOKEN.finditer(text):
            raw = m.group()
            low = raw.lower()
            if raw.lstrip("+").isdigit():
                out.append(_Tok(turn, m.start(), m.end(), raw.lstrip("+"), raw))
            elif low in _REPEAT:
                repeat = _REPEAT[low]
                out.append(_Tok(turn, m.start(), m.end(), "", "~repeat"))
                continue
            elif low in _WORD_DIGITS and (low != "o" or (out and out[-1].digits)):
                out.append(_Tok(turn, m.start(), m.end(), _WORD_DIGITS[low] * repeat, low))
            else:
                out.append(_Tok(turn, m.start(), m.end(), "", low))
            repeat = 1
    return out


def _runs(tokens: list[_Tok]) -> list[list[int]]:
    """Indexes of digit tokens that read as one number: only fillers (or turn ends) between them."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.digits:
            current.append(i)
        elif tok.word in _FILLER or tok.word == "~repeat":
            continue
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _context(tokens: list[_Tok], first: int, width: int = 6) -> list[str]:
    return [t.word for t in tokens[max(0, first - width) : first] if not t.digits]


def _kept(tokens: list[_Tok], run: list[int], texts: Sequence[str]) -> bool:
    """A Luhn-valid run that context says is not a card: a reference number, or a +phone number."""
    before = _context(tokens, run[0])
    if any(c in w for w in before for c in _CARD_CUES):
        return False
    if any(c in w for w in before for c in _KEEP_CUES):
        return True
    first = tokens[run[0]]
    if first.word.startswith("+") and len({tokens[i].turn for i in run}) == 1:
        text = texts[first.turn][first.start : tokens[run[-1]].end]
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(text, None))
        except phonenumbers.NumberParseException:
            return False
    return False


def _card_spans(tokens: list[_Tok], texts: Sequence[str]) -> set[int]:
    masked: set[int] = set()
    for run in _runs(tokens):
        for a in range(len(run)):
            total = ""
            for b in range(a, len(run)):
                total += tokens[run[b]].digits
                if len(total) > 19:
                    break
                if len(total) >= 13 and luhn.is_valid(total) and not _kept(tokens, run[a : b + 1], texts):
                    masked.update(run[a : b + 1])
    return masked


def _cvv_spans(tokens: list[_Tok], texts: Sequence[str]) -> set[int]:
    """Three or four digits (written or spoken) within a few words after a CVV cue."""
    masked: set[int] = set()
    for turn, text in enumerate(texts):
        for cue in _CVV.finditer(text):
            after = [
                i for i, t in enumerate(tokens) if (t.turn == turn and t.start >= cue.end()) or t.turn > turn
            ]
            digits: list[int] = []
            for i in after[:10]:
                if tokens[i].digits:
                    digits.append(i)
                    length = sum(len(tokens[j].digits) for j in digits)
                    if 3 <= length <= 4:
                        masked.update(digits)
                elif digits:
                    break
    return masked


def _validator(check: Callable[[str], bool]) -> Callable[[str], bool]:
    def run(value: str) -> bool:
        try:
            return bool(check(value))
        except Exception:  # stdnum raises its own errors on odd input; not an ID then
            return False

    return run


#: (label, pattern, validator, cue words one of which must precede it, or () for none needed)
_IDS: tuple[tuple[str, re.Pattern[str], Callable[[str], bool], tuple[str, ...]], ...] = (
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b"), _validator(iban.is_valid), ()),
    ("US SSN", re.compile(r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b"), _validator(ssn.is_valid),
     ("ssn", "social security", "social")),
    ("BR CPF", re.compile(r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b|\b\d{11}\b"), _validator(cpf.is_valid), ("cpf",)),
    ("IN Aadhaar", re.compile(r"\b\d{4}[ -]?\d{4}[ -]?\d{4}\b"), _validator(aadhaar.is_valid), ()),
    ("IN PAN", re.compile(r"\b[A-Z]{5}\d{4}[A-Z]\b"), _validator(pan.is_valid), ()),
    ("NL BSN", re.compile(r"\b\d{4}\.?\d{2}\.?\d{3}\b|\b\d{9}\b"), _validator(bsn.is_valid),
     ("bsn", "burgerservice")),
    ("DE IdNr", re.compile(r"\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b"), _validator(idnr.is_valid),
     ("idnr", "steuer", "tax id", "identifikationsnummer")),
    ("FR NIR", re.compile(r"\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b"),
     _validator(nir.is_valid), ()),
    ("ES DNI", re.compile(r"\b\d{8}-?[A-Z]\b"), _validator(dni.is_valid), ()),
    ("ES NIE", re.compile(r"\b[XYZ]-?\d{7}-?[A-Z]\b"), _validator(nie.is_valid), ()),
    ("IT codice fiscale", re.compile(r"\b[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]\b"),
     _validator(codicefiscale.is_valid), ()),
    ("PL PESEL", re.compile(r"\b\d{11}\b"), _validator(pesel.is_valid), ("pesel",)),
    ("UK NHS number", re.compile(r"\b\d{3} ?\d{3} ?\d{4}\b"), _validator(nhs.is_valid), ("nhs",)),
)  # fmt: skip


def _scrub_ids(text: str, turn: int, findings: list[Finding], previous: str = "") -> str:
    for label, pattern, valid, cues in _IDS:

        def replace(
            m: re.Match[str], label: str = label, valid: Any = valid, cues: Any = cues, text: str = text
        ) -> str:
            if cues:
                window = (previous[-80:] + " " + text[max(0, m.start() - 60) : m.start()]).lower()
                if not any(c in window for c in cues):
                    return m.group()
            if not valid(m.group()):
                return m.group()
            findings.append(Finding(label, turn))
            return f"[{label}]"

        text = pattern.sub(replace, text)
    return text


def _scrub_expiry(text: str, turn: int, findings: list[Finding]) -> str:
    def replace(m: re.Match[str]) -> str:
        findings.append(Finding("expiry date", turn))
        return m.group()[: m.start(1) - m.start()] + EXPIRY_MASK

    return _EXPIRY.sub(replace, text)


def scrub_turns(texts: Sequence[str]) -> tuple[list[str], list[Finding]]:
    """The texts (turns in order) with cards, CVVs, expiry dates and national IDs masked."""
    findings: list[Finding] = []
    tokens = _tokens(texts)
    cards = _card_spans(tokens, texts)
    cvvs = _cvv_spans(tokens, texts) - cards
    out = list(texts)
    # Replace right to left within each turn so earlier offsets stay valid; adjacent tokens of one
    # number share one mask.
    for label, mask, spans in (("card number", CARD_MASK, cards), ("security code", CVV_MASK, cvvs)):
        by_turn: dict[int, list[_Tok]] = {}
        for i in sorted(spans):
            by_turn.setdefault(tokens[i].turn, []).append(tokens[i])
        for turn, toks in by_turn.items():
            groups: list[list[_Tok]] = [[toks[0]]]
            for tok in toks[1:]:
                gap = out[turn][groups[-1][-1].end : tok.start]
                if re.fullmatch(r"[\s,.\-/]*(?:(?:uh|um|er|and|double|triple)[\s,.\-]*)*", gap, re.I):
                    groups[-1].append(tok)
                else:
                    groups.append([tok])
            text = texts[turn]
            for group in reversed(groups):
                text = text[: group[0].start] + mask + text[group[-1].end :]
                findings.append(Finding(label, turn))
            out[turn] = text
    for turn in range(len(out)):
        out[turn] = _scrub_expiry(out[turn], turn, findings)
        out[turn] = _scrub_ids(out[turn], turn, findings, out[turn - 1] if turn else "")
    return out, findings


def scrub_text(text: str) -> str:
    """One text (a summary, a title) scrubbed like a transcript of one turn."""
    return scrub_turns([text])[0][0]
