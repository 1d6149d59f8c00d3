"""Store credit for a return: a code the shopper types at the shop's checkout.

ShopCare does not run the checkout, so the code is only issued and shown here; the owner
creates the same code as a gift card or discount in the shop platform.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, select

from shopcare.db.models import ReturnRequest, StoreCredit
from shopcare.domain.returns import make_credit_code


def issue_credit(
    session: Session,
    request: ReturnRequest,
    *,
    amount_minor: int,
    currency: str,
    now: datetime,
) -> StoreCredit:
    """In the caller's transaction; the return keeps the code so messages can quote it."""
    assert request.id is not None
    credit = StoreCredit(
        code=_unique_code(session),
        return_id=request.id,
        amount_minor=amount_minor,
        currency=currency,
        created_at=now,
    )
    session.add(credit)
    request.store_credit_code = credit.code
    session.add(request)
    session.flush()
    return credit


def credit_for_return(session: Session, return_id: int) -> StoreCredit | None:
    return session.exec(select(StoreCredit).where(StoreCredit.return_id == return_id)).first()


def _unique_code(session: Session) -> str:
    while True:
        code = make_credit_code(secrets.randbelow)
        if not session.exec(select(StoreCredit).where(StoreCredit.code == code)).first():
            return code
