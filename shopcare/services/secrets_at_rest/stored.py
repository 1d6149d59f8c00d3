"""Every secret the store keeps, walked in one place: carrier credentials, the shop
platform's keys, webhook secret and token, the SMS token, the messages' webhook secret,
the mail server's password and the return label account's API key.

Two passes use the walk: at start, values stored in plain text by a version before sealing
are sealed in place (``seal_plain_secrets``, idempotent); ``shopcare rotate-secret`` re-seals
every value under a new secret in one transaction (``reseal_secrets``).

On SQLite both passes run with ``secure_delete`` and end with a truncating checkpoint, so
the plain or old-key bytes they replace do not linger in free space or in the ``-wal`` file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import CarrierAccount, Setting, StoreConnection
from shopcare.services.intake import connection
from shopcare.services.messages import rules as message_rules
from shopcare.services.returns.labels import settings as label_settings
from shopcare.services.secrets_at_rest.box import SecretBox, SecretUnreadable, box_of, is_sealed
from shopcare.services.setup import mail
from shopcare.services.tracking import carrier_accounts

log = logging.getLogger("shopcare")

Change = Callable[[str], str]


@dataclass
class Resealed:
    changed: int = 0
    unreadable: int = 0
    """Values no secret of the box could open: left as they are (to be entered again)."""


def seal_plain_secrets(sessions: SessionFactory) -> int:
    """Seal what is still stored in plain text; how many values were sealed."""
    with sessions() as session:
        box = box_of(session)
    done = _walk(sessions, lambda text: text if is_sealed(text) else box.seal(text))
    if done.changed:
        log.info("sealed %d secrets stored in plain text by an older version", done.changed)
    return done.changed


def reseal_secrets(sessions: SessionFactory, box: SecretBox) -> Resealed:
    """Every value sealed again under ``box``'s first secret; ``box`` also holds the old
    one (``SecretBox(new, old)``). One transaction: all of them or none."""
    return _walk(sessions, box.reseal)


def unreadable_secrets(sessions: SessionFactory) -> int:
    """How many stored secrets this data dir's secret cannot open (nothing is changed)."""
    count = 0

    def one(text: str) -> str:
        nonlocal count
        count += bool(text) and not box.can_open(text)
        return text

    with sessions() as session:
        box = box_of(session)
        _change_all(session, one)
        session.rollback()
    return count


def _walk(sessions: SessionFactory, change: Change) -> Resealed:
    done = Resealed()

    def one(text: str) -> str:
        try:
            new = change(text) if text else text
        except SecretUnreadable:
            done.unreadable += 1
            return text
        done.changed += new != text
        return new

    with sessions() as session:
        wipe = session.get_bind().dialect.name == "sqlite"
        try:
            if wipe:  # zeros over what is replaced; a setting of this pooled connection
                session.connection().exec_driver_sql("PRAGMA secure_delete=ON")
            _change_all(session, one)
            session.commit()
        finally:
            session.rollback()
            if wipe:
                session.connection().exec_driver_sql("PRAGMA secure_delete=OFF")
    if wipe and done.changed:
        with sessions() as session:
            session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return done


def _change_all(session: Session, one: Change) -> None:
    for account in session.exec(select(CarrierAccount)).all():
        keys = carrier_accounts.secret_keys(account.name)
        account.credentials = _in_json(account.credentials, keys, one)
        session.add(account)
    for row in session.exec(select(StoreConnection)).all():
        keys = connection.secret_keys(row.platform)
        row.credentials = _in_json(row.credentials, keys, one)
        row.webhook_secret, row.access_token = one(row.webhook_secret), one(row.access_token)
        session.add(row)
    _in_setting(session, message_rules.SETTING_KEY, message_rules.SEALED, one)
    _in_setting(session, mail.SETTING_KEY, mail.SEALED, one)
    _in_setting(session, label_settings.SETTING_KEY, label_settings.SEALED, one)


def _in_json(text: str, keys: frozenset[str], one: Change) -> str:
    """The JSON object ``text`` with ``keys`` changed; anything else as it was."""
    try:
        data: Any = json.loads(text or "{}")
    except ValueError:
        return text
    if not isinstance(data, dict) or not any(data.get(k) for k in keys):
        return text
    changed = {k: one(str(v)) if k in keys and v else v for k, v in data.items()}
    return json.dumps(changed) if changed != data else text


def _in_setting(session: Session, key: str, keys: frozenset[str], one: Change) -> None:
    row = session.get(Setting, key)
    if row is not None:
        new = _in_json(row.value, keys, one)
        if new != row.value:
            row.value = new
            session.add(row)
