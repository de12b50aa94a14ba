"""Bearer tokens: verifying HelseID-style JWTs and issuing demo tokens.

A token is accepted only when its signature (RS256 against the configured JWKS, or HS256
with the configured secret when no JWKS is set), expiry (``exp``), audience (``aud``) and,
when configured, issuer (``iss``) check out. Its claims give the caller's role, municipality
and person id (``sub``): a nurse's ``staff_id``, a patient's ``patient_id``, or the user id
of a planner, specialist or administrator. National identity numbers (HelseID's ``pid``)
are never read.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
import jwt

from hjemmetjeneste.settings import Settings

__all__ = ["AuthError", "JwksKeys", "Principal", "Role", "TokenVerifier", "issue_demo_token"]

log = logging.getLogger("hjemmetjeneste.api.auth")

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


class JwksKeys:
    """The signing keys of a JWKS URL, fetched asynchronously and cached.

    A fetch waits at most ``timeout_s``; a token whose key id is unknown triggers at most
    one fetch every ``min_refresh_s`` (later ones wait for the fetch under way, if any, or are
    refused at once). Requests whose key is cached never wait for the key server.
    """

    def __init__(self, url: str, timeout_s: float, min_refresh_s: float) -> None:
        self._url = url
        self._timeout_s = timeout_s
        self._min_refresh_s = min_refresh_s
        self._keys: dict[str, Any] = {}
        self._last_attempt = -math.inf
        self._inflight: asyncio.Task[None] | None = None

    def get(self, kid: str) -> Any | None:
        """The cached key ``kid``, or None."""
        return self._keys.get(kid)

    async def refresh(self) -> None:
        """Fetch the keys unless a fetch ran too recently; waits at most ``timeout_s``."""
        task = self._inflight
        if task is None or task.done():
            now = time.monotonic()
            if now - self._last_attempt < self._min_refresh_s:
                return
            self._last_attempt = now
            task = self._inflight = asyncio.get_running_loop().create_task(self._fetch())
        try:
            await asyncio.wait_for(asyncio.shield(task), self._timeout_s)
        except TimeoutError:
            log.warning("the JWKS endpoint did not answer within %.1f s", self._timeout_s)

    async def _fetch(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.get(self._url)
                response.raise_for_status()
                keys = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, jwt.PyJWTError, ValueError) as exc:
            log.warning("could not fetch the JWKS: %s", type(exc).__name__)
            return
        self._keys = {k.key_id: k.key for k in keys.keys if k.key_id}


class TokenVerifier:
    """Checks bearer tokens against the settings' key (JWKS or secret), audience and issuer."""

    def __init__(self, settings: Settings) -> None:
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer or None  # empty: any issuer
        self.jwks: JwksKeys | None = None
        self._secret: str | None = None
        if settings.jwt_jwks_url:
            self.jwks = JwksKeys(
                settings.jwt_jwks_url, settings.api_jwks_timeout_s, settings.api_jwks_min_refresh_s
            )
            self._algorithms = ["RS256"]
        else:
            self._secret = settings.jwt_secret.get_secret_value()
            self._algorithms = ["HS256"]

    def verify(self, token: str) -> Principal:
        """The caller the token names; :class:`AuthError` when it is not acceptable.

        Never waits for the key server: a token whose JWKS key is not cached is refused
        here (:meth:`verify_async` fetches it). A token verified once is remembered until
        its expiry (bounded), so repeated calls do not pay for the signature check.
        """
        hit = self._verified.get(token)
        if hit is not None:
            if hit[1] > time.time():
                return hit[0]
            self._verified.pop(token, None)
        principal, expires = self._verify(token, self._key(token))
        if len(self._verified) >= _VERIFIED_MAX:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def cached(self, token: str) -> Principal | None:
        """The caller of a token verified before and not yet expired, else None (no work)."""
        hit = self._verified.get(token)
        return hit[0] if hit is not None and hit[1] > time.time() else None

    async def verify_async(self, token: str) -> Principal:
        """As :meth:`verify`, fetching the JWKS (bounded wait and rate) for an unknown key id."""
        hit = self._verified.get(token)
        if hit is not None and hit[1] > time.time():
            return hit[0]
        if self.jwks is not None and self._key(token) is None:
            await self.jwks.refresh()
        return self.verify(token)

    def _key(self, token: str) -> Any:
        if self.jwks is None:
            return self._secret
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise AuthError("malformed token") from None
        return self.jwks.get(kid) if isinstance(kid, str) else None

    def _verify(self, token: str, key: Any) -> tuple[Principal, float]:
        if key is None:
            raise AuthError("unknown signing key")
        try:
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
