"""Tokens already verified by this container, so a client's next requests skip the JWT work.

Verifying an RS256 token (two base64 decodes with an alphabet check per character, JSON, the
RSA signature) is a few milliseconds of every signed-in request, while a client sends the same
token for its whole lifetime. The cache keeps the subject and the expiry of a token that
passed full verification: a hit is accepted until the token's ``exp`` (+ the same leeway) and
at most ``MAX_AGE_S`` after it was verified — the time PyJWKClient keeps the issuer's keys, so
a key the issuer withdraws stops being trusted as soon as it would without the cache.
"""

from __future__ import annotations

import time
from collections import OrderedDict

MAX_ENTRIES = 1024
MAX_AGE_S = 300.0


class VerifiedTokens:
    def __init__(self, leeway_s: float, max_entries: int = MAX_ENTRIES) -> None:
        self._leeway_s = leeway_s
        self._max_entries = max_entries
        # token -> (subject, token expiry, accepted until)
        self._entries: OrderedDict[str, tuple[str, float, float]] = OrderedDict()

    def subject(self, token: str, now: float | None = None) -> str | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        subject, expires_at, accepted_until = entry
        now = time.time() if now is None else now
        if now > expires_at + self._leeway_s or now > accepted_until:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return subject

    def remember(
        self, token: str, subject: str, expires_at: float, now: float | None = None
    ) -> None:
        now = time.time() if now is None else now
        self._entries[token] = (subject, expires_at, now + MAX_AGE_S)
        self._entries.move_to_end(token)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
