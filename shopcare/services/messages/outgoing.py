"""Turning an outbox row into the message its channel sends: rendered in the shopper's
language from the owner's template (or the default), with the headers mail needs."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session, select

from shopcare.db.models import Customer, MessageTemplate, OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind, required_links
from shopcare.domain.returns import Resolution
from shopcare.notify.base import Attachment, Channel, Outgoing
from shopcare.notify.email import new_message_id
from shopcare.notify.render import MessageContext, TemplateSet, render_message
from shopcare.services.messages.context import message_context
from shopcare.services.messages.outbox import message_language
from shopcare.services.returns.slips import return_slips_in
from shopcare.services.shop.profile import ShopProfile, load_profile

log = logging.getLogger(__name__)

SMS_LIMIT = 320
"""Two SMS segments at most: a subject and a link."""


def compose(
    session: Session,
    row: OutboxMessage,
    *,
    public_url: str,
    profile: ShopProfile | None = None,
    templates: dict[tuple[str, str], TemplateSet] | None = None,
    data_dir: Path | None = None,
) -> Outgoing:
    """``profile`` and ``templates`` (from ``owner_templates``) may be loaded once for many
    messages; otherwise they are read here. ``data_dir`` holds the logo of an attached slip."""
    profile = profile or load_profile(session)
    order = session.get(ShopOrder, row.order_id)
    assert order is not None
    customer = session.get(Customer, order.customer_id)
    locale = message_language(customer.locale if customer else "", profile)
    context = message_context(session, row, profile=profile, public_url=public_url)
    kind = MessageKind(row.kind)
    attachments = _return_slip(session, row, context, public_url=public_url, data_dir=data_dir)
    if attachments:
        context = replace(context, slip_attached=True)
    override = (
        templates.get((kind, locale))
        if templates is not None
        else owner_template(session, kind, locale)
    )
    rendered = render_message(kind, context, locale=locale, override=override)
    link = context.return_url or context.feedback_url or context.tracking_url
    # RFC 3834: out-of-office and other automatic replies are not sent back to us.
    headers = {"Auto-Submitted": "auto-generated"}
    unsubscribe = context.unsubscribe_url
    if row.channel == Channel.EMAIL and kind is not MessageKind.ORDER_CONFIRMED and unsubscribe:
        # RFC 8058 one-click unsubscribe; GET on the link only shows a page. Without a link,
        # no header: an empty "<>" is a malformed one that filters hold against us.
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = rendered.text
    if row.channel == Channel.SMS:
        text = f"{profile.name}: {rendered.subject} {link}"[:SMS_LIMIT]
    return Outgoing(
        kind=kind,
        recipient=row.recipient,
        subject=rendered.subject,
        text=text,
        html=rendered.html if row.channel == Channel.EMAIL else "",
        message_id=row.message_id or new_message_id(profile.sender_email),
        sender_name=profile.name,
        sender_address=profile.sender_email,
        reply_to=profile.support_email,
        headers=headers,
        data={
            "kind": kind.value,
            "order_number": context.order_number,
            "email": order.email,
            "locale": locale,
            "link": link,
            "carrier": context.carrier,
            "tracking_number": context.tracking_number,
            "rma": context.rma,
        },
        attachments=attachments,
        refusal=_missing_links(kind, context),
    )


def _return_slip(
    session: Session,
    row: OutboxMessage,
    context: MessageContext,
    *,
    public_url: str,
    data_dir: Path | None,
) -> tuple[Attachment, ...]:
    """The approval tells the shopper to send the items back with the slip, so the email
    carries it: made now (the owner's current page size and logo), in the shopper's
    language. A slip that cannot be made must not hold the message back: it goes with the
    link to the return page alone, and the log says why."""
    if (
        row.channel != Channel.EMAIL
        or row.kind != MessageKind.RETURN_APPROVED
        or row.return_id is None
        or context.resolution == Resolution.KEEP  # nothing comes back, so no slip
    ):
        return ()
    try:
        pdf = return_slips_in(session, [row.return_id], public_url=public_url, data_dir=data_dir)
    except Exception:  # any failure of the PDF layer; the email still goes
        log.exception("return slip %s not attached: it could not be made", context.rma)
        return ()
    if pdf is None:
        return ()
    return (Attachment(f"return-{context.rma}.pdf", "application/pdf", pdf),)


def _missing_links(kind: MessageKind, context: MessageContext) -> str:
    missing = [name for name in required_links(kind) if not getattr(context, name)]
    if not missing:
        return ""
    words = " and ".join(name.removesuffix("_url").replace("_", " ") for name in missing)
    return f"not sent: the {words} link it needs is missing"


def owner_template(session: Session, kind: MessageKind, locale: str) -> TemplateSet | None:
    row = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.kind == kind, MessageTemplate.locale == locale
        )
    ).first()
    return TemplateSet(subject=row.subject, html=row.html, text=row.text) if row else None


def owner_templates(session: Session) -> dict[tuple[str, str], TemplateSet]:
    return {
        (row.kind, row.locale): TemplateSet(subject=row.subject, html=row.html, text=row.text)
        for row in session.exec(select(MessageTemplate))
    }
