from shopcare.domain.carrier_choice import choose_carrier

UPS = "1Z5R89390357567127"


def test_a_direct_account_with_the_detected_carrier_wins() -> None:
    choice = choose_carrier(UPS, configured=["17track", "ups"])
    assert choice is not None and (choice.adapter, choice.carrier_code) == ("ups", "")


def test_an_aggregator_follows_what_no_direct_account_covers_and_is_told_the_carrier() -> None:
    choice = choose_carrier(UPS, configured=["simulated", "aftership", "17track"])
    assert choice is not None
    assert (choice.adapter, choice.carrier_code, choice.detected) == ("17track", "ups", "ups")


def test_an_unknown_shape_goes_to_an_aggregator_to_detect_or_nowhere() -> None:
    choice = choose_carrier("ZZ-NOT-A-NUMBER", configured=["ship24"])
    assert choice is not None and (choice.adapter, choice.carrier_code) == ("ship24", "")
    assert choose_carrier("ZZ-NOT-A-NUMBER", configured=["ups"]) is None
    assert choose_carrier(UPS, configured=[]) is None
