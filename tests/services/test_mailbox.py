from shopcare.app import ShopCare
from shopcare.services.messages.mailbox import dev_mailbox
from shopcare.services.shop.profile import update_profile
from tests.services.helpers import make_order


async def test_the_dev_mailbox_shows_times_in_the_shops_time_zone(shopcare: ShopCare) -> None:
    update_profile(shopcare.sessions, timezone="America/New_York")
    make_order(shopcare, tracking="")
    await shopcare.dispatch_once()
    (mail,) = dev_mailbox(shopcare.sessions, shopcare.settings.mailbox_dir)
    assert mail.subject == "Your order 1001 is confirmed"
    assert mail.date is not None and str(mail.date.tzinfo) == "America/New_York"
