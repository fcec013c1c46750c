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
from api.domain.messages import msg
from api.settings import Settings
from api.token_cache import VerifiedTokens

if TYPE_CHECKING:
    import jwt

ALGORITHMS = ["RS256"]
LEEWAY_S = 30


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jwks_client: jwt.PyJWKClient | None = None
        self._jwk_set: jwt.PyJWKSet | None = None
        self._verified = VerifiedTokens(LEEWAY_S)

    def warm(self) -> None:
        """Import the JWT library (and cryptography's RSA backend) and load a local key set
        now, at init, instead of in the first signed-in request. A JWKS URL is not fetched
        here: an identity provider that is slow at init must not fail the container."""
        import jwt
        from jwt.algorithms import RSAAlgorithm  # noqa: F401  (loads cryptography's RSA)

        if self._settings.auth_jwks_file and self._jwk_set is None:
            data = json.loads(Path(self._settings.auth_jwks_file).read_text(encoding="utf-8"))
            self._jwk_set = jwt.PyJWKSet.from_dict(data)
        if self._settings.auth_jwks_url and self._jwks_client is None:
            self._jwks_client = jwt.PyJWKClient(self._settings.auth_jwks_url, cache_keys=True)

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
            raise Unauthenticated(msg("auth.unknown_key"))
        if self._settings.auth_jwks_url:
            if self._jwks_client is None:
                self._jwks_client = jwt.PyJWKClient(self._settings.auth_jwks_url, cache_keys=True)
            return self._jwks_client.get_signing_key_from_jwt(token).key
        raise Unauthenticated(msg("auth.no_issuer"))

    def verify(self, token: str) -> str:
        """Return the subject (person id) of a valid token; raise ``Unauthenticated`` otherwise."""
        known = self._verified.subject(token)
        if known is not None:
            return known
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._signing_key(token),
                algorithms=ALGORITHMS,
                audience=self._settings.auth_audience,
                issuer=self._settings.auth_issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
                leeway=LEEWAY_S,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated(msg("auth.token_expired")) from exc
        except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
            # In our own words: the library's wording names internals and varies by version.
            raise Unauthenticated(msg("auth.invalid_token")) from exc
        self._check_lifetime(claims)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated(msg("auth.no_subject"))
        person_id = accept_id(subject, "Person")  # a raw person id or its global id
        self._verified.remember(token, person_id, float(claims["exp"]))
        return person_id

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """Refuse tokens issued for longer than the stage allows, however validly signed."""
        issued, expires = claims.get("iat"), claims.get("exp")
        if not isinstance(issued, int | float) or not isinstance(expires, int | float):
            raise Unauthenticated(msg("auth.invalid_token"))
        limit = self._settings.max_token_lifetime_seconds
        if expires - issued > limit:
            raise Unauthenticated(msg("auth.lifetime_too_long", value=limit // 3600))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header; None when the header is absent."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(msg("auth.bad_header"))
    return token.strip()
