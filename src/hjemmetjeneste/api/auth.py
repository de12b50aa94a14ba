"""Bearer tokens: verifying HelseID-style JWTs and issuing demo tokens.

A token is accepted only when its signature (RS256 against the configured JWKS, or HS256
with the configured secret when no JWKS is set), expiry (``exp``), audience (``aud``) and,
when configured, issuer (``iss``) check out. Its claims give the caller's role, municipality
and person id (``sub``): a nurse's ``staff_id``, a patient's ``patient_id``, or the user id
of a planner, specialist or administrator. National identity numbers (HelseID's ``pid``)
are never read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from hjemmetjeneste.settings import Settings

__all__ = ["AuthError", "Principal", "Role", "TokenVerifier", "issue_demo_token"]

#: Claim names read from a token (custom claims of the municipality's HelseID client).
ROLE_CLAIM = "role"
MUNICIPALITY_CLAIM = "municipality"
#: Verified tokens remembered at most (the cache is emptied when full).
_VERIFIED_MAX = 50_000


class Role(StrEnum):
    """What a caller may do; the API's endpoints each allow a set of roles."""

    PLANNER = "planner"
    NURSE = "nurse"
    PATIENT = "patient"
    SPECIALIST = "specialist"
    ADMIN = "admin"


class AuthError(Exception):
    """The token is missing, malformed, expired, for another audience or badly signed."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: role, municipality and person id (never a name)."""

    role: Role
    municipality_id: str
    person_id: str


class TokenVerifier:
    """Checks bearer tokens against the settings' key (JWKS or secret), audience and issuer."""

    def __init__(self, settings: Settings) -> None:
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer or None  # empty: any issuer
        self._jwks: jwt.PyJWKClient | None = None
        self._secret: str | None = None
        if settings.jwt_jwks_url:
            self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True, lifespan=3600)
            self._algorithms = ["RS256"]
        else:
            self._secret = settings.jwt_secret.get_secret_value()
            self._algorithms = ["HS256"]

    def verify(self, token: str) -> Principal:
        """The caller the token names; :class:`AuthError` when it is not acceptable.

        A token verified once is remembered until its expiry (bounded), so a client's
        repeated calls do not pay for the signature check each time.
        """
        hit = self._verified.get(token)
        if hit is not None:
            if hit[1] > time.time():
                return hit[0]
            self._verified.pop(token, None)
        principal, expires = self._verify(token)
        if len(self._verified) >= _VERIFIED_MAX:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            key: Any
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
            else:
                key = self._secret
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "sub", "aud"]},
                leeway=30,
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise AuthError(type(exc).__name__) from None
        try:
            role = Role(claims.get(ROLE_CLAIM))
        except ValueError:
            raise AuthError("unknown role") from None
        municipality = claims.get(MUNICIPALITY_CLAIM)
        person = claims.get("sub")
        if not isinstance(municipality, str) or not municipality:
            raise AuthError("no municipality claim")
        if not isinstance(person, str) or not person:
            raise AuthError("no subject")
        principal = Principal(role=role, municipality_id=municipality, person_id=person)
        return principal, float(claims["exp"])


def issue_demo_token(
    settings: Settings,
    *,
    role: Role,
    person_id: str,
    municipality_id: str,
    ttl_s: int = 8 * 3600,
) -> str:
    """An HS256 token signed with the settings' secret (the demo's, unless configured)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": person_id,
        ROLE_CLAIM: role.value,
        MUNICIPALITY_CLAIM: municipality_id,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_s,
    }
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
