"""Every admin page and the admin's download and form routes, registered on the admin's
first request (``shopcare.ui.admin.PagesOnFirstRequest``). Order matters where paths
overlap: noted beside each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import app

from shopcare.ui.admin.access.account import account_router, register_account
from shopcare.ui.admin.access.login import register_login_pages
from shopcare.ui.admin.access.users import register_users
from shopcare.ui.admin.dashboard import register_dashboard
from shopcare.ui.admin.insight.downloads import insight_router
from shopcare.ui.admin.insight.feedback import register_feedback
from shopcare.ui.admin.intake.csv_import import register_csv_import
from shopcare.ui.admin.intake.store_connection import register_store_connection
from shopcare.ui.admin.intake.webhook_deliveries import register_webhook_deliveries
from shopcare.ui.admin.messages.log import register_message_log
from shopcare.ui.admin.messages.mailbox import register_mailbox
from shopcare.ui.admin.messages.rules import register_messages
from shopcare.ui.admin.messages.templates_editor import register_templates_editor
from shopcare.ui.admin.orders.detail import register_order_detail
from shopcare.ui.admin.orders.listing import register_orders
from shopcare.ui.admin.orders.new_order import register_new_order
from shopcare.ui.admin.orders.parcels import register_parcels
from shopcare.ui.admin.orders.problem_reports import register_problem_reports
from shopcare.ui.admin.pdf_routes import pdf_router
from shopcare.ui.admin.returns.catalogue import register_catalogue
from shopcare.ui.admin.returns.credit import register_store_credit
from shopcare.ui.admin.returns.detail import register_return_detail
from shopcare.ui.admin.returns.policy import register_return_policy
from shopcare.ui.admin.returns.printing import register_printing
from shopcare.ui.admin.returns.queue import register_returns_queue
from shopcare.ui.admin.settings.api_keys import register_api_keys
from shopcare.ui.admin.settings.backups import backups_router, register_backups
from shopcare.ui.admin.settings.carriers import register_carriers
from shopcare.ui.admin.settings.data_export import export_router
from shopcare.ui.admin.settings.mail_address import register_mail_address
from shopcare.ui.admin.settings.offers import register_offers
from shopcare.ui.admin.settings.privacy import register_privacy
from shopcare.ui.admin.settings.return_labels import register_return_labels
from shopcare.ui.admin.settings.shop_profile import logo_router, register_shop_profile
from shopcare.ui.admin.settings.start import register_start
from shopcare.ui.admin.settings.tracking import register_tracking_settings

if TYPE_CHECKING:
    from shopcare.app import ShopCare
    from shopcare.ui.admin.access.sockets import LiveSockets


def register_pages(shopcare: ShopCare, sockets: LiveSockets) -> None:
    app.include_router(account_router(shopcare, sockets))
    app.include_router(logo_router(shopcare))
    app.include_router(backups_router(shopcare))
    app.include_router(pdf_router(shopcare))  # before pages: "/admin/returns/{id}"
    app.include_router(export_router(shopcare))
    app.include_router(insight_router(shopcare))
    register_login_pages(shopcare)
    register_dashboard(shopcare)
    register_feedback(shopcare)
    register_orders(shopcare)
    register_parcels(shopcare)
    register_new_order(shopcare)  # before the detail page: "new" would match "{order_id}"
    register_order_detail(shopcare)
    register_returns_queue(shopcare)
    register_store_credit(shopcare)
    register_return_detail(shopcare)  # after pdf_router: "slips.pdf" is not an id
    register_problem_reports(shopcare)
    register_carriers(shopcare)
    register_store_connection(shopcare)
    register_csv_import(shopcare)
    register_tracking_settings(shopcare)
    register_messages(shopcare)
    register_message_log(shopcare)
    register_offers(shopcare)
    register_templates_editor(shopcare)
    register_shop_profile(shopcare)
    register_mail_address(shopcare)
    register_start(shopcare)
    register_return_policy(shopcare)
    register_catalogue(shopcare)
    register_return_labels(shopcare)
    register_printing(shopcare)
    register_mailbox(shopcare)
    register_webhook_deliveries(shopcare)
    register_api_keys(shopcare)
    register_backups(shopcare)
    register_privacy(shopcare)
    register_account(shopcare)
    register_users(shopcare, sockets)
