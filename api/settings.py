"""Runtime settings, read once from the environment (prefix ``DANGQUN_``).

A plain dataclass rather than pydantic-settings: this module is imported on every Lambda cold
start and the import budget is tight (see README, benchmarks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache


def _flag(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


LOCAL_STAGES = frozenset({"local", "test"})


@dataclass(frozen=True)
class Settings:
    stage: str = "dev"
    table_name: str = "dangqun-dev"
    region: str = "ap-northeast-1"
    # Endpoint of DynamoDB Local (or moto server); None means the AWS endpoint of the region.
    dynamodb_host: str | None = None
    auth_issuer: str = "dangqun-local"
    auth_audience: str = "dangqun"
    # Where the issuer's public keys come from: a JWKS URL (OIDC, e.g. Cognito) or a local file.
    auth_jwks_url: str | None = None
    auth_jwks_file: str | None = None
    graphiql: bool = True
    # Signs pagination cursors so clients cannot forge DynamoDB start keys.
    cursor_secret: str = field(default="dev-cursor-secret", repr=False)
    # Delivery (issue 12): providers' base URLs (a local receiver in `make dev` and tests).
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_app_id: str = "wx-dangqun-dev"
    wechat_app_secret: str = field(default="dev-wechat-secret", repr=False)
    sms_api_base: str = "https://dysmsapi.aliyuncs.com"
    sms_access_key_id: str = "dev-sms-key"
    sms_access_key_secret: str = field(default="dev-sms-secret", repr=False)
    sms_sign_name: str = "党群e家"
    channel_timeout_seconds: float = 5.0
    operations_allowlist: bool = False  # only registered operations run (issue 13)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        source = os.environ if env is None else env

        def get(name: str) -> str | None:
            return source.get(f"DANGQUN_{name}") or None

        defaults = cls()
        return cls(
            stage=get("STAGE") or defaults.stage,
            table_name=get("TABLE_NAME") or defaults.table_name,
            region=get("REGION") or source.get("AWS_REGION") or defaults.region,
            dynamodb_host=get("DYNAMODB_HOST"),
            auth_issuer=get("AUTH_ISSUER") or defaults.auth_issuer,
            auth_audience=get("AUTH_AUDIENCE") or defaults.auth_audience,
            auth_jwks_url=get("AUTH_JWKS_URL"),
            auth_jwks_file=get("AUTH_JWKS_FILE"),
            graphiql=_flag(get("GRAPHIQL"), defaults.graphiql),
            cursor_secret=get("CURSOR_SECRET") or defaults.cursor_secret,
            wechat_api_base=get("WECHAT_API_BASE") or defaults.wechat_api_base,
            wechat_app_id=get("WECHAT_APP_ID") or defaults.wechat_app_id,
            wechat_app_secret=get("WECHAT_APP_SECRET") or defaults.wechat_app_secret,
            sms_api_base=get("SMS_API_BASE") or defaults.sms_api_base,
            sms_access_key_id=get("SMS_ACCESS_KEY_ID") or defaults.sms_access_key_id,
            sms_access_key_secret=get("SMS_ACCESS_KEY_SECRET") or defaults.sms_access_key_secret,
            sms_sign_name=get("SMS_SIGN_NAME") or defaults.sms_sign_name,
            channel_timeout_seconds=float(
                get("CHANNEL_TIMEOUT_SECONDS") or defaults.channel_timeout_seconds
            ),
            operations_allowlist=_flag(get("OPERATIONS_ALLOWLIST"), defaults.operations_allowlist),
        )

    @property
    def local_targets(self) -> bool:
        """Local stages may deliver to loopback receivers over http (make dev, tests)."""
        return self.stage in LOCAL_STAGES


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
