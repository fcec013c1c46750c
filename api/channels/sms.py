"""SMS through Aliyun's SMS service (dysms ``SendSms``, API version 2017-05-25, RPC style).

A form POST to ``{base}/`` with the common parameters (``AccessKeyId``, ``Timestamp``,
``SignatureNonce``, ``SignatureMethod=HMAC-SHA1``…) and ``PhoneNumbers``, ``SignName``,
``TemplateCode``, ``TemplateParam`` (JSON), ``OutId`` (our delivery's source id, for the
provider's receipts), signed as Aliyun's RPC signature v1 prescribes. The answer is
``{"Code": "OK", "BizId", "RequestId", "Message"}``; other codes are mapped below.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from api.channels.base import Attempt, PersonMessage, Verdict
from api.channels.http import Unreachable, request
from api.domain.messages import stored_text
from api.domain.notify import AnnouncementKind, Channel, truncate

TRANSIENT_CODES = frozenset(
    {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "isp.SYSTEM_ERROR", "ServiceUnavailable"}
)
# Everything else that is not OK is final: a bad number, a template or sign not approved,
# missing parameters, no balance, a refused key or signature.

TEMPLATES: dict[AnnouncementKind, str] = {
    AnnouncementKind.SUPERVISION: "SMS_DQ_SUPERVISION",
    AnnouncementKind.ESCALATED: "SMS_DQ_ESCALATED",
    AnnouncementKind.UNCLAIMED_TO_CENTRE: "SMS_DQ_ESCALATED",
    AnnouncementKind.CASE_AT_TOP: "SMS_DQ_ESCALATED",
    AnnouncementKind.NO_LEADER: "SMS_DQ_ESCALATED",
}
# Aliyun limits each template variable to 35 characters.
PARAM_LIMIT = 35


def percent(value: str) -> str:
    """Aliyun's percent-encoding (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay)."""
    return urllib.parse.quote(value, safe="-_.~")


def sign(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{percent(k)}={percent(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent('/')}&{percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class SmsChannel:
    channel = Channel.SMS

    def __init__(
        self,
        base_url: str,
        key_id: str,
        key_secret: str,
        sign_name: str,
        timeout: float,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self.key_secret = key_secret
        self.sign_name = sign_name
        self.timeout = timeout
        self.now = now

    def params(self, message: PersonMessage) -> dict[str, str]:
        template_param = {
            "code": truncate(message.title, PARAM_LIMIT),
            "kind": truncate(message.kind.value, PARAM_LIMIT),
            # Texts stored language-neutral are sent in Chinese (SMS reaches people in China).
            "message": truncate(stored_text(message.message), PARAM_LIMIT),
        }
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": message.source_id[:64],
            "PhoneNumbers": message.phone or "",
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": TEMPLATES.get(message.kind, "SMS_DQ_ESCALATED"),
            "TemplateParam": json.dumps(template_param, ensure_ascii=False),
            "Timestamp": self.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = sign(params, self.key_secret)
        return params

    def send(self, message: PersonMessage) -> Attempt:
        if not message.phone:
            return Attempt(Verdict.FINAL, "NO_PHONE", "no phone number")
        body = urllib.parse.urlencode(self.params(message)).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        try:
            answer = request("POST", f"{self.base_url}/", body, headers, self.timeout)
        except Unreachable as exc:
            return Attempt(Verdict.TRANSIENT, "UNREACHABLE", str(exc))
        try:
            data = json.loads(answer.body or b"{}")
            code = str(data.get("Code", ""))
        except (ValueError, AttributeError):
            return Attempt(Verdict.TRANSIENT, f"HTTP {answer.status}", "unreadable answer")
        if code == "OK":
            return Attempt(Verdict.SENT, "OK", str(data.get("BizId", "")))
        if code in TRANSIENT_CODES or (answer.status >= 500 and not code):
            return Attempt(Verdict.TRANSIENT, code or f"HTTP {answer.status}")
        return Attempt(Verdict.FINAL, code or f"HTTP {answer.status}", str(data.get("Message")))
