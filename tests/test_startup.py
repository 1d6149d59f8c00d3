"""What the app does once it has started, beside the scheduler."""

import gc

from shopcare.app import build, freeze_startup_objects
from shopcare.config import Settings


def test_objects_made_at_start_are_kept_out_of_full_collections() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()


def test_a_real_shop_is_not_offered_the_simulated_carrier(settings: Settings) -> None:
    shop = build(settings)
    assert "simulated" not in shop.carrier_names
    shop.reload_carriers()  # after the owner changes an account: still not there
    assert "simulated" not in shop.carrier_names
    shop.engine.dispose()
    demo = build(settings, demo=True)
    assert "simulated" in demo.carrier_names
    demo.engine.dispose()
