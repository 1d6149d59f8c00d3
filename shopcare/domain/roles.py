"""Who may open what in the admin: the owner everything, staff the daily work.

Staff handle orders, parcels, returns, problems and the mailbox; they change no settings,
manage no users and see no API keys (a key is the whole store). A rule on paths, checked by
the admin's gate before a page is built, so a page cannot forget it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    STAFF = "staff"


STAFF_PATHS: tuple[str, ...] = (
    "/admin/orders",
    "/admin/parcels",
    "/admin/messages/log",
    "/admin/returns",
    "/admin/store-credit",
    "/admin/problems",
    "/admin/feedback",
    "/admin/insight",  # the dashboard's tables as CSV: what staff see on it anyway
    "/admin/mailbox",
    "/admin/account",
    "/admin/login",
    "/admin/logout",
)
"""Prefixes staff may open, besides the dashboard (``/admin``) itself."""


def may_open(role: Role, path: str) -> bool:
    if role is Role.OWNER or path == "/admin":
        return True
    return any(path == p or path.startswith(p + "/") for p in STAFF_PATHS)
