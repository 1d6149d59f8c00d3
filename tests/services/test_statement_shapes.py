"""A poll pass and a dispatch run send the store the same few SQL texts whatever their batch
sizes: the SQLite driver keeps a prepared statement for every text in each pooled
connection, so a text per batch size made the server's memory grow for as long as new sizes
came (issue 15, ``shopcare.db.in_lists``)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.carriers.base import CarrierError
from shopcare.db.in_lists import padded, padded_length
from shopcare.db.models import Shipment
from shopcare.notify.base import Channel
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.tracking.recording import record_results
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.services.test_outbox import Recorder

SIZES = (17, 20, 25, 32)
"""Batch sizes that all round up to 32."""


@contextmanager
def sql_texts(app: ShopCare) -> Iterator[set[str]]:
    """Every SQL text the store receives inside the block."""
    seen: set[str] = set()

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.add(statement)

    sa.event.listen(app.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(app.engine, "before_cursor_execute", note)


def test_recording_batches_of_other_sizes_sends_no_new_sql_text(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    for n in range(max(SIZES)):
        make_order(shopcare, number=str(3000 + n), tracking=f"SIMOK{300000 + n}")
    with shopcare.sessions() as session:
        ids = list(session.exec(select(Shipment.id).order_by(col(Shipment.id))).all())
    busy = CarrierError("503 from the carrier", permanent=False)
    texts = []
    for size in SIZES:
        with sql_texts(shopcare) as seen:
            record_results(shopcare.sessions, {i: busy for i in ids[:size]}, now=clock())
        texts.append(seen)
    assert set().union(*texts[1:]) - texts[0] == set()


async def test_dispatching_runs_of_other_sizes_sends_no_new_sql_text(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    sender = Recorder()
    texts, number = [], 4000
    for size in SIZES:
        for _ in range(size):
            make_order(shopcare, number=str(number), tracking="")
            number += 1
        with sql_texts(shopcare) as seen:
            report = await dispatch_outbox(
                shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
            )
        assert report.sent == size
        texts.append(seen)
    assert set().union(*texts[1:]) - texts[0] == set()


def test_a_padded_list_keeps_its_values_and_takes_one_of_a_few_lengths() -> None:
    assert padded([]) == []
    assert padded([7]) == [7]
    assert padded([1, 2, 3]) == [1, 2, 3, 3]
    assert padded({5}) == [5]
    assert {padded_length(n) for n in range(1, 513)} == {2**k for k in range(10)}
    assert padded_length(1025) == padded_length(2048) == 2048
    assert padded_length(2049) == 3072
