"""What never leaves the store in an export: a copy of the ZIP on a laptop, in a mailbox or
in a cloud folder must not sign anyone in, call a carrier or the shop platform, or send mail
as the shop.

- Whole columns left out (``LEFT_OUT``): password hashes, the hashes of session tokens and
  API keys (a hash is what a stolen copy would be attacked with), and the shop platform's
  webhook secret and access token.
- Inside JSON text (carrier and platform credentials, the message and mail server settings):
  each secret field is blanked and the rest kept, so the export still says which carrier
  account and which mail server were set up. A field is secret when its adapter or setting
  says so, when its value is sealed (``enc:v1:``), or when its name says it is (``key``,
  ``secret``, ``token``, ``password``): an adapter the code no longer knows keeps nothing.
- The DKIM private key and ``secret.key`` are files in the data dir, not in the store: an
  export never reads them.

``KEPT`` names the columns whose names look secret but are not, each with the reason; a test
checks that every such column of the models is in one list or the other, so a new one must
be decided on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from shopcare.services.intake import connection
from shopcare.services.messages import rules as message_rules
from shopcare.services.secrets_at_rest.box import is_sealed
from shopcare.services.setup import mail
from shopcare.services.tracking import carrier_accounts

LEFT_OUT: dict[str, frozenset[str]] = {
    "admin_user": frozenset({"password_hash"}),
    "admin_session": frozenset({"token_hash"}),
    "api_key": frozenset({"key_hash"}),
    "store_connection": frozenset({"webhook_secret", "access_token"}),
}
BLANKED: dict[str, str] = {
    "carrier_account": "credentials",
    "store_connection": "credentials",
    "setting": "value",
}
"""The JSON columns whose secret fields are blanked (see ``blank_secrets``)."""
KEPT: dict[tuple[str, str], str] = {
    ("customer", "unsubscribe_token"): "a shopper's link, sent to the shopper",
    ("shop_order", "public_token"): "the tracking page's link, sent to the shopper",
    ("return_request", "public_token"): "the return's link, sent to the shopper",
    ("feedback", "public_token"): "the feedback link, sent to the shopper",
    ("shipment_watch", "token"): "the watcher's unsubscribe link, sent to them",
    ("order_line", "product_key"): "the platform's product id",
    ("product_variant", "product_key"): "the platform's product id",
    ("shipment", "stall_key"): "which stall was reported, not a secret",
    ("tracking_event", "event_key"): "the carrier event's identity",
    ("inbound_push", "push_key"): "the carrier push's identity",
    ("webhook_delivery", "delivery_key"): "the platform's delivery id",
    ("outbox_message", "idempotency_key"): "which message this is, made from ids",
    ("return_label", "idempotency_key"): "which return's label this is, made from ids",
    ("api_idempotency", "key"): "the client's Idempotency-Key, not a credential",
    ("api_idempotency", "request_hash"): "a hash of a request body, to tell repeats apart",
    ("api_idempotency", "api_key_id"): "an id",
    ("rate_limit", "key_hash"): "who tried, as an HMAC under secret.key, which is not in it",
    ("setting", "key"): "the settings group's name",
    ("store_connection", "token_expires_at"): "when the token expires, not the token",
    ("shopper_erasure", "email_hash"): "a keyed hash of an erased address: opens nothing",
    ("erased_link", "token_hash"): "hashes of links that no longer open anything",
}
"""The shopper links are kept: they are the shop's own records of links already in its
shoppers' mailboxes, and open nothing the export does not already hold (the order number
with the shopper's email opens the same pages)."""
SECRET_NAME = re.compile(r"hash|secret|token|password|passwd|credential|key", re.IGNORECASE)
_SETTING_SECRETS = {
    message_rules.SETTING_KEY: message_rules.SEALED,
    mail.SETTING_KEY: mail.SEALED,
}

RowScrub = Callable[[dict[str, Any]], None]


def left_out(table: str) -> frozenset[str]:
    return LEFT_OUT.get(table, frozenset())


def row_scrub(table: str) -> RowScrub | None:
    """What blanks the secrets of one row (a dict of column to value) of ``table``, in place;
    None for the tables that hold none."""
    column = BLANKED.get(table)
    if column is None:
        return None
    secret_fields = _SECRET_FIELDS[table]

    def scrub(row: dict[str, Any]) -> None:
        row[column] = blank_secrets(row.get(column), secret_fields(row))

    return scrub


def blank_secrets(text: object, secret_fields: frozenset[str]) -> object:
    """The JSON object ``text`` with every secret field set to ""; text that is not a JSON
    object is blanked whole when it could hold one (sealed, or unreadable as JSON)."""
    if not isinstance(text, str) or not text:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return "" if is_sealed(text) or SECRET_NAME.search(text) else text
    if not isinstance(data, dict):
        return text
    blanked = {k: "" if v and _is_secret(k, v, secret_fields) else v for k, v in data.items()}
    return json.dumps(blanked) if blanked != data else text


def _is_secret(name: str, value: object, secret_fields: frozenset[str]) -> bool:
    return (
        name in secret_fields
        or (isinstance(value, str) and is_sealed(value))
        or bool(SECRET_NAME.search(name))
    )


_SECRET_FIELDS: dict[str, Callable[[dict[str, Any]], frozenset[str]]] = {
    "carrier_account": lambda row: carrier_accounts.secret_keys(str(row.get("name", ""))),
    "store_connection": lambda row: connection.secret_keys(str(row.get("platform", ""))),
    "setting": lambda row: _SETTING_SECRETS.get(str(row.get("key", "")), frozenset()),
}
