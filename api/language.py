"""The language of a request: Chinese unless the caller's ``Accept-Language`` prefers English.

Parsed once per request by the outermost ASGI layer (``api/app.py``), so the local server and
the Lambda handler (Mangum runs the same app) agree, and kept in a context variable for the
request's duration (reset when it ends). The boundary renders catalogue messages
(``api/domain/messages.py``) in it: mutation payloads, GraphQL errors, HTTP error bodies and
stored texts read back through GraphQL. Notices sent by SMS and WeChat stay Chinese.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from api.domain.messages import DEFAULT_LANGUAGE, Language, stored_text

_current: ContextVar[Language] = ContextVar("dangqun_language", default=DEFAULT_LANGUAGE)

# A header longer than this is not a browser's: the first tags decide, the rest is ignored.
_MAX_HEADER = 512


def parse_accept_language(header: str | None) -> Language:
    """English when an ``en*`` tag has a higher weight than every ``zh*`` tag (at equal weight,
    the earlier tag wins); Chinese otherwise, and for a missing or malformed header."""
    if not header:
        return DEFAULT_LANGUAGE
    best: dict[Language, tuple[float, int]] = {}
    for position, part in enumerate(header[:_MAX_HEADER].split(",")):
        tag, _, params = part.strip().partition(";")
        language = _language_of(tag.strip().lower())
        if language is None:
            continue
        weight = _weight(params)
        if weight <= 0:
            continue
        known = best.get(language)
        if known is None or weight > known[0]:
            best[language] = (weight, position)
    english, chinese = best.get(Language.EN), best.get(Language.ZH)
    if english is None:
        return Language.ZH
    if chinese is None:
        return Language.EN
    if english[0] != chinese[0]:
        return Language.EN if english[0] > chinese[0] else Language.ZH
    return Language.EN if english[1] < chinese[1] else Language.ZH


def _language_of(tag: str) -> Language | None:
    primary = tag.split("-", 1)[0]
    if primary == "en":
        return Language.EN
    if primary == "zh":
        return Language.ZH
    return None


def _weight(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0 <= weight <= 1 else 0.0
    return 1.0


def language_of_scope(scope: Mapping[str, Any]) -> Language:
    """The language an ASGI HTTP request asks for."""
    for name, value in scope.get("headers") or []:
        if name.lower() == b"accept-language":
            return parse_accept_language(value.decode("latin-1"))
    return DEFAULT_LANGUAGE


def current_language() -> Language:
    """The language of the request being served (Chinese outside a request)."""
    return _current.get()


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Serve what runs inside in ``language``; the previous language is back afterwards."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def shown(stored: str | None) -> str | None:
    """A stored text as the request's reader sees it (``messages.stored_text``)."""
    return None if stored is None else stored_text(stored, current_language())
