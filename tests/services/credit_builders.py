"""A store credit issued the way the owner issues one (an order, a return for store credit,
approved and credited through the workflow), for the store credit tests."""

from __future__ import annotations

from datetime import datetime

from shopcare.app import ShopCare
from shopcare.services.returns.workflow import approve_return, credit_return, receive_return
from tests.services.helpers import make_order
from tests.services.return_builders import open_return_rows


def issued_credit(
    app: ShopCare,
    *,
    now: datetime,
    number: str = "1001",
    email: str = "anna@example.com",
    amount_minor: int = 4400,
) -> str:
    """The code of a credit worth ``amount_minor`` EUR for a return of order ``number``."""
    make_order(app, number=number, tracking="", email=email)
    rid = open_return_rows(
        app.sessions, number, now=now, quantities={"MUG": 2, "TOWEL": 1},
        resolution="store_credit", rma=f"R-TEST-{number}",
    )  # fmt: skip
    approve_return(app.sessions, rid, now=now, by="anna")
    receive_return(app.sessions, rid, now=now, by="anna")  # everything back as new
    return credit_return(app.sessions, rid, now=now, amount_minor=amount_minor, by="anna")
