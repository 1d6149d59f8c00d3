import pytest

from shopcare.domain.roles import Role, may_open


@pytest.mark.parametrize(
    "path",
    ["/admin", "/admin/orders", "/admin/orders/12", "/admin/orders/new", "/admin/returns/3",
     "/admin/returns/slips.pdf", "/admin/problems", "/admin/mailbox", "/admin/account",
     "/admin/insight/delivery/carriers.csv"],
)  # fmt: skip
def test_staff_open_the_daily_work(path: str) -> None:
    assert may_open(Role.STAFF, path)
    assert may_open(Role.OWNER, path)


@pytest.mark.parametrize(
    "path",
    ["/admin/shop", "/admin/email", "/admin/start", "/admin/carriers", "/admin/users",
     "/admin/api-keys", "/admin/messages", "/admin/messages/templates", "/admin/store",
     "/admin/ordersx", "/admin/return-policy", "/admin/printing", "/admin/webhooks",
     "/admin/import", "/admin/export/shopcare-export-20261205T093000Z.zip"],
)  # fmt: skip
def test_staff_open_no_settings_users_or_keys(path: str) -> None:
    assert not may_open(Role.STAFF, path)
    assert may_open(Role.OWNER, path)
