"""What the owner's message pages need beyond the rules: their own templates (read, check,
save, reset), a preview against a real order, a test email to themselves, the SMS account
with its token masked, and the shop details every email shows.

The admin pages reach rendering and the senders only through here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import MessageTemplate, OutboxMessage, ReturnRequest, Shipment, ShopOrder
from shopcare.domain.messages import RETURN_KINDS, MessageKind
from shopcare.domain.utc import as_utc
from shopcare.notify.base import Channel, Outgoing, Sender, SendError
from shopcare.notify.email import new_message_id
from shopcare.notify.render import (
    SUPPORTED_LOCALES,
    VARIABLES,
    MessageContext,
    RenderedMessage,
    TemplateSet,
    default_templates,
    render_message,
    safe_color,
    sample_context,
    template_errors,
)
from shopcare.notify.whatsapp import VARIABLES as WHATSAPP_VARIABLES
from shopcare.notify.whatsapp import template_key
from shopcare.services.errors import InputError
from shopcare.services.messages.context import message_context
from shopcare.services.messages.rules import (
    MessageRules,
    channel_rules,
    get_rules,
    update_rules,
)
from shopcare.services.shop.profile import ShopProfile, get_profile, load_profile, update_profile
from shopcare.services.tracking.carrier_accounts import MASK

__all__ = [
    "CHANNELS",
    "LOCALES",
    "MASK",
    "VARIABLES",
    "WHATSAPP_VARIABLES",
    "EditedTemplate",
    "Preview",
    "SendError",
    "TemplateSet",
    "load_template",
    "made_up",
    "missing_channels",
    "preview",
    "preview_context",
    "reset_template",
    "save_profile",
    "save_sms",
    "save_template",
    "save_whatsapp",
    "send_test",
    "set_whatsapp_template",
    "sms_view",
]

LOCALES = SUPPORTED_LOCALES
CHANNELS: tuple[str, ...] = tuple(channel.value for channel in Channel)
TEST_PREFIX = "[Test] "


@dataclass(frozen=True)
class EditedTemplate:
    """What the editor starts from: the owner's saved version, else the default."""

    template: TemplateSet
    custom: bool
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Preview:
    """The message as the shopper would get it, or what stops the template from rendering."""

    errors: list[str]
    message: RenderedMessage | None


def load_template(sessions: SessionFactory, kind: MessageKind, locale: str) -> EditedTemplate:
    """``updated_at`` in the shop's time zone."""
    with sessions() as session:
        row = _template_row(session, kind, locale)
        zone = load_profile(session).zone
    if row is None:
        return EditedTemplate(default_templates(kind), custom=False)
    saved = as_utc(row.updated_at)
    return EditedTemplate(
        TemplateSet(subject=row.subject, html=row.html, text=row.text),
        custom=True,
        updated_at=saved.astimezone(zone),  # SQLite hands it back without its zone: UTC
    )


def save_template(
    sessions: SessionFactory,
    kind: MessageKind,
    locale: str,
    template: TemplateSet,
    *,
    now: datetime,
) -> None:
    """Store the owner's version for ``kind`` in ``locale``; refused while it has errors."""
    if locale not in LOCALES:
        raise InputError(f"unknown language {locale!r}")
    if errors := template_errors(template, sample=sample_context()):
        raise InputError(f"The template is not saved: {errors[0]}")
    with transaction(sessions) as session:
        row = _template_row(session, kind, locale) or MessageTemplate(
            kind=kind, locale=locale, subject="", html="", text="", updated_at=now
        )
        row.subject, row.html, row.text = template.subject, template.html, template.text
        row.updated_at = now
        session.add(row)


def reset_template(sessions: SessionFactory, kind: MessageKind, locale: str) -> bool:
    """Back to the default; returns whether there was an own version."""
    with transaction(sessions) as session:
        result = session.execute(
            delete(MessageTemplate).where(
                col(MessageTemplate.kind) == kind, col(MessageTemplate.locale) == locale
            )
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def preview_context(sessions: SessionFactory, public_url: str, kind: MessageKind) -> MessageContext:
    """The values of the newest order (its first parcel, its newest return for return
    messages), as a message about it would show them; made-up values when there is no order.

    The context is read from a message that is never stored: anything reading it creates on
    the way (an unsubscribe token, a feedback form) is dropped with the session."""
    with sessions() as session, session.no_autoflush:
        order, returned = _preview_order(session, kind)
        if order is None or order.id is None:
            return sample_context()
        shipment_id = session.exec(
            select(Shipment.id).where(Shipment.order_id == order.id).order_by(col(Shipment.id))
        ).first()
        row = OutboxMessage(
            idempotency_key="preview",
            kind=kind,
            order_id=order.id,
            shipment_id=shipment_id,
            return_id=returned.id if returned else None,
            recipient=order.email,
            next_attempt_at=order.created_at,
            created_at=order.created_at,
        )
        context = message_context(
            session, row, profile=load_profile(session), public_url=public_url
        )
        session.rollback()
    return context


def made_up(context: MessageContext) -> bool:
    """Whether ``context`` holds the made-up values (the store has no order yet)."""
    return context == sample_context()


def preview(
    kind: MessageKind, template: TemplateSet, context: MessageContext, *, locale: str
) -> Preview:
    """Checked against the made-up values and against ``context``, so an empty field of a
    real order (no parcel yet) shows up here rather than as the default sent instead."""
    errors = template_errors(template, sample=sample_context())
    errors += [e for e in template_errors(template, sample=context) if e not in errors]
    if errors:
        return Preview(errors, None)
    return Preview([], render_message(kind, context, locale=locale, override=template))


async def send_test(
    sessions: SessionFactory,
    senders: Mapping[Channel, Sender],
    *,
    kind: MessageKind,
    locale: str,
    template: TemplateSet,
    public_url: str,
) -> str:
    """Send the message as edited to the shop's support address, through the email sender
    that shoppers' mail goes through; returns the address. Raises InputError (the template
    or the profile) or SendError (the sender)."""
    profile = await asyncio.to_thread(get_profile, sessions)
    if not profile.support_email:
        raise InputError("add a support email under Shop first: the test goes there")
    context = await asyncio.to_thread(preview_context, sessions, public_url, kind)
    shown = preview(kind, template, context, locale=locale)
    if shown.message is None:
        raise InputError(f"The test is not sent: {shown.errors[0]}")
    await senders[Channel.EMAIL].send(
        Outgoing(
            kind=kind.value,
            recipient=profile.support_email,
            subject=TEST_PREFIX + shown.message.subject,
            text=shown.message.text,
            html=shown.message.html,
            message_id=new_message_id(profile.sender_email),
            sender_name=profile.name,
            sender_address=profile.sender_email,
            reply_to=profile.support_email,
            data={"kind": kind.value, "locale": locale, "test": True},
        )
    )
    return profile.support_email


def missing_channels(rules: MessageRules, channels: Iterable[str]) -> list[str]:
    """Those of ``channels`` whose account is incomplete, so their messages would fail."""
    ready = {Channel.EMAIL.value}
    if rules.sms_account_sid and rules.sms_auth_token and rules.sms_from:
        ready.add(Channel.SMS.value)
    if rules.webhook_url and rules.webhook_secret:
        ready.add(Channel.WEBHOOK.value)
    if rules.sms_account_sid and rules.sms_auth_token and rules.whatsapp_from:
        ready.add(Channel.WHATSAPP.value)
    return [channel for channel in channels if channel not in ready]


def sms_view(sessions: SessionFactory) -> dict[str, str]:
    """The SMS account as the form shows it: the auth token masked when one is stored (and
    readable: one sealed under another secret shows as not set, to be entered again)."""
    rules = channel_rules(sessions)
    return {
        "account_sid": rules.sms_account_sid,
        "auth_token": MASK if rules.sms_auth_token else "",
        "from_number": rules.sms_from,
        "api_url": rules.sms_api_url,
    }


def save_sms(
    sessions: SessionFactory,
    *,
    account_sid: str,
    auth_token: str,
    from_number: str,
    api_url: str,
) -> MessageRules:
    """A token left masked keeps the stored one; an emptied one removes it."""
    changes: dict[str, Any] = {
        "sms_account_sid": account_sid.strip(),
        "sms_from": from_number.strip(),
        "sms_api_url": api_url.strip().rstrip("/") or MessageRules.sms_api_url,
    }
    if auth_token != MASK:
        changes["sms_auth_token"] = auth_token.strip()
    if changes["sms_api_url"] and not changes["sms_api_url"].startswith(("https://", "http://")):
        raise InputError("the SMS API address must start with https://")
    return update_rules(sessions, **changes)


def save_whatsapp(sessions: SessionFactory, *, from_number: str) -> MessageRules:
    """The shop's WhatsApp number; messages go through the SMS account's SID and token."""
    return update_rules(sessions, whatsapp_from=from_number.strip())


def set_whatsapp_template(
    sessions: SessionFactory, kind: MessageKind, locale: str, content_sid: str
) -> MessageRules:
    """The approved template (ContentSid) for ``kind`` in ``locale``; empty removes it, so
    that message no longer goes out on WhatsApp in that language."""
    if locale not in LOCALES:
        raise InputError(f"unknown language {locale!r}")
    templates = {**get_rules(sessions).whatsapp_templates}
    key = template_key(kind, locale)
    if content_sid.strip():
        templates[key] = content_sid.strip()
    else:
        templates.pop(key, None)
    return update_rules(sessions, whatsapp_templates=templates)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PROFILE_EMAILS = {"sender_email": "sender", "support_email": "support"}
_PROFILE_URLS = {"logo_url": "logo", "shop_url": "shop", "review_url": "review"}


def save_profile(
    sessions: SessionFactory, *, languages: Sequence[str] | None = None, **changes: str
) -> ShopProfile:
    """The shop details emails show, checked as a mail client will read them; ``languages``
    (None: unchanged) are the ones the shop offers shoppers."""
    changes = {name: value.strip() for name, value in changes.items()}
    for name, what in _PROFILE_EMAILS.items():
        if name in changes and not _EMAIL.match(changes[name]):
            raise InputError(f"the {what} email {changes[name]!r} is not an email address")
    for name, what in _PROFILE_URLS.items():
        if changes.get(name) and not changes[name].startswith(("https://", "http://")):
            raise InputError(f"the {what} address must start with https://")
    color = changes.get("brand_color")
    if color is not None and safe_color(color) != color:
        raise InputError("the brand colour must look like #2563eb")
    if languages is None:
        return update_profile(sessions, **changes)
    return update_profile(sessions, **changes, languages=tuple(languages))


def _template_row(session: Session, kind: MessageKind, locale: str) -> MessageTemplate | None:
    return session.exec(
        select(MessageTemplate).where(
            MessageTemplate.kind == kind, MessageTemplate.locale == locale
        )
    ).first()


def _preview_order(
    session: Session, kind: MessageKind
) -> tuple[ShopOrder | None, ReturnRequest | None]:
    if kind in RETURN_KINDS or kind is MessageKind.CREDIT_EXPIRY_REMINDER:
        returned = session.exec(
            select(ReturnRequest).order_by(
                col(ReturnRequest.created_at).desc(), col(ReturnRequest.id).desc()
            )
        ).first()
        if returned is not None:
            return session.get(ShopOrder, returned.order_id), returned
    order = session.exec(
        select(ShopOrder).order_by(col(ShopOrder.created_at).desc(), col(ShopOrder.id).desc())
    ).first()
    return order, None
