"""The owner's message rules: which messages go out, after how long, on which channels,
plus the sending limits (hourly cap, quiet hours) and the SMS and webhook accounts.

The SMS token and the webhook secret are stored sealed (``services.secret_box``): the rules
read anywhere carry them sealed, and only ``channel_rules`` (what builds the senders) opens
them."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.domain.messages import MessageKind, ShippedOn
from shopcare.domain.phones import E164
from shopcare.domain.reminders import REMINDER_KINDS, check_tag_days
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.secrets_at_rest.box import SecretUnreadable, box_of
from shopcare.services.shop.settings_rows import load_group, update_group

log = logging.getLogger("shopcare")
SETTING_KEY = "messages"
_KEY = SETTING_KEY
SEALED = frozenset({"sms_auth_token", "webhook_secret"})
"""The fields kept sealed in the store."""
_OFF_BY_DEFAULT = {
    MessageKind.IN_TRANSIT,
    MessageKind.REVIEW_REMINDER,
    MessageKind.REORDER_REMINDER,
}
_DEFAULT_DELAY_MINUTES = {
    MessageKind.FEEDBACK_REQUEST: 3 * 24 * 60,
    MessageKind.REVIEW_REMINDER: 7 * 24 * 60,
    MessageKind.REORDER_REMINDER: 30 * 24 * 60,
}


@dataclass(frozen=True)
class KindRule:
    enabled: bool
    delay_minutes: int
    channels: tuple[Channel, ...]


def _default_kinds() -> dict[str, dict[str, Any]]:
    return {
        kind.value: {
            "enabled": kind not in _OFF_BY_DEFAULT,
            "delay_minutes": _DEFAULT_DELAY_MINUTES.get(kind, 0),
            "channels": [Channel.EMAIL.value],
        }
        for kind in MessageKind
    }


_DEFAULTS = _default_kinds()


@dataclass(frozen=True)
class MessageRules:
    kinds: dict[str, dict[str, Any]] = field(default_factory=_default_kinds)
    shipped_on: str = ShippedOn.LABEL.value
    hourly_cap: int = 200
    """Emails per hour at most (providers limit it); 0 means no cap."""
    quiet_start: int | None = None
    """Hour (0-23, shop's time zone) from which optional messages wait; None: never."""
    quiet_end: int | None = None
    sms_account_sid: str = ""
    sms_auth_token: str = ""
    sms_from: str = ""
    sms_api_url: str = "https://api.twilio.com"
    webhook_url: str = ""
    webhook_secret: str = ""
    whatsapp_from: str = ""
    """The shop's WhatsApp sender number (E.164); sent through the SMS account (Twilio)."""
    whatsapp_templates: dict[str, str] = field(default_factory=dict)
    """``"shipped:de"`` → the ContentSid (HX…) of the template WhatsApp approved for it."""
    reminder_tags: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per reminder kind, product tag → days after delivery (``domain.reminders``); lines
    without one of these tags wait the kind's own delay."""

    def rule(self, kind: MessageKind) -> KindRule:
        """Called for every message a poll pass queues, so the answers are kept."""
        cache: dict[MessageKind, KindRule] = self.__dict__.setdefault("_rules", {})
        if kind not in cache:
            stored = {**_DEFAULTS[kind.value], **self.kinds.get(kind.value, {})}
            cache[kind] = KindRule(
                enabled=bool(stored["enabled"]),
                delay_minutes=int(stored["delay_minutes"]),
                channels=tuple(Channel(c) for c in stored["channels"]),
            )
        return cache[kind]

    @property
    def shipped_trigger(self) -> ShippedOn:
        return ShippedOn(self.shipped_on)


def load_rules(session: Session) -> MessageRules:
    return load_group(session, _KEY, MessageRules)


def get_rules(sessions: SessionFactory) -> MessageRules:
    with sessions() as session:
        return load_rules(session)


def channel_rules(sessions: SessionFactory) -> MessageRules:
    """The rules with the SMS token and webhook secret opened, to send with. One that
    cannot be opened (sealed under another secret) comes back empty: that channel is off
    until the owner enters it again, and the log says so."""
    with sessions() as session:
        rules = load_rules(session)
        box = box_of(session)
    opened: dict[str, Any] = {}
    for name in SEALED:
        try:
            opened[name] = box.open(getattr(rules, name), what=f"the {name.replace('_', ' ')}")
        except SecretUnreadable as exc:
            log.warning("messages: %s", exc)
            opened[name] = ""
    return replace(rules, **opened)


def update_rules(sessions: SessionFactory, **changes: Any) -> MessageRules:
    """Secrets given in ``changes`` are plain; they are checked, then stored sealed."""
    return update_group(sessions, _KEY, MessageRules, changes, check=_check, sealed=SEALED)


def set_reminder_tags(
    sessions: SessionFactory, kind: MessageKind, table: dict[str, int]
) -> MessageRules:
    """Replace the tag → days table of one reminder kind (an empty table removes it)."""
    if kind not in REMINDER_KINDS:
        raise InputError(f"{kind} has no delays per product tag")
    try:
        clean = check_tag_days(table)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    tags = {**get_rules(sessions).reminder_tags, kind.value: clean}
    return update_rules(sessions, reminder_tags={k: v for k, v in tags.items() if v})


def set_kind_rule(
    sessions: SessionFactory,
    kind: MessageKind,
    *,
    enabled: bool,
    delay_minutes: int,
    channels: list[str],
) -> MessageRules:
    kinds = {**get_rules(sessions).kinds}
    kinds[kind.value] = {"enabled": enabled, "delay_minutes": delay_minutes, "channels": channels}
    return update_rules(sessions, kinds=kinds)


_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")


def _check(rules: MessageRules) -> None:
    for name, stored in rules.kinds.items():
        if name not in MessageKind.__members__.values():
            raise InputError(f"unknown message {name!r}")
        if int(stored.get("delay_minutes", 0)) < 0:
            raise InputError("a delay cannot be negative")
        unknown = set(stored.get("channels", [])) - {c.value for c in Channel}
        if unknown:
            raise InputError(f"unknown channel {sorted(unknown)[0]!r}")
    for name, table in rules.reminder_tags.items():
        if name not in {k.value for k in REMINDER_KINDS}:
            raise InputError(f"{name!r} has no delays per product tag")
        try:
            check_tag_days(table)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    if rules.shipped_on not in {s.value for s in ShippedOn}:
        raise InputError("'shipped' goes out on 'label' or 'first_scan'")
    if rules.hourly_cap < 0:
        raise InputError("the hourly cap cannot be negative")
    hours = (rules.quiet_start, rules.quiet_end)
    if (None in hours) != (hours == (None, None)):
        raise InputError("quiet hours need both a start and an end")
    if any(h is not None and not 0 <= h <= 23 for h in hours):
        raise InputError("quiet hours are whole hours from 0 to 23")
    if rules.sms_from and not E164.fullmatch(rules.sms_from):
        raise InputError("the SMS sender number must look like +4915112345678")
    if rules.whatsapp_from and not E164.fullmatch(rules.whatsapp_from):
        raise InputError("the WhatsApp sender number must look like +4915112345678")
    for key, sid in rules.whatsapp_templates.items():
        kind, _, locale = key.partition(":")
        if kind not in MessageKind.__members__.values() or not locale:
            raise InputError(f"a WhatsApp template for an unknown message {key!r}")
        if sid and not _CONTENT_SID.match(sid):
            raise InputError(
                f"the WhatsApp template id {sid!r} must look like HX and 32 hex digits"
            )
    if rules.webhook_url and not rules.webhook_url.startswith(("https://", "http://")):
        raise InputError("the webhook address must start with https://")
    if rules.webhook_url and len(rules.webhook_secret) < 16:
        raise InputError("the webhook secret needs at least 16 characters")
