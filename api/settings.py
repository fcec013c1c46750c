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
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The environment's settings with their secrets (from SSM on AWS; checked per stage)."""
    from api.secrets import resolve_secrets

    return resolve_secrets(Settings.from_env())
