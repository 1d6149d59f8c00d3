"""The address shoppers reach ShopCare at, which every link in an email, a PDF slip and a
carrier's webhook is built on. ``SHOPCARE_PUBLIC_URL`` wins; otherwise the owner enters it
in the admin, and until then the loopback address the server listens on stands in, which no
shopper can open: shopper messages wait (``checklist``) rather than go out with it."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session

from shopcare.carriers.http import refused
from shopcare.db.engine import SessionFactory
from shopcare.services.errors import InputError
from shopcare.services.setup.given import Given
from shopcare.services.shop.settings_rows import load_group, update_group

SETTING_KEY = "public_address"


@dataclass(frozen=True)
class PublicAddress:
    url: str = ""


@dataclass(frozen=True)
class AddressInForce:
    url: str
    set_by: str
    """"environment", "owner" or "" (the stand-in: the address the server listens on)."""

    @property
    def is_set(self) -> bool:
        return bool(self.set_by)


def load_address(session: Session) -> PublicAddress:
    return load_group(session, SETTING_KEY, PublicAddress)


def address_in_force(session: Session, given: Given) -> AddressInForce:
    if given.public_url:
        return AddressInForce(given.public_url, "environment")
    stored = load_address(session).url
    if stored:
        return AddressInForce(stored, "owner")
    return AddressInForce(given.listening_url, "")


def public_url(sessions: SessionFactory, given: Given) -> str:
    with sessions() as session:
        return address_in_force(session, given).url


def save_address(sessions: SessionFactory, url: str) -> PublicAddress:
    return update_group(
        sessions, SETTING_KEY, PublicAddress, {"url": normal_url(url)}, check=lambda _: None
    )


def normal_url(url: str) -> str:
    """``https://track.shop.example`` from what the owner typed, or InputError saying what
    to change; a path is kept (a reverse proxy may serve ShopCare under one)."""
    text = url.strip().rstrip("/")
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError("the public address must look like https://track.yourshop.com")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise InputError("the public address takes no ?query, #fragment or user name")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise InputError("the public address has a port that is not a number") from None
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path}"


def address_warnings(url: str) -> list[str]:
    """What makes an address a poor one for shoppers, though it may be right for a test."""
    parts = urlsplit(url)
    warnings: list[str] = []
    if parts.scheme != "https":
        warnings.append("it is not https: browsers mark the pages as not secure")
    if _is_local(parts.hostname or ""):
        warnings.append("it points at this machine: shoppers and carriers cannot reach it")
    return warnings


def _is_local(host: str) -> bool:
    if host in {"localhost", ""} or host.endswith(".localhost"):
        return True
    try:
        address = ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


async def reach_check(client: httpx.AsyncClient, url: str, *, wait_s: float = 5.0) -> str:
    """ "" when ``/healthz`` answers through the address (DNS, the proxy and TLS all work
    from here); otherwise what went wrong, in words the owner can act on. Only a hint: a
    shop behind a firewall that this machine cannot loop back through may still be fine."""
    try:
        response = await client.get(f"{url}/healthz", timeout=wait_s, follow_redirects=False)
    except httpx.ConnectError as exc:
        return f"could not connect to {url}: {exc or 'refused'}"
    except httpx.TimeoutException as exc:
        if refused(exc):  # aiohttp's transport reports a refused connection so
            return f"could not connect to {url}: refused"
        return f"{url} did not answer within {wait_s:g} s"
    except httpx.HTTPError as exc:
        return f"{url}: {exc}"
    if response.status_code not in {200, 503}:  # 503: ShopCare, reporting a problem
        return f"{url}/healthz answered {response.status_code}, not ShopCare's health page"
    try:
        looks_right = "database" in response.json()
    except ValueError:
        looks_right = False
    return "" if looks_right else f"{url}/healthz answered, but not as ShopCare does"
