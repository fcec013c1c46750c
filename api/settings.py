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
    # Photos and files (issue 15): the private bucket, and for local runs the endpoint of the
    # S3-compatible server with its own keys (AWS: the function role's credentials instead).
    uploads_bucket: str = "dangqun-dev-uploads"
    s3_endpoint: str | None = None
    s3_access_key: str | None = field(default=None, repr=False)
    s3_secret_key: str | None = field(default=None, repr=False)

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
            uploads_bucket=get("UPLOADS_BUCKET") or defaults.uploads_bucket,
            s3_endpoint=get("S3_ENDPOINT"),
            s3_access_key=get("S3_ACCESS_KEY"),
            s3_secret_key=get("S3_SECRET_KEY"),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
