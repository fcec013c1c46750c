"""One small HTTP client for the adapters: a time-out, no redirects, a bounded answer."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    truncated: bool  # the receiver sent more than we read


class Unreachable(Exception):
    """No answer: refused, reset, DNS failure or time-out (always worth a retry)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it would let a receiver point us
    at an address the SSRF guard refused."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def request(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with _opener.open(req, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            return Answer(response.status, data[:max_bytes], len(data) > max_bytes)
    except urllib.error.HTTPError as error:
        data = error.read(max_bytes + 1) if error.fp else b""
        return Answer(error.code, data[:max_bytes], len(data) > max_bytes)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise Unreachable(str(getattr(exc, "reason", exc))) from exc
