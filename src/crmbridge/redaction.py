"""Hiding secrets from everything that leaves crmbridge: by shape, and by the exact values in use.

Shapes catch what looks like a credential (``Bearer …``, ``api_token=…``, each CRM's own token formats).
A CRM or a gateway that echoes a credential shaped like a UUID, a JWT or ``sk_live_…`` slips past every
shape, so each credential is also *remembered* as it comes into use — an API key when its account is
loaded, tokens when issued or read back, a client secret when its OAuth client is built — and masked
wherever it appears: error messages and details (hence exception texts) and the log records of
``crmbridge``, ``httpx`` and ``httpcore``.

The registry never holds a value: only a keyed 64-bit hash of it (Python's per-process ``hash``) under
its length, plus the characters secrets use. Finding one in a text hashes each window of a remembered
length inside runs of those characters. It is bounded (least recently remembered values go first);
the engine also masks each error with its own call's credentials, which no bound can evict.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from urllib.parse import quote

__all__ = [
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "SCRUBBED_MARK",
    "SecretLogFilter",
    "install_log_filter",
    "mask_values",
    "register_secret_patterns",
    "remember_secrets",
    "scrub",
]

REDACTED = "[redacted]"
#: Set (true) on a record whose message ``SecretLogFilter`` has masked already.
SCRUBBED_MARK = "_crmbridge_scrubbed"
#: Shorter values are not remembered: masking every five-letter word that happens to be a key would
#: shred ordinary text.
MIN_SECRET_LENGTH = 8
#: The loggers whose records are masked, with their children.
LOGGER_NAMESPACES = ("crmbridge", "httpx", "httpcore")

# -- by shape ----------------------------------------------------------------------------------

# Generic shapes only: bearer tokens, and anything after a credential-like key in a URL, a form body or
# JSON. The shapes of the credentials each CRM issues are the provider's (``AuthSpec.secret_patterns``),
# added through ``register_secret_patterns`` when it joins a catalog.
_GENERIC_SECRET_PATTERNS = (
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}",
    r"(?i)((?:api_token|api_key|apikey|access_token|refresh_token|client_secret|token|code|password)"
    r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]{6,}",
)
_registered: tuple[re.Pattern[str], ...] = ()
_registering = threading.Lock()


@functools.cache
def _generic_patterns() -> tuple[re.Pattern[str], ...]:
    """Compiled with the first text scrubbed, not at import (start-up cost)."""
    return tuple(re.compile(p) for p in _GENERIC_SECRET_PATTERNS)


def register_secret_patterns(patterns: Iterable[str]) -> None:
    """Mask these shapes too, everywhere from now on (a provider's credential formats); a first group, if
    any, is kept. Registering a pattern again changes nothing."""
    global _registered
    install_log_filter()
    with _registering:
        known = {*_GENERIC_SECRET_PATTERNS, *(p.pattern for p in _registered)}
        added = tuple(re.compile(p) for p in dict.fromkeys(patterns) if p not in known)
        if added:
            _registered = (*_registered, *added)


def _mask_shapes(text: str) -> str:
    for pattern in (*_generic_patterns(), *_registered):
        text = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + REDACTED, text)
    return text


# -- by value ----------------------------------------------------------------------------------


class _KnownSecrets:
    """Hashes of the credentials in use, by length; see the module's docstring."""

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._order: OrderedDict[tuple[int, int], None] = OrderedDict()
        self._by_length: dict[int, set[int]] = {}
        self._lengths: tuple[int, ...] = ()  # longest first: a snapshot readers may iterate
        self._alphabet: set[str] = set()
        self._runs: re.Pattern[str] | None = None

    def remember(self, values: Iterable[str | None]) -> None:
        for value in values:
            if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
                continue
            for form in {value, quote(value, safe="")}:  # as sent, and as echoed inside a URL
                self._add(form)

    def _add(self, value: str) -> None:
        key = (len(value), hash(value))
        with self._lock:
            if key in self._order:
                self._order.move_to_end(key)
                return
            self._order[key] = None
            self._by_length.setdefault(key[0], set()).add(key[1])
            if len(self._order) > self.capacity:
                (length, digest), _ = self._order.popitem(last=False)
                bucket = self._by_length[length]
                bucket.discard(digest)
                if not bucket:
                    del self._by_length[length]
            self._lengths = tuple(sorted(self._by_length, reverse=True))
            if not set(value) <= self._alphabet:
                self._alphabet |= set(value)
                chars = "".join(re.escape(c) for c in sorted(self._alphabet))
                self._runs = re.compile(f"[{chars}]{{{MIN_SECRET_LENGTH},}}")

    def mask(self, text: str) -> str:
        runs, lengths = self._runs, self._lengths
        if runs is None or not lengths or len(text) < lengths[-1]:
            return text
        return runs.sub(lambda m: self._mask_run(m.group(), lengths), text)

    def _mask_run(self, run: str, lengths: tuple[int, ...]) -> str:
        fitting = [length for length in lengths if length <= len(run)]
        if not fitting:
            return run
        out: list[str] = []
        start = i = 0
        while i < len(run):
            for length in fitting:
                bucket = self._by_length.get(length)
                if bucket and i + length <= len(run) and hash(run[i : i + length]) in bucket:
                    out += (run[start:i], REDACTED)
                    i = start = i + length
                    break
            else:
                i += 1
        out.append(run[start:])
        return "".join(out)

    def __repr__(self) -> str:
        return f"<known secrets: {len(self._order)}>"


_known = _KnownSecrets()


def remember_secrets(values: Iterable[str | None]) -> None:
    """Mask these exact values everywhere from now on (credentials as they come into use); values under
    ``MIN_SECRET_LENGTH`` characters and ``None`` are skipped."""
    install_log_filter()
    _known.remember(values)


def mask_values(text: str, values: Iterable[str]) -> str:
    """``text`` with each of ``values`` (long enough to mask) replaced: a call's own credentials."""
    for value in sorted({v for v in values if len(v) >= MIN_SECRET_LENGTH}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def scrub(text: str) -> str:
    """Mask the credentials in use and anything shaped like one: errors and logs go to models and humans
    alike."""
    return _mask_shapes(_known.mask(text))


# -- logs --------------------------------------------------------------------------------------


class SecretLogFilter(logging.Filter):
    """Masks secrets in a record's message, traceback and stack; never drops a record.

    crmbridge applies it to every record of ``crmbridge``, ``httpx`` and ``httpcore`` (children included);
    add it to your own handlers to cover other loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: the handler reports it, as it would have
            return True
        masked = scrub(message)
        if masked != message:
            record.msg, record.args = masked, ()
        setattr(record, SCRUBBED_MARK, True)  # a formatter need not scrub the message again
        if record.exc_info and not record.exc_text:
            text = _FORMATTER.formatException(record.exc_info)
            masked = scrub(text)
            if masked != text:  # the traceback text is kept, masked; the live exception is dropped
                record.exc_text, record.exc_info = masked, None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_FORMATTER = logging.Formatter()
_FILTER = SecretLogFilter()
_installed = False
_installing = threading.Lock()


def install_log_filter() -> None:
    """Mask every record of ``LOGGER_NAMESPACES`` as it is made, whoever handles it (idempotent).

    A logger's own filters do not see its children's records, so the filter runs in the record factory
    (chained to the one already set) rather than on one logger.
    """
    global _installed
    if _installed:
        return
    with _installing:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def masked_record(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if (record.name or "").partition(".")[0] in LOGGER_NAMESPACES:
                _FILTER.filter(record)
            return record

        logging.setLogRecordFactory(masked_record)
        _installed = True
