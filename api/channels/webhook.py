"""Signed webhooks to systems.

A delivery is ``POST <url>`` with a JSON body ``{id, type, createdAt, sequence, data}`` and:

- ``X-Dangqun-Event-Id``: the event id (receivers deduplicate on it: a delivery can repeat);
- ``X-Dangqun-Event-Type``, ``X-Dangqun-Timestamp`` (Unix seconds);
- ``X-Dangqun-Signature``: ``v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>``, and a
  second ``v1=`` with the previous secret while a rotation's grace period runs.

Any 2xx is success; anything else (or no answer in time) is retried. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from api.channels.base import Attempt, Verdict
from api.channels.http import Unreachable, request

SIGNATURE_HEADER = "X-Dangqun-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


class UnsafeUrl(ValueError):
    """A URL a webhook may not target (not https, or resolving inside our network)."""


def check_url(
    url: str,
    allow_local: bool,
    resolve: Callable[[str], list[str]] | None = None,
) -> None:
    """https only, and no loopback / private / link-local / reserved address (SSRF): every
    address the host resolves to is checked. Local stages may use http on loopback."""
    parsed = urllib.parse.urlsplit(url)
    if allow_local and parsed.scheme in ("http", "https") and parsed.hostname:
        return
    if parsed.scheme != "https" or not parsed.hostname:
        raise UnsafeUrl("Webhook URL must be https")
    if parsed.username or parsed.password:
        raise UnsafeUrl("Webhook URL must not carry credentials")
    addresses = (resolve or _resolve)(parsed.hostname)
    if not addresses:
        raise UnsafeUrl("Webhook host does not resolve")
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if (
            ip.is_loopback
            or ip.is_private
            or ip.is_link_local
            or ip.is_reserved
            or ip.is_multicast
            or ip.is_unspecified
        ):
            raise UnsafeUrl("Webhook host resolves to an internal address")


def _resolve(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, 443)]
    except socket.gaierror:
        return []


@dataclass(frozen=True, slots=True)
class WebhookMessage:
    url: str
    event_id: str
    event_type: str
    body: bytes
    secrets: tuple[str, ...]  # current first, then the previous one during a rotation


class WebhookChannel:
    def __init__(self, timeout: float, allow_local: bool, now: Callable[[], float]) -> None:
        self.timeout = timeout
        self.allow_local = allow_local
        self.now = now

    def headers(self, message: WebhookMessage, timestamp: int) -> dict[str, str]:
        signatures = ",".join(signature(s, timestamp, message.body) for s in message.secrets)
        return {
            "Content-Type": "application/json",
            "User-Agent": "dangqun-webhooks/1",
            "X-Dangqun-Event-Id": message.event_id,
            "X-Dangqun-Event-Type": message.event_type,
            "X-Dangqun-Timestamp": str(timestamp),
            SIGNATURE_HEADER: signatures,
        }

    def send(self, message: WebhookMessage) -> Attempt:
        try:
            check_url(message.url, self.allow_local)
        except UnsafeUrl as exc:
            return Attempt(Verdict.FINAL, "UNSAFE_URL", str(exc))
        timestamp = int(self.now())
        try:
            answer = request(
                "POST", message.url, message.body, self.headers(message, timestamp), self.timeout
            )
        except Unreachable as exc:
            return Attempt(Verdict.TRANSIENT, "UNREACHABLE", str(exc))
        note = " (answer truncated)" if answer.truncated else ""
        if 200 <= answer.status < 300:
            return Attempt(Verdict.SENT, f"HTTP {answer.status}", note)
        return Attempt(Verdict.TRANSIENT, f"HTTP {answer.status}", note)
