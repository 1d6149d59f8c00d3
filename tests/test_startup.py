"""What the app does once it has started, beside the scheduler."""

import gc

from shopcare.app import freeze_startup_objects


def test_objects_made_at_start_are_kept_out_of_full_collections() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
