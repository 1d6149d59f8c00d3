from shopcare.domain.messages import MessageKind, kind_of_link, link_in_message


def test_a_message_link_names_its_kind_after_the_query_it_already_has() -> None:
    assert link_in_message("https://shop.test/t/abc", MessageKind.SHIPPED) == (
        "https://shop.test/t/abc?m=shipped"
    )
    assert (
        link_in_message(
            "https://shop.test/track/number?tracking_number=1Z%2099", MessageKind.WATCH_UPDATE
        )
        == "https://shop.test/track/number?tracking_number=1Z%2099&m=watch_update"
    )
    assert link_in_message("https://shop.test/t/abc#parcel-2", MessageKind.DELAYED) == (
        "https://shop.test/t/abc?m=delayed#parcel-2"
    )


def test_only_a_known_kind_is_read_from_a_link() -> None:
    assert kind_of_link("delivered") is MessageKind.DELIVERED
    for typed in (None, "", "Delivered", "<script>", "shipped ", "x" * 1000):
        assert kind_of_link(typed) is None
