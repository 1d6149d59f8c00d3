"""Store credit for a return: a code the shopper types at the shop's checkout.

ShopCare does not run the checkout, so the code is issued and shown here; the owner creates
the same code as a gift card or discount in the shop platform. Each credit keeps a balance
and, when the owner chose one, an expiry fixed at issue (``CreditSettings``: changing the
setting later leaves credits already issued as they were). What lowers the balance is in
``credit_ledger``; the owner's and the shopper's lists in ``credit_list``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import ReturnRequest, StoreCredit
from shopcare.domain.returns import make_credit_code
from shopcare.domain.store_credit import (
    expiry_for,
    expiry_months_problem,
    reminder_days_problem,
)
from shopcare.services.errors import InputError
from shopcare.services.shop.settings_rows import load_group, update_group

SETTINGS_KEY = "store_credit"


@dataclass(frozen=True)
class CreditSettings:
    expiry_months: int = 0
    """Credits expire this many calendar months after issue; 0: never."""
    reminder_days: int = 0
    """The shopper is reminded this many days before a credit with money left expires;
    0: no reminder."""


def load_credit_settings(session: Session) -> CreditSettings:
    return load_group(session, SETTINGS_KEY, CreditSettings)


def get_credit_settings(sessions: SessionFactory) -> CreditSettings:
    with sessions() as session:
        return load_credit_settings(session)


def update_credit_settings(
    sessions: SessionFactory, *, expiry_months: int | None = None, reminder_days: int | None = None
) -> CreditSettings:
    """Changes what is given (None keeps it). Raises InputError, saying what to fix, before
    anything is written."""
    changes = {"expiry_months": expiry_months, "reminder_days": reminder_days}
    return update_group(
        sessions, SETTINGS_KEY, CreditSettings,
        {k: v for k, v in changes.items() if v is not None}, check=_check,
    )  # fmt: skip


def _check(settings: CreditSettings) -> None:
    problem = expiry_months_problem(settings.expiry_months) or reminder_days_problem(
        settings.reminder_days
    )
    if problem:
        raise InputError(problem)


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
    months = load_credit_settings(session).expiry_months
    credit = StoreCredit(
        code=_unique_code(session),
        return_id=request.id,
        amount_minor=amount_minor,
        balance_minor=amount_minor,
        currency=currency,
        created_at=now,
        expires_at=expiry_for(now, months=months),
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
