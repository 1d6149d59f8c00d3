"""What the app does once it has started, beside the scheduler."""

import gc

from shopcare.app import build, freeze_startup_objects
from shopcare.config import Settings
from shopcare.services.accounts.auth import check_login, create_demo_admin
from shopcare.services.accounts.demo_password import DemoPassword


def test_objects_made_at_start_are_kept_out_of_full_collections() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    gc.disable()  # as `shopcare run` does while it loads
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 1000
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_demo_password_hashed_ahead_signs_in(settings: Settings) -> None:
    prepared = DemoPassword()
    shop = build(settings, demo=True)
    password = create_demo_admin(shop.sessions, now=shop.clock(), prepared=prepared)
    assert password == prepared.password
    assert check_login(shop.sessions, username="admin", password=password) is not None
    assert create_demo_admin(shop.sessions, now=shop.clock()) is None  # only once
    shop.engine.dispose()


def test_a_real_shop_is_not_offered_the_simulated_carrier(settings: Settings) -> None:
    shop = build(settings)
    assert "simulated" not in shop.carrier_names
    shop.reload_carriers()  # after the owner changes an account: still not there
    assert "simulated" not in shop.carrier_names
    shop.engine.dispose()
    demo = build(settings, demo=True)
    assert "simulated" in demo.carrier_names
    demo.engine.dispose()
