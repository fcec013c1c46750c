"""A local OIDC-like token issuer for development and tests: an RSA key pair on disk and a JWKS.

Never used in AWS stages, where tokens come from the real issuer (Cognito or another OIDC IdP).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_ID = "dangqun-dev-1"


class DevIssuer:
    def __init__(self, folder: Path, issuer: str, audience: str) -> None:
        self.folder = folder
        self.issuer = issuer
        self.audience = audience
        self.private_key_file = folder / "dev-issuer-private.pem"
        self.jwks_file = folder / "dev-issuer-jwks.json"

    def ensure_keys(self) -> None:
        """Create the key pair once; later runs reuse it so minted tokens stay valid."""
        if self.private_key_file.exists() and self.jwks_file.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.private_key_file.write_bytes(pem)
        self.private_key_file.chmod(0o600)
        public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        public_jwk.update({"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.jwks_file.write_text(json.dumps({"keys": [public_jwk]}), encoding="utf-8")

    def mint(self, subject: str, ttl_seconds: int = 12 * 3600, now: float | None = None) -> str:
        self.ensure_keys()
        issued = int(time.time() if now is None else now)
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": issued,
            "exp": issued + ttl_seconds,
        }
        private_key = self.private_key_file.read_bytes()
        return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": KEY_ID})
