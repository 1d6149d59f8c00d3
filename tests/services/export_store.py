"""A store with rows in every table and every kind of secret, for the export's tests: each
secret saved the way the admin saves it, the rest of the rows written as the services would.

``SECRETS`` are the plain values; ``stored_secrets`` adds what the store keeps of them (hashes,
sealed text), which must not leave it either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import (
    AdminUser,
    ApiIdempotency,
    ErasedLink,
    Feedback,
    InboundPush,
    MessageTemplate,
    OrderNote,
    PageView,
    ProblemReport,
    ProcessLease,
    ProviderState,
    RateLimit,
    ReturnEvent,
    ReturnLabel,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    ShipmentLine,
    ShipmentWatch,
    ShopperErasure,
    StoreConnection,
    StoreCredit,
    StoreCreditRedemption,
    TrackingEvent,
    WebhookDelivery,
)
from shopcare.domain.roles import Role
from shopcare.services.accounts.admin_sessions import start_session, token_hash
from shopcare.services.accounts.api_keys import create_key
from shopcare.services.accounts.users import add_user
from shopcare.services.demo.shop import seed_demo
from shopcare.services.intake.connection import save_connection
from shopcare.services.messages.admin import save_sms
from shopcare.services.messages.dkim import ensure_key
from shopcare.services.messages.rules import update_rules
from shopcare.services.runtime.long_work import start_work
from shopcare.services.secrets_at_rest.box import box_of
from shopcare.services.setup.mail import save_mail_server
from shopcare.services.tracking.carrier_accounts import save_account

PASSWORD = "staff-pass-Vb7Kq2Xm9Lw4"
DHL_KEY = "dhl-key-Qx7Rk2Lm9Vb4Nw8"
AFTERSHIP_KEY = "asat-key-Hy3Tp6Zs1Dc5"
AFTERSHIP_HOOK = "as-hook-Wm2Jq8Fv4Kt7Xb"
WOO_KEY, WOO_SECRET = "ck_export_Pq4Zt8Rw2Yn6", "cs_export_Jd3Hx7Cv5Bm1"
WOO_HOOK = "woo-hook-Ek7Ua3Ri9Oy5"
ACCESS_TOKEN = "shop-token-Nf6Gs2Lp8Qa4"
SMS_TOKEN = "twilio-token-Gr5Nc9Yh3Pe6"
OWN_HOOK = "own-hook-Lz4Sd8Qw2Mv6Bn1Tx"
MAIL_PASSWORD = "mail-pass-Tc8Wk3Ze5Xr7"
SECRETS = (
    PASSWORD, DHL_KEY, AFTERSHIP_KEY, AFTERSHIP_HOOK, WOO_KEY, WOO_SECRET, WOO_HOOK,
    ACCESS_TOKEN, SMS_TOKEN, OWN_HOOK, MAIL_PASSWORD,
)  # fmt: skip
MOMENT = datetime(2026, 10, 1, 10, 30, 15, 250000, tzinfo=ZoneInfo("Europe/Berlin"))
MOMENT_EXPORTED = "2026-10-01T08:30:15.250000+00:00"
"""A time written to a known row (in Berlin's summer time) and how the export writes it."""


@dataclass
class Filled:
    secrets: list[str] = field(default_factory=lambda: list(SECRETS))
    """The plain secrets and what the store keeps of them (hashes, sealed values)."""
    order_id: int = 0


def fill_every_table(app: ShopCare) -> Filled:
    now, sessions = app.clock(), app.sessions
    seed_demo(sessions, now=now, carriers=["simulated"], history=False)
    filled = Filled()
    add_user(sessions, username="bo", password=PASSWORD, role=Role.STAFF, now=now)
    with sessions() as session:
        user = session.exec(sa.select(AdminUser).where(AdminUser.username == "bo")).scalar_one()
    cookie = start_session(sessions, user_id=user.id or 0, address="::1", user_agent="t", now=now)
    key = create_key(sessions, "script", now=now).key
    filled.secrets += [user.password_hash, cookie, token_hash(cookie), key]
    save_account(sessions, "dhl", enabled=True, values={"api_key": DHL_KEY}, now=now)
    save_account(
        sessions, "aftership", enabled=True, now=now,
        values={"api_key": AFTERSHIP_KEY, "webhook_secret": AFTERSHIP_HOOK},
    )  # fmt: skip
    save_connection(
        sessions, "woocommerce", shop_url="https://woo.example", now=now,
        values={"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET}, webhook_secret=WOO_HOOK,
    )  # fmt: skip
    save_sms(
        sessions, account_sid="AC0123", auth_token=SMS_TOKEN, from_number="+4915112345678",
        api_url="",
    )  # fmt: skip
    update_rules(sessions, webhook_url="https://example.com/hook", webhook_secret=OWN_HOOK)
    save_mail_server(
        sessions, host="smtp.example.com", port=587, security="starttls", username="shop",
        password=MAIL_PASSWORD,
    )  # fmt: skip
    pem = ensure_key(app.settings.data_dir, domain="shop.test", selector="s1").private_pem
    filled.secrets += [line for line in pem.decode().splitlines()[1:-1] if len(line) > 40][:3]
    filled.secrets.append(app.settings.secret)
    with transaction(sessions) as session:
        connection = session.get(StoreConnection, "woocommerce")
        assert connection is not None
        connection.access_token = box_of(session).seal(ACCESS_TOKEN)
        session.add(connection)
        filled.order_id = _more_rows(session, now)
    start_work(sessions, kind="refresh", title="Refreshing 1 parcel", total=1, now=now)
    filled.secrets += _sealed_values(app)
    return filled


def _more_rows(session: Session, now: datetime) -> int:
    """One row in each table the demo and the saved settings leave empty."""
    order_id, shipment_id, line_id = (
        session.execute(sa.text(f"SELECT min(id) FROM {t}")).scalar_one()
        for t in ("shop_order", "shipment", "order_line")
    )
    key_id = session.execute(sa.text("SELECT min(id) FROM api_key")).scalar_one()
    later = now + timedelta(hours=1)
    rows: list[SQLModel] = [
        TrackingEvent(shipment_id=shipment_id, event_key="e1", occurred_at=MOMENT,
                      status="in_transit", description="Left the hub, \"Berlin\", 2nd, day",
                      recorded_at=now),
        ShipmentLine(shipment_id=shipment_id, order_line_id=line_id, quantity=1),
        ShipmentWatch(shipment_id=shipment_id, email="w@example.com", token="watch-1",
                      created_at=now),
        ProblemReport(order_id=order_id, kind="damaged", message="=1+1", created_at=now),
        PageView(at=now, kind="tracking", order_id=order_id),
        Feedback(order_id=order_id, public_token="fb-1", score=9, created_at=now,
                 answered_at=later),
        OrderNote(order_id=order_id, created_at=now, author="owner", text="Called"),
        MessageTemplate(kind="shipped", locale="de", subject="S", html="<p>H</p>", text="T",
                        updated_at=now),
        ProcessLease(id="host:1", host="host", pid=1, started_at=now, heartbeat_at=now),
        RateLimit(name="lookup_client", key_hash="0" * 64, hits=1, ends_at=later),
        ProviderState(name="dhl", calls_today=3),
        InboundPush(provider="aftership", push_key="p1", received_at=now),
        WebhookDelivery(platform="woocommerce", delivery_key="d1", received_at=now,
                        body=json.dumps({"id": 1})),
        ApiIdempotency(api_key_id=key_id, key="idem-1", request_hash="0" * 64,
                       status_code=201, response="{}", created_at=now),
        ShopperErasure(email_hash="e" * 64, erased_at=now, actor="owner",
                       summary='{"shop_order": 1}'),
        ErasedLink(token_hash="f" * 64, erased_at=now),
    ]  # fmt: skip
    for row in rows:  # in this order: the tables have no relationships to sort them by
        session.add(row)
        session.flush()
    request = ReturnRequest(
        order_id=order_id,
        rma="R-FILL-1",
        public_token="ret-fill-1",
        created_at=now,
        comment="Zu groß; ça ne va pas\nsecond line",
    )
    session.add(request)
    session.flush()
    line = ReturnLine(return_id=request.id, order_line_id=line_id, quantity=1, reason="too_big")
    session.add(line)
    session.flush()
    session.add_all(
        [
            ReturnEvent(return_id=request.id, at=now, actor="shopper", action="requested"),
            ReturnPhoto(
                return_id=request.id,
                return_line_id=line.id,
                stored_name="p1.jpg",
                content_type="image/jpeg",
                size=10,
                created_at=now,
            ),
            StoreCredit(
                code="CREDIT-FILL-1", return_id=request.id, amount_minor=500, created_at=now
            ),
            ReturnLabel(
                return_id=request.id,
                provider="easypost",
                state="bought",
                idempotency_key="shopcare-return-fill",
                tracking_number="9400111206206406260787",
                label_type="application/pdf",
                label_file="JVBERi0xLjQgZmlsbA==",
                cost_minor=758,
                currency="USD",
                created_at=now,
                updated_at=now,
                bought_at=now,
            ),
        ]
    )
    session.flush()
    credit = session.exec(select(StoreCredit)).first()
    assert credit is not None and credit.id is not None
    session.add(
        StoreCreditRedemption(credit_id=credit.id, amount_minor=100, source="owner", at=now)
    )
    session.flush()
    return int(order_id)


def _sealed_values(app: ShopCare) -> list[str]:
    """Every sealed value the store holds (``enc:v1:…``), as stored."""
    with app.sessions() as session:
        texts = session.execute(
            sa.text(
                "SELECT credentials || ' ' || webhook_secret || ' ' || access_token "
                "FROM store_connection UNION ALL SELECT credentials FROM carrier_account "
                "UNION ALL SELECT value FROM setting"
            )
        ).scalars()
        words = " ".join(texts).replace('"', " ").replace(",", " ").replace("}", " ").split()
    return [word for word in words if word.startswith("enc:v1:")]


def table_counts(app: ShopCare) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {
            t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }
