"""The demo promises a late parcel: its simulated carrier runs a day a minute, and the stall
rules must see it late in that time, tell its shopper once, and show it on the dashboard."""

from collections import Counter
from dataclasses import replace

from sqlmodel import select

from shopcare.app import build
from shopcare.config import Settings, SmtpConfig
from shopcare.db.models import Customer, OutboxMessage, Shipment, ShopOrder
from shopcare.domain.status import ShipmentStatus
from shopcare.services.tracking.provider_views import count_delayed
from tests.conftest import FakeClock, SmtpInbox

LATE_SHOPPER = "sofia@example.com"
"""The demo's SIMLATE parcel: 100 simulated hours without a scan, delivered at 136 h of 48."""


async def test_the_demo_late_parcel_raises_one_delay_email_and_the_tile(
    settings: Settings, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    app = build(replace(settings, smtp=smtp), demo=True, clock=clock)
    delayed_seen = []
    for _ in range(40):  # 10 real minutes: ten simulated days, past every demo delivery
        await app.poll_once()
        await app.dispatch_once()
        delayed_seen.append(count_delayed(app.sessions))
        clock.advance(seconds=15)
    await app.http.aclose()

    with app.sessions() as session:
        delay_ids = {
            m.message_id
            for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "delayed"))
        }
    delays = Counter(str(m["To"]) for m in smtp_inbox.messages if m["Message-ID"] in delay_ids)
    assert delays[LATE_SHOPPER] == 1, smtp_inbox.subjects()
    assert max(delays.values()) == 1  # parcels late against their promise: told once each
    assert max(delayed_seen) >= 1  # the Delayed tile showed it while it was late
    with app.sessions() as session:
        late = session.exec(
            select(Shipment).join(ShopOrder).join(Customer).where(Customer.email == LATE_SHOPPER)
        ).one()
    assert late.status == ShipmentStatus.DELIVERED
    assert not late.delayed  # the flag cleared itself on delivery
