"""A local stand-in for the providers, on 127.0.0.1: what would have been sent, recorded.

It speaks each provider's documented shapes, so the real adapters talk to it unchanged:

- WeChat: ``GET /cgi-bin/token`` (``{access_token, expires_in}``) and ``POST
  /cgi-bin/message/subscribe/send?access_token=…`` (``{errcode, errmsg}``; 40001 for a token it
  did not issue or revoked, 47003 for a field over its limit, 43101 for a refusing user);
- Aliyun SMS: ``POST /`` with ``Action=SendSms`` (``{Code, Message, BizId, RequestId}``;
  ``isv.MOBILE_NUMBER_ILLEGAL`` for a bad number);
- webhooks: ``POST /hooks/<name>`` answers 200.

Faults can be injected (``fail(path prefix, ...)``): an outage (status), slow answers, a WeChat
or SMS error code. ``GET /`` shows a page of what arrived, ``GET /deliveries.json`` the same as
JSON. Used by ``make dev`` and by the tests.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WECHAT_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "number": 32}


@dataclass
class Fault:
    status: int | None = None  # answer this HTTP status (an outage)
    delay: float = 0.0  # answer after this many seconds (slow, or past the client's time-out)
    code: str | None = None  # a provider error code (WeChat errcode, Aliyun Code)
    times: int | None = None  # how many requests it applies to (None: until cleared)


@dataclass
class Received:
    channel: str  # WECHAT, SMS, WEBHOOK
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    accepted: bool

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode()))

    def summary(self) -> dict[str, Any]:
        text = self.body.decode(errors="replace")
        return {
            "channel": self.channel,
            "path": self.path,
            "accepted": self.accepted,
            "at": self.at,
            "eventId": self.headers.get("X-Dangqun-Event-Id"),
            "body": self.form() if self.channel == "SMS" else _maybe_json(text),
        }


@dataclass
class ReceiverState:
    received: list[Received] = field(default_factory=list)
    faults: dict[str, Fault] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    refusing_openids: set[str] = field(default_factory=set)
    log: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def fault_for(self, path: str) -> Fault | None:
        with self.lock:
            for prefix, fault in self.faults.items():
                if path.startswith(prefix):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            del self.faults[prefix]
                    return fault
        return None


class LocalReceiver:
    def __init__(self, port: int = 0, log: bool = False) -> None:
        self.state = ReceiverState(log=log)
        state = self.state

        class Handler(_Handler):
            receiver_state = state

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # control

    def fail(self, prefix: str, fault: Fault) -> None:
        with self.state.lock:
            self.state.faults[prefix] = fault

    def heal(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    def revoke_tokens(self) -> None:
        """As WeChat does when a token is refreshed elsewhere: the next send gets 40001."""
        with self.state.lock:
            self.state.tokens.clear()

    def accepted(self, channel: str) -> list[Received]:
        with self.state.lock:
            return [r for r in self.state.received if r.channel == channel and r.accepted]

    def all(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.received)


def _maybe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


class _Handler(BaseHTTPRequestHandler):
    receiver_state: ReceiverState
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return  # one line per delivery is printed by _record instead

    # routing

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/cgi-bin/token":
            self._token()
        elif path == "/deliveries.json":
            items = [r.summary() for r in self.receiver_state.received]
            self._json(200, {"deliveries": items})
        elif path == "/":
            self._page()
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        parts = urllib.parse.urlsplit(self.path)
        fault = self.receiver_state.fault_for(parts.path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status:
            self._record(self._channel(parts.path), body, accepted=False)
            self._json(fault.status, {"error": "injected outage"})
            return
        if parts.path == "/cgi-bin/message/subscribe/send":
            self._wechat_send(parts.query, body, fault)
        elif parts.path == "/":
            self._sms(body, fault)
        elif parts.path.startswith("/hooks/"):
            self._record("WEBHOOK", body, accepted=True)
            self._json(200, {"ok": True})
        else:
            self._json(404, {"error": "not found"})

    @staticmethod
    def _channel(path: str) -> str:
        if path.startswith("/cgi-bin/"):
            return "WECHAT"
        return "WEBHOOK" if path.startswith("/hooks/") else "SMS"

    # providers

    def _token(self) -> None:
        state = self.receiver_state
        token = f"local-token-{next(state.counter)}"
        with state.lock:
            state.tokens.add(token)
        self._json(200, {"access_token": token, "expires_in": 7200})

    def _wechat_send(self, query: str, body: bytes, fault: Fault | None) -> None:
        state = self.receiver_state
        token = dict(urllib.parse.parse_qsl(query)).get("access_token", "")
        with state.lock:
            known = token in state.tokens
        if not known:
            self._json(200, {"errcode": 40001, "errmsg": "invalid credential"})
            return
        if fault and fault.code:
            self._record("WECHAT", body, accepted=False)
            self._json(200, {"errcode": int(fault.code), "errmsg": "injected"})
            return
        try:
            message = json.loads(body)
            data: dict[str, dict[str, str]] = message["data"]
            touser = str(message["touser"])
            str(message["template_id"])
        except (ValueError, KeyError, TypeError):
            self._json(200, {"errcode": 47001, "errmsg": "data format error"})
            return
        for key, value in data.items():
            limit = WECHAT_LIMITS.get(key.rstrip("0123456789"))
            if limit is not None and len(value.get("value", "")) > limit:
                self._record("WECHAT", body, accepted=False)
                self._json(200, {"errcode": 47003, "errmsg": f"argument invalid! data.{key}"})
                return
        if touser in state.refusing_openids:
            self._record("WECHAT", body, accepted=False)
            self._json(200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"})
            return
        self._record("WECHAT", body, accepted=True)
        self._json(200, {"errcode": 0, "errmsg": "ok"})

    def _sms(self, body: bytes, fault: Fault | None) -> None:
        form = dict(urllib.parse.parse_qsl(body.decode()))
        request_id = f"local-{next(self.receiver_state.counter)}"
        required = ("Action", "PhoneNumbers", "SignName", "TemplateCode", "Signature")
        if form.get("Action") != "SendSms" or any(not form.get(k) for k in required):
            self._json(400, {"Code": "MissingParameter", "RequestId": request_id})
            return
        code = fault.code if fault and fault.code else None
        phone = form["PhoneNumbers"]
        if code is None and not (phone.isdigit() and len(phone) == 11 and phone[0] == "1"):
            code = "isv.MOBILE_NUMBER_ILLEGAL"
        if code:
            self._record("SMS", body, accepted=False)
            self._json(200, {"Code": code, "Message": "injected", "RequestId": request_id})
            return
        self._record("SMS", body, accepted=True)
        biz = f"biz-{request_id}"
        self._json(200, {"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": request_id})

    # helpers

    def _record(self, channel: str, body: bytes, accepted: bool) -> None:
        headers = {key: value for key, value in self.headers.items()}
        item = Received(channel, self.path, headers, body, time.time(), accepted)
        state = self.receiver_state
        with state.lock:
            state.received.append(item)
        if state.log:
            verdict = "叮" if accepted else "refused"
            print(
                f"[receiver] {verdict} {channel} {json.dumps(item.summary(), ensure_ascii=False)}"
            )

    def _json(self, status: int, document: dict[str, Any]) -> None:
        data = json.dumps(document, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _page(self) -> None:
        rows = "".join(
            f"<tr><td>{html.escape(r.channel)}</td><td>{'✔' if r.accepted else '✘'}</td>"
            f"<td>{time.strftime('%H:%M:%S', time.localtime(r.at))}</td>"
            f"<td><pre>{html.escape(json.dumps(r.summary()['body'], ensure_ascii=False))}"
            "</pre></td></tr>"
            for r in reversed(self.receiver_state.received)
        )
        page = (
            "<!doctype html><meta charset=utf-8><title>dangqun local receiver</title>"
            "<meta http-equiv=refresh content=3><h1>What would have been sent</h1>"
            "<table border=1 cellpadding=4><tr><th>channel</th><th>ok</th><th>at</th>"
            f"<th>request</th></tr>{rows}</table>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)
