"""Secrets from SSM Parameter Store (SecureString), against moto: read at init through the
same path as on Lambda (``get_settings``), cached, and refused on a real stage when they are
placeholders. Without a parameter nothing touches AWS."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from api.secrets import SecretError, _cached_parameter
from api.settings import Settings, get_settings

STRONG = "k3Jw9v0Qz1xYt7uP2mN8bR4cL6dF5gH0"  # 32 characters, no placeholder word


@dataclass
class Ssm:
    client: Any
    parameter: str

    def put(self, value: str, overwrite: bool = False) -> None:
        self.client.put_parameter(
            Name=self.parameter, Value=value, Type="SecureString", Overwrite=overwrite
        )


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Ssm]:
    # A parameter of its own per test: on the moto backend this mock nests in the session's,
    # whose state lives on.
    parameter = f"/dangqun/prod-{uuid.uuid4().hex[:8]}/cursor-secret"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "DANGQUN_STAGE": "prod",
        "DANGQUN_REGION": "ap-northeast-1",
        "DANGQUN_CURSOR_SECRET_PARAMETER": parameter,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DANGQUN_CURSOR_SECRET", raising=False)
    get_settings.cache_clear()
    _cached_parameter.cache_clear()
    # Nested in the session's mock on the moto backend (moto counts nested mocks and resets
    # nothing then); on its own with DynamoDB Local.
    with mock_aws():
        client = botocore.session.get_session().create_client("ssm", region_name="ap-northeast-1")
        try:
            yield Ssm(client, parameter)
        finally:
            get_settings.cache_clear()
            _cached_parameter.cache_clear()


def test_the_cursor_secret_comes_from_its_secure_string_once(ssm: Ssm) -> None:
    ssm.put(STRONG)
    assert get_settings().cursor_secret == STRONG

    # Cached for the container's life: a later change reaches new containers only.
    ssm.put(STRONG[::-1], overwrite=True)
    get_settings.cache_clear()
    assert get_settings().cursor_secret == STRONG


def test_a_real_stage_refuses_a_placeholder(ssm: Ssm) -> None:
    ssm.put("insecure-placeholder-cursor-secret-set-per-stage")
    with pytest.raises(SecretError, match="placeholder"):
        get_settings()


def test_a_real_stage_refuses_a_short_secret(ssm: Ssm) -> None:
    ssm.put("tooshort")
    with pytest.raises(SecretError, match="32"):
        get_settings()


def test_a_missing_parameter_stops_the_container(ssm: Ssm) -> None:
    with pytest.raises(SecretError, match="does not exist"):
        get_settings()


def test_a_real_stage_refuses_the_default_without_a_parameter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DANGQUN_STAGE", "prod")
    monkeypatch.delenv("DANGQUN_CURSOR_SECRET_PARAMETER", raising=False)
    monkeypatch.delenv("DANGQUN_CURSOR_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(SecretError):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_the_local_path_needs_no_aws() -> None:
    from api.secrets import resolve_secrets

    local = Settings(stage="local", cursor_secret="local-cursor-secret")
    assert resolve_secrets(local) == local


def test_the_delivery_credentials_come_from_their_parameters(
    ssm: Ssm, monkeypatch: pytest.MonkeyPatch
) -> None:
    ssm.put(STRONG)
    wechat, sms = f"{ssm.parameter}-wechat", f"{ssm.parameter}-sms"
    ssm.client.put_parameter(Name=wechat, Value="w" * 32, Type="SecureString")
    ssm.client.put_parameter(Name=sms, Value="s" * 30, Type="SecureString")
    monkeypatch.setenv("DANGQUN_WECHAT_SECRET_PARAMETER", wechat)
    monkeypatch.setenv("DANGQUN_SMS_SECRET_PARAMETER", sms)
    settings = get_settings()
    assert (settings.wechat_app_secret, settings.sms_access_key_secret) == ("w" * 32, "s" * 30)


def test_a_real_stage_refuses_a_default_delivery_credential(
    ssm: Ssm, monkeypatch: pytest.MonkeyPatch
) -> None:
    ssm.put(STRONG)
    wechat = f"{ssm.parameter}-wechat"
    ssm.client.put_parameter(Name=wechat, Value=Settings().wechat_app_secret, Type="SecureString")
    monkeypatch.setenv("DANGQUN_WECHAT_SECRET_PARAMETER", wechat)
    with pytest.raises(SecretError, match="WeChat app secret"):
        get_settings()


def test_functions_without_delivery_ignore_the_delivery_credentials(ssm: Ssm) -> None:
    ssm.put(STRONG)  # no provider parameter configured: their dev defaults are never checked
    assert get_settings().cursor_secret == STRONG
