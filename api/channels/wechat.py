"""WeChat mini-program subscription messages (订阅消息 ``subscribeMessage.send``).

``POST {base}/cgi-bin/message/subscribe/send?access_token=…`` with ``{touser, template_id,
page, data: {key: {value}}}``; the answer is ``{errcode, errmsg}``. The access token comes from
``GET {base}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` and is cached until
shortly before ``expires_in``; 40001 / 42001 / 40014 (invalid or expired token) refresh it once.
43101 (the user has no consent left or refused), 40003 (bad openid), 47003 (bad template data)
and 40037 (bad template) are final; -1 (busy) and 45009 (daily limit) are transient.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from api.channels.base import Attempt, PersonMessage, Verdict
from api.channels.http import Answer, Unreachable, request
from api.domain.messages import stored_text
from api.domain.notify import AnnouncementKind, Channel, truncate

TOKEN_CODES = frozenset({40001, 42001, 40014})
FINAL_CODES = frozenset({43101, 40003, 47003, 40037, 43107, 43108})

# Field limits of subscription-message data types (WeChat's documentation, characters).
LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "number": 32}

KIND_NAMES: dict[AnnouncementKind, str] = {
    AnnouncementKind.CASE_AT_GRID: "新诉求",
    AnnouncementKind.CASE_ASSIGNED: "新派单",
    AnnouncementKind.CASE_CLAIM_REQUEST: "待认领",
    AnnouncementKind.CASE_AT_TOP: "顶格调度",
    AnnouncementKind.AT_RISK_WARNING: "临期预警",
    AnnouncementKind.SUPERVISION: "督办",
    AnnouncementKind.ESCALATED: "吹哨上报",
    AnnouncementKind.UNCLAIMED_TO_CENTRE: "无人认领",
    AnnouncementKind.PAIN_POINT: "难点问题",
    AnnouncementKind.NO_LEADER: "无包案领导",
    AnnouncementKind.REPORT_ACCEPTED: "已受理",
    AnnouncementKind.REPORT_REJECTED: "不予受理",
    AnnouncementKind.REPORT_RESOLVED: "已办结",
    AnnouncementKind.REPORT_CLOSED: "已结案",
    AnnouncementKind.EVALUATION_REMINDER: "评价提醒",
    AnnouncementKind.TOPIC_NOTICE: "议事通知",
    AnnouncementKind.PARTNER_CLAIM: "项目认领",
    AnnouncementKind.PARTNER_CONFIRMED: "交付确认",
}


@dataclass(frozen=True, slots=True)
class Template:
    template_id: str
    page: str


# One template per audience: staff work orders, residents' progress, topics, partners.
_WORK_ORDER = Template("TPL_WORK_ORDER", "pages/cases/detail")
_PROGRESS = Template("TPL_REPORT_PROGRESS", "pages/my/reports")
_TOPIC = Template("TPL_TOPIC", "pages/topics/detail")
_PARTNER = Template("TPL_PARTNER", "pages/partners/projects")
TEMPLATES: dict[AnnouncementKind, Template] = {
    **{kind: _WORK_ORDER for kind in AnnouncementKind},
    AnnouncementKind.REPORT_ACCEPTED: _PROGRESS,
    AnnouncementKind.REPORT_REJECTED: _PROGRESS,
    AnnouncementKind.REPORT_RESOLVED: _PROGRESS,
    AnnouncementKind.REPORT_CLOSED: _PROGRESS,
    AnnouncementKind.EVALUATION_REMINDER: _PROGRESS,
    AnnouncementKind.TOPIC_NOTICE: _TOPIC,
    AnnouncementKind.PARTNER_CLAIM: _PARTNER,
    AnnouncementKind.PARTNER_CONFIRMED: _PARTNER,
}


def template_for(kind: AnnouncementKind) -> Template:
    return TEMPLATES[kind]


def template_data(message: PersonMessage) -> dict[str, dict[str, str]]:
    """The template's fields, each cut to its type's limit (WeChat refuses, never cuts)."""
    fields = {
        "character_string1": truncate(message.title, LIMITS["character_string"]),
        "phrase2": truncate(KIND_NAMES[message.kind], LIMITS["phrase"]),
        "thing3": truncate(stored_text(message.message), LIMITS["thing"]),  # in Chinese
        "time4": message.at[:16].replace("T", " "),
    }
    return {key: {"value": value} for key, value in fields.items()}


class WechatChannel:
    channel = Channel.WECHAT

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self.timeout = timeout
        self.clock = clock
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def access_token(self, refresh: bool = False) -> str:
        with self._lock:
            if self._token and not refresh and self._token[1] > self.clock():
                return self._token[0]
            query = urllib.parse.urlencode(
                {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret}
            )
            answer = request(
                "GET", f"{self.base_url}/cgi-bin/token?{query}", None, {}, self.timeout
            )
            data = json.loads(answer.body or b"{}")
            if "access_token" not in data:
                raise Unreachable(f"token: {data.get('errcode')} {data.get('errmsg')}")
            # Refresh five minutes early: a token used at its last second fails with 42001.
            lifetime = max(60.0, float(data.get("expires_in", 7200)) - 300)
            self._token = (str(data["access_token"]), self.clock() + lifetime)
            return self._token[0]

    def send(self, message: PersonMessage) -> Attempt:
        if not message.openid:
            return Attempt(Verdict.FINAL, "NO_BINDING", "no WeChat binding")
        template = template_for(message.kind)
        body: dict[str, object] = {
            "touser": message.openid,
            "template_id": template.template_id,
            "page": f"{template.page}?id={message.case_id or message.topic_id or ''}",
            "data": template_data(message),
            "miniprogram_state": "formal",
            "lang": "zh_CN",
        }
        try:
            answer = self._post(body, refresh=False)
            code = _errcode(answer)
            if code in TOKEN_CODES:
                answer = self._post(body, refresh=True)
                code = _errcode(answer)
        except Unreachable as exc:
            return Attempt(Verdict.TRANSIENT, "UNREACHABLE", str(exc))
        if answer.status >= 500 or code is None:
            return Attempt(Verdict.TRANSIENT, f"HTTP {answer.status}")
        if code == 0:
            return Attempt(Verdict.SENT, "0")
        if code in FINAL_CODES:
            return Attempt(Verdict.FINAL, str(code), _errmsg(answer))
        return Attempt(Verdict.TRANSIENT, str(code), _errmsg(answer))

    def _post(self, body: dict[str, object], refresh: bool) -> Answer:
        token = self.access_token(refresh=refresh)
        url = f"{self.base_url}/cgi-bin/message/subscribe/send?access_token={token}"
        payload = json.dumps(body, ensure_ascii=False).encode()
        return request("POST", url, payload, {"Content-Type": "application/json"}, self.timeout)


def _errcode(answer: Answer) -> int | None:
    try:
        data = json.loads(answer.body or b"{}")
        return int(data.get("errcode", 0))
    except (ValueError, TypeError, AttributeError):
        return None


def _errmsg(answer: Answer) -> str:
    try:
        return str(json.loads(answer.body or b"{}").get("errmsg", ""))
    except (ValueError, AttributeError):
        return ""
