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


def _int(value: str | None, default: int) -> int:
    return default if value is None else int(value)


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


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
    # On AWS: the SSM parameter (SecureString) holding cursor_secret, read at init (api/secrets.py).
    cursor_secret_parameter: str | None = None
    # Schema introspection and "Did you mean …" hints: off unless a stage turns them on
    # (`make dev` does, GraphiQL needs introspection).
    introspection: bool = False
    suggestions: bool = False
    # Query cost budget per request (README, "Limits"): lower for anonymous callers.
    cost_budget: int = 20_000
    anonymous_cost_budget: int = 2_000
    # Request limits checked before Strawberry parses anything (api/http_guard.py).
    max_body_bytes: int = 100_000
    max_query_chars: int = 20_000
    max_variable_values: int = 2_000
    max_list_items: int = 100
    max_json_depth: int = 20
    # Browser origins allowed by CORS (empty: no cross-origin browser access).
    cors_origins: tuple[str, ...] = ()
    # Longest lifetime (exp - iat) of a bearer token we accept.
    max_token_lifetime_seconds: int = 24 * 3600
    # Anonymous public-tracking lookups per client IP and minute.
    track_lookups_per_minute: int = 20
    # Delivery (issue 12): providers' base URLs (a local receiver in `make dev` and tests).
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_app_id: str = "wx-dangqun-dev"
    wechat_app_secret: str = field(default="dev-wechat-secret", repr=False)
    sms_api_base: str = "https://dysmsapi.aliyuncs.com"
    sms_access_key_id: str = "dev-sms-key"
    sms_access_key_secret: str = field(default="dev-sms-secret", repr=False)
    # On AWS: the SSM parameters (SecureString) of the two secrets above (api/secrets.py).
    wechat_secret_parameter: str | None = None
    sms_secret_parameter: str | None = None
    sms_sign_name: str = "党群e家"
    channel_timeout_seconds: float = 5.0
    # Photos and files (issue 15): the private bucket, and for local runs the endpoint of the
    # S3-compatible server with its own keys (AWS: the function role's credentials instead).
    uploads_bucket: str = "dangqun-dev-uploads"
    s3_endpoint: str | None = None
    s3_access_key: str | None = field(default=None, repr=False)
    s3_secret_key: str | None = field(default=None, repr=False)
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
            cursor_secret_parameter=get("CURSOR_SECRET_PARAMETER"),
            introspection=_flag(get("INTROSPECTION"), defaults.introspection),
            suggestions=_flag(get("SUGGESTIONS"), defaults.suggestions),
            cost_budget=_int(get("COST_BUDGET"), defaults.cost_budget),
            anonymous_cost_budget=_int(
                get("ANONYMOUS_COST_BUDGET"), defaults.anonymous_cost_budget
            ),
            max_body_bytes=_int(get("MAX_BODY_BYTES"), defaults.max_body_bytes),
            max_query_chars=_int(get("MAX_QUERY_CHARS"), defaults.max_query_chars),
            max_variable_values=_int(get("MAX_VARIABLE_VALUES"), defaults.max_variable_values),
            max_list_items=_int(get("MAX_LIST_ITEMS"), defaults.max_list_items),
            max_json_depth=_int(get("MAX_JSON_DEPTH"), defaults.max_json_depth),
            cors_origins=_list(get("CORS_ORIGINS")),
            max_token_lifetime_seconds=_int(
                get("MAX_TOKEN_LIFETIME_SECONDS"), defaults.max_token_lifetime_seconds
            ),
            track_lookups_per_minute=_int(
                get("TRACK_LOOKUPS_PER_MINUTE"), defaults.track_lookups_per_minute
            ),
            wechat_api_base=get("WECHAT_API_BASE") or defaults.wechat_api_base,
            wechat_app_id=get("WECHAT_APP_ID") or defaults.wechat_app_id,
            wechat_app_secret=get("WECHAT_APP_SECRET") or defaults.wechat_app_secret,
            sms_api_base=get("SMS_API_BASE") or defaults.sms_api_base,
            sms_access_key_id=get("SMS_ACCESS_KEY_ID") or defaults.sms_access_key_id,
            sms_access_key_secret=get("SMS_ACCESS_KEY_SECRET") or defaults.sms_access_key_secret,
            wechat_secret_parameter=get("WECHAT_SECRET_PARAMETER"),
            sms_secret_parameter=get("SMS_SECRET_PARAMETER"),
            sms_sign_name=get("SMS_SIGN_NAME") or defaults.sms_sign_name,
            channel_timeout_seconds=float(
                get("CHANNEL_TIMEOUT_SECONDS") or defaults.channel_timeout_seconds
            ),
            uploads_bucket=get("UPLOADS_BUCKET") or defaults.uploads_bucket,
            s3_endpoint=get("S3_ENDPOINT"),
            s3_access_key=get("S3_ACCESS_KEY"),
            s3_secret_key=get("S3_SECRET_KEY"),
            operations_allowlist=_flag(get("OPERATIONS_ALLOWLIST"), defaults.operations_allowlist),
        )

    @property
    def local_targets(self) -> bool:
        """Local stages may deliver to loopback receivers over http (make dev, tests)."""
        return self.stage in LOCAL_STAGES


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The environment's settings with their secrets (from SSM on AWS; checked per stage)."""
    from api.secrets import resolve_secrets

    return resolve_secrets(Settings.from_env())
