"""Bearer-token authentication: OIDC JWTs verified against the issuer's JWKS.

In AWS the keys come from the issuer's JWKS URL (e.g. Cognito); locally from a JWKS file written
by the dev issuer (``api/dev_issuer.py``). ``jwt`` (and cryptography) are imported on first use,
not at module import, to keep the Lambda cold start within budget.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.domain.errors import Unauthenticated
from api.domain.ids import accept_id
from api.settings import Settings

if TYPE_CHECKING:
    import jwt

ALGORITHMS = ["RS256"]


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jwks_client: jwt.PyJWKClient | None = None
        self._jwk_set: jwt.PyJWKSet | None = None

    def _signing_key(self, token: str) -> Any:
        import jwt

        if self._settings.auth_jwks_file:
            if self._jwk_set is None:
                data = json.loads(Path(self._settings.auth_jwks_file).read_text(encoding="utf-8"))
                self._jwk_set = jwt.PyJWKSet.from_dict(data)
            kid = jwt.get_unverified_header(token).get("kid")
            for key in self._jwk_set.keys:
                if key.key_id == kid:
                    return key.key
            raise Unauthenticated("The token was signed with an unknown key")
        if self._settings.auth_jwks_url:
            if self._jwks_client is None:
                self._jwks_client = jwt.PyJWKClient(self._settings.auth_jwks_url, cache_keys=True)
            return self._jwks_client.get_signing_key_from_jwt(token).key
        raise Unauthenticated("No token issuer is configured for this stage")

    def verify(self, token: str) -> str:
        """Return the subject (person id) of a valid token; raise ``Unauthenticated`` otherwise."""
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._signing_key(token),
                algorithms=ALGORITHMS,
                audience=self._settings.auth_audience,
                issuer=self._settings.auth_issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("The token has expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthenticated(f"The token is not valid: {exc}") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated("The token has no subject")
        return accept_id(subject, "Person")  # a raw person id or its global id


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header; None when the header is absent."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization header must be 'Bearer <token>'")
    return token.strip()
