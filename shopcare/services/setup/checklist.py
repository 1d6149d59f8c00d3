"""What the shop still lacks before shoppers can hear from it, in one list the setup, the
dashboard and ``shopcare check`` all read.

A shop whose name, support email, return address or public address is still a placeholder
would write to real shoppers as "My Shop <shop@example.com>" with links to 127.0.0.1: until
those four are set, messages to shoppers wait in the outbox (``app.held_channels``: the dev
mailbox, which reaches nobody, still shows them) and the dashboard says how many. Mail,
orders and carriers are advice: the dev mailbox is a fine choice while trying ShopCare out,
and a shop may add orders later.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import CarrierAccount, OutboxMessage, ShopOrder
from shopcare.notify.base import SHOPPER_CHANNELS
from shopcare.services.messages.outbox import QUEUED
from shopcare.services.setup.address import address_in_force
from shopcare.services.setup.given import Given
from shopcare.services.setup.mail import load_mail_server
from shopcare.services.shop.profile import ShopProfile, load_profile
from shopcare.services.shop.settings_rows import load_group, update_group


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    done: bool
    required: bool
    how: str
    """What to do, for the owner (the setup step that does it is named by ``key``)."""


@dataclass(frozen=True)
class Checklist:
    items: tuple[Item, ...]

    @property
    def missing(self) -> list[Item]:
        """What holds shopper messages back."""
        return [i for i in self.items if i.required and not i.done]

    @property
    def advice(self) -> list[Item]:
        return [i for i in self.items if not i.required and not i.done]

    @property
    def holds_messages(self) -> bool:
        return bool(self.missing)


_PLACEHOLDER = ShopProfile()


def checklist(session: Session, given: Given) -> Checklist:
    profile = load_profile(session)
    address = address_in_force(session, given)
    mail_set = bool(given.mail_server or load_mail_server(session).host)
    orders = session.exec(select(func.count()).select_from(ShopOrder)).one()
    carriers = session.exec(select(func.count()).select_from(CarrierAccount)).one()
    return Checklist(
        (
            _profile_item(profile, "name", "Shop name", "Enter the shop's name."),
            _profile_item(
                profile,
                "support_email",
                "Support email",
                "Enter the address shoppers' replies go to.",
            ),
            _profile_item(
                profile,
                "return_address",
                "Return address",
                "Enter the address returned parcels go to.",
            ),
            Item(
                "address",
                "Public address",
                address.is_set,
                True,
                "Enter the https:// address shoppers reach ShopCare at.",
            ),
            Item(
                "email",
                "Mail server",
                mail_set,
                False,
                "Emails land in the dev mailbox until a mail server is set.",
            ),
            Item("orders", "Orders", orders > 0, False, "Connect the store or import orders."),
            Item(
                "carriers",
                "Carriers",
                carriers > 0,
                False,
                "Add a tracking service or a carrier account.",
            ),
        )
    )


def _profile_item(profile: ShopProfile, field: str, title: str, how: str) -> Item:
    value = str(getattr(profile, field)).strip()
    done = bool(value) and value != getattr(_PLACEHOLDER, field)
    return Item("shop", title, done, True, how)


def get_checklist(sessions: SessionFactory, given: Given) -> Checklist:
    with sessions() as session:
        return checklist(session, given)


def held_messages(session: Session) -> int:
    """Shopper messages waiting in the outbox (what waits while the setup is unfinished)."""
    return session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == QUEUED)
        .where(col(OutboxMessage.channel).in_(SHOPPER_CHANNELS))
    ).one()


@dataclass(frozen=True)
class SetupProgress:
    left: bool = False
    """The owner finished or left the guided setup: the admin stops opening it by itself
    (it stays under Settings, and the dashboard keeps saying what is missing)."""


_PROGRESS = "setup_progress"


def setup_left(session: Session) -> bool:
    return load_group(session, _PROGRESS, SetupProgress).left


def leave_setup(sessions: SessionFactory) -> None:
    update_group(sessions, _PROGRESS, SetupProgress, {"left": True}, check=lambda _: None)


def opens_setup(sessions: SessionFactory, given: Given) -> bool:
    """A new shop (no detail of its own entered yet) whose owner has not left the setup."""
    with sessions() as session:
        if setup_left(session):
            return False
        items = checklist(session, given).items
    return not any(i.done for i in items if i.key == "shop")
