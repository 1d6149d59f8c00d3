"""``Authorization: Bearer <key>`` on every API route; anything else is 401 with a
``WWW-Authenticate`` that says why (RFC 6750)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shopcare.services.accounts.api_keys import verify_key

if TYPE_CHECKING:
    from shopcare.app import ShopCare

REALM = 'Bearer realm="shopcare"'
bearer = HTTPBearer(auto_error=False, description="An API key made in the admin (API keys).")


KeyCheck = Callable[..., int]


def key_checker(shopcare: ShopCare) -> KeyCheck:
    """A dependency that gives the calling key's id; make it once per app, so FastAPI's
    per-request cache checks the key once however many routes and routers ask for it."""

    def api_key_id(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> int:
        if credentials is None:
            raise HTTPException(
                401, "send an API key: Authorization: Bearer <key>", {"WWW-Authenticate": REALM}
            )
        key_id = verify_key(shopcare.sessions, credentials.credentials, now=shopcare.clock())
        if key_id is None:
            raise HTTPException(
                401,
                "this API key is not valid (wrong, or revoked)",
                {"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
            )
        return key_id

    return api_key_id
