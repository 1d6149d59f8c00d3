"""The mail server the owner entered in the admin, kept in the store (the password
sealed). ``SHOPCARE_SMTP_URL`` wins over it (the composition root decides), so a deployment
that configures mail from outside keeps working and the admin shows it read-only."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.notify.base import Outgoing, Sender, SendError
from shopcare.notify.email import new_message_id
from shopcare.services.errors import InputError
from shopcare.services.secrets_at_rest.box import SecretUnreadable, box_of
from shopcare.services.shop.profile import ShopProfile, get_profile
from shopcare.services.shop.settings_rows import load_group, update_group

log = logging.getLogger("shopcare")

SETTING_KEY = "mail_server"
SEALED = frozenset({"password"})
Security = Literal["plain", "starttls", "tls"]
SECURITIES: tuple[Security, ...] = get_args(Security)
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "plain": 25}


@dataclass(frozen=True)
class MailServer:
    host: str = ""
    """Empty: no server entered, messages land in the dev mailbox."""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)


def load_mail_server(session: Session) -> MailServer:
    return load_group(session, SETTING_KEY, MailServer)


def stored_mail_server(sessions: SessionFactory) -> MailServer | None:
    """The server the owner entered, its password opened; None when none is."""
    with sessions() as session:
        stored = load_mail_server(session)
        box = box_of(session)
    if not stored.host:
        return None
    try:
        password = box.open(stored.password, what="the mail server password")
    except SecretUnreadable as exc:
        log.warning("mail: %s", exc)
        password = ""
    return replace(stored, password=password)


def save_mail_server(
    sessions: SessionFactory,
    *,
    host: str,
    port: int | str,
    security: str,
    username: str = "",
    password: str | None = None,
) -> MailServer:
    """``password=None`` keeps the stored one (the form never shows it back); "" clears it.
    An empty host forgets the server: messages go to the dev mailbox again."""
    changes: dict[str, object] = {
        "host": host.strip().lower(),
        "port": _port(port),
        "security": security,
        "username": username.strip(),
    }
    if password is not None:
        changes["password"] = password
    sealed = SEALED if password else frozenset()
    return update_group(sessions, SETTING_KEY, MailServer, changes, check=_check, sealed=sealed)


def _check(server: MailServer) -> None:
    if server.host and not _HOST_CHARS.issuperset(server.host):
        raise InputError(f"the mail server {server.host!r} is not a host name")
    if server.security not in SECURITIES:
        raise InputError(f"security must be one of {', '.join(SECURITIES)}")


_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-:[]")


def _port(value: int | str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise InputError(f"the port must be a number, got {value!r}") from None
    if not 1 <= port <= 65535:
        raise InputError(f"the port must be between 1 and 65535, got {port}")
    return port


async def send_test_email(sessions: SessionFactory, sender: Sender) -> str:
    """A short test email to the shop's support address through ``sender`` (the mail
    server in force); returns the address. Raises InputError (no support address yet) or
    InputError, whose message names the failure: DNS, refused, TLS, login (535), relay
    (550), as the sender reported it."""
    profile = await asyncio.to_thread(get_profile, sessions)
    to = profile.support_email
    if not to or to == ShopProfile().support_email:
        raise InputError("enter the shop's support email first: the test email goes there")
    try:
        await sender.send(_test_message(profile, to))
    except SendError as exc:
        raise InputError(str(exc)) from exc
    return to


def _test_message(profile: ShopProfile, to: str) -> Outgoing:
    return Outgoing(
        kind="test",
        recipient=to,
        subject=f"Test email from ShopCare for {profile.name}",
        text=(
            f"This is a test email from ShopCare for {profile.name}.\n\n"
            "It arrived, so shoppers' emails will too: they are sent the same way, "
            f"from {profile.sender_email}.\n"
        ),
        message_id=new_message_id(profile.sender_email),
        sender_name=profile.name,
        sender_address=profile.sender_email,
        reply_to=to,
        data={"kind": "test", "test": True},
    )


SIGNING_KEY = "mail_signing"


@dataclass(frozen=True)
class MailSigning:
    """ShopCare signs mail from ``domain`` with DKIM (the key is in the data dir; see
    ``services.messages.dkim``); "" signs nothing. ``SHOPCARE_DKIM_DOMAIN`` wins."""

    domain: str = ""
    selector: str = "shopcare"


def load_signing(sessions: SessionFactory) -> MailSigning:
    with sessions() as session:
        return load_group(session, SIGNING_KEY, MailSigning)


def save_signing(sessions: SessionFactory, *, domain: str, selector: str = "shopcare") -> None:
    update_group(
        sessions,
        SIGNING_KEY,
        MailSigning,
        {"domain": domain.strip().lower(), "selector": selector},
        check=lambda _: None,
    )
