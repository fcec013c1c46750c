"""Secrets at init: from SSM Parameter Store (SecureString) on AWS, from the environment or the
defaults locally.

On a deployed stage ``DANGQUN_CURSOR_SECRET_PARAMETER`` names the parameter holding the
cursor-signing key (serverless.yml ``params.cursorSecretParameter``), and on the delivery
function ``DANGQUN_WECHAT_SECRET_PARAMETER`` / ``DANGQUN_SMS_SECRET_PARAMETER`` those of the
providers' credentials; IAM allows GetParameter on these parameters only. Each is read once
per container, at init, and kept: a rotation reaches a container when it starts (see README,
runbook). Without the variables nothing touches AWS: the local path (``make dev``, the tests)
keeps its settings.

A real stage refuses to start with a placeholder secret: a forgeable cursor would let any
client choose DynamoDB start keys.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from api.settings import Settings

# Stages that never hold real data: placeholders are allowed there.
SCRATCH_STAGES = frozenset({"local", "dev", "ci", "test", "bench"})
MIN_SECRET_LENGTH = 32
PLACEHOLDER_WORDS = ("placeholder", "change-me", "changeme", "dev-cursor-secret", "local-")


class SecretError(RuntimeError):
    """A secret is missing or unfit for the stage: the container must not serve requests."""


@dataclass(frozen=True)
class ProviderSecret:
    """A provider credential the delivery function reads from SSM when its parameter is set."""

    field: str  # the Settings field holding the value
    parameter_field: str  # the Settings field naming its SSM parameter
    name: str
    min_length: int


# WeChat AppSecret: 32 characters; an Aliyun AccessKey secret: 30.
PROVIDER_SECRETS = (
    ProviderSecret("wechat_app_secret", "wechat_secret_parameter", "WeChat app secret", 32),
    ProviderSecret("sms_access_key_secret", "sms_secret_parameter", "SMS access key secret", 30),
)


def resolve_secrets(settings: Settings, ssm_client: Any | None = None) -> Settings:
    """The settings with their secrets read from SSM when a parameter is configured, checked
    for the stage. The cursor key is checked in every function; a provider credential only
    where its parameter is configured (the delivery function), the others never use it."""
    if settings.cursor_secret_parameter:
        value = read_parameter(settings.cursor_secret_parameter, settings.region, ssm_client)
        settings = dataclasses.replace(settings, cursor_secret=value)
    check_not_placeholder(settings.stage, "cursor secret", settings.cursor_secret)
    for secret in PROVIDER_SECRETS:
        parameter = getattr(settings, secret.parameter_field)
        if not parameter:
            continue
        value = read_parameter(parameter, settings.region, ssm_client)
        changes: dict[str, Any] = {secret.field: value}
        settings = dataclasses.replace(settings, **changes)
        default = getattr(Settings(), secret.field)
        if value == default:
            value = "placeholder"
        check_not_placeholder(settings.stage, secret.name, value, secret.min_length)
    return settings


def check_not_placeholder(
    stage: str, name: str, value: str, min_length: int = MIN_SECRET_LENGTH
) -> None:
    if stage in SCRATCH_STAGES:
        return
    lowered = value.lower()
    if len(value) < min_length or any(word in lowered for word in PLACEHOLDER_WORDS):
        raise SecretError(
            f"stage {stage!r} refuses to start: the {name} is a placeholder or shorter than "
            f"{min_length} characters; put the real value in its SSM parameter "
            "(README, runbook: rotate secrets)"
        )


def read_parameter(name: str, region: str, ssm_client: Any | None = None) -> str:
    """A SecureString parameter's decrypted value, read once per container."""
    if ssm_client is not None:
        return _fetch(ssm_client, name)
    return _cached_parameter(name, region)


@lru_cache(maxsize=8)
def _cached_parameter(name: str, region: str) -> str:
    import botocore.session

    client = botocore.session.get_session().create_client("ssm", region_name=region)
    return _fetch(client, name)


def _fetch(client: Any, name: str) -> str:
    try:
        response = client.get_parameter(Name=name, WithDecryption=True)
    except client.exceptions.ParameterNotFound as error:
        raise SecretError(f"SSM parameter {name} does not exist (README, runbook)") from error
    value: str = response["Parameter"]["Value"]
    return value
