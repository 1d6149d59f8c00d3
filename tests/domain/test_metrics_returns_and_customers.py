from shopcare.domain.metrics.customers import by_first_delivery, cohort
from shopcare.domain.metrics.experience import DeliveryFlags
from shopcare.domain.metrics.messages import by_kind, total
from shopcare.domain.metrics.returns import ProductRow, days, shares, top_returned, value_split


def test_the_most_returned_products_come_first_ties_by_rate() -> None:
    rows = [
        ProductRow("MUG", "Mug", ordered=10, returned=2),
        ProductRow("SOCK", "Socks", ordered=4, returned=2),
        ProductRow("HAT", "Hat", ordered=5, returned=3),
        ProductRow("TOWEL", "Towel", ordered=9, returned=0),
    ]
    top = top_returned(rows, limit=3)
    assert [(r.key, r.rate) for r in top] == [("HAT", 0.6), ("SOCK", 0.5), ("MUG", 0.2)]
    assert ProductRow("X", "", ordered=0, returned=1).rate is None


def test_value_refunded_against_value_kept_as_exchange_or_credit() -> None:
    split = value_split(
        [("refunded", "EUR", 3000), ("exchanged", "EUR", 1800), ("credited", "EUR", 1200),
         ("refunded", "EUR", 1000), ("refunded", "USD", 500)]
    )  # fmt: skip
    eur = split["EUR"]
    assert (eur.refunded, eur.exchanged, eur.credited, eur.kept) == (4000, 1800, 1200, 3000)
    assert eur.kept_share == 3000 / 7000
    assert split["USD"].kept_share == 0


def test_days_between_steps_are_p50_and_p90() -> None:
    # ten returns: 1 1 2 2 3 3 4 5 9 14 days
    found = days({1: 2, 2: 2, 3: 2, 4: 1, 5: 1, 9: 1, 14: 1})
    assert (found.p50, found.p90, found.returns) == (3, 9, 10)
    assert days({}).p50 is None


def test_reasons_come_with_their_share_most_first() -> None:
    assert shares({"too_small": 2, "damaged": 1, "changed_mind": 1}) == [
        ("too_small", 2, 0.5),
        ("changed_mind", 1, 0.25),
        ("damaged", 1, 0.25),
    ]


def test_repeat_rate_and_days_to_second_order_by_the_first_delivery() -> None:
    on_time = DeliveryFlags(late=False, judged=True, exception=False)
    late = DeliveryFlags(late=True, judged=True, exception=False)
    broken = DeliveryFlags(late=False, judged=True, exception=True)
    rows = [
        (on_time, None, 2),  # 4 on time, 2 came back after 10 and 30 days
        (on_time, 10, 1),
        (on_time, 30, 1),
        (late, None, 3),  # 4 late, 1 came back after 60 days
        (late, 60, 1),
        (broken, None, 2),  # 2 with an exception, none came back
    ]
    everyone, split = by_first_delivery(rows)
    assert (everyone.customers, everyone.repeat, everyone.days_p50) == (10, 3, 30)
    assert everyone.repeat_rate == 0.3
    found = {c.group: (c.customers, c.repeat_rate, c.days_p50) for c in split}
    assert found == {
        "on_time": (4, 0.5, 10),
        "late": (4, 0.25, 60),
        "exception": (2, 0.0, None),
        "unknown": (0, None, None),
    }
    assert cohort("none", []).repeat_rate is None


def test_messages_per_kind_take_bounces_out_of_failures() -> None:
    rows = by_kind(
        [("shipped", "sent", 8), ("shipped", "failed", 3), ("shipped", "queued", 5),
         ("delivered", "sent", 4)],
        bounced={"shipped": 2},
        unsubscribed={"delivered": 1},
        views={"shipped": 6, "delayed": 1},
    )  # fmt: skip
    found = {r.kind: (r.sent, r.failed, r.bounced, r.unsubscribed, r.views) for r in rows}
    assert found == {
        "delayed": (0, 0, 0, 0, 1),
        "delivered": (4, 0, 0, 1, 0),
        "shipped": (8, 1, 2, 0, 6),
    }
    assert [r.view_rate for r in rows] == [None, 0, 0.75]
    assert (total(rows).sent, total(rows).views) == (12, 7)
