"""The guided setup (``/admin/start``): a new shop is taken from an empty store to its
first order step by step. It can be left at any step and resumed (it opens at the first
step that still misses something) and re-run from Settings. Each step is the same form its
settings page shows, so there is one way to change each thing."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from fastapi import Request
from nicegui import ui

from shopcare.services.setup.checklist import Checklist, leave_setup
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.access.auth import pop_flash
from shopcare.ui.admin.layout import frame
from shopcare.ui.admin.settings.mail_address import AddressForm, MailServerForm, MailTrust
from shopcare.ui.admin.settings.shop_profile import LogoUpload, ShopForm
from shopcare.ui.admin.settings.site_look import SiteLookForm

if TYPE_CHECKING:
    from shopcare.app import ShopCare

STEPS = ("Shop", "Look", "Email", "Public address", "Orders", "Carriers")
_STEP_OF_ITEM = {"shop": "Shop", "email": "Email", "address": "Public address"}


def done_steps(setup: Checklist) -> set[str]:
    """Steps whose items are all done (a tick in the stepper); Look has none to check."""
    open_steps = {_STEP_OF_ITEM.get(i.key, i.title) for i in (*setup.missing, *setup.advice)}
    return set(STEPS) - open_steps - {"Look"}


def first_open_step(setup: Checklist) -> str:
    """The first step whose required item is missing, then the first with advice."""
    for items in (setup.missing, setup.advice):
        steps = {_STEP_OF_ITEM.get(i.key, i.title) for i in items}
        for step in STEPS:
            if step in steps:
                return step
    return STEPS[0]


def register_start(shopcare: ShopCare) -> None:
    @ui.page("/admin/start")
    def start_page(request: Request) -> None:
        with frame("Set up your shop"):
            ui.label(
                "A few steps and your shop is live. Leave whenever you like: the dashboard "
                "says what is still missing, and this setup stays under Settings."
            )
            _stepper(shopcare, flash=pop_flash(request))


def _stepper(shopcare: ShopCare, *, flash: str) -> None:
    setup = shopcare.setup_checklist()
    done = done_steps(setup)
    with (
        ui.stepper(value="Look" if flash else first_open_step(setup))
        .props("vertical")
        .classes("w-full")
        .mark("setup-stepper") as stepper
    ):
        with _step("Shop", done):
            ui.label("Who shoppers hear from, and where returns go.")
            form = ShopForm(shopcare)
            _guess_zone(shopcare, form)
            _navigation(shopcare, stepper, first=True)
        with _step("Look", done):
            ui.label("Your logo and colours on the tracking page, emails and slips.")
            LogoUpload(shopcare, back_to="/admin/start", message=flash)
            SiteLookForm(shopcare)
            _navigation(shopcare, stepper)
        with _step("Email", done):
            MailServerForm(shopcare)
            MailTrust(shopcare)
            _navigation(shopcare, stepper)
        with _step("Public address", done):
            AddressForm(shopcare)
            _navigation(shopcare, stepper)
        with _step("Orders", done):
            ui.label("Bring your orders in, whichever way suits your shop:")
            with ui.column().classes("gap-1"):
                ui.link("Connect Shopify or WooCommerce", "/admin/store")
                ui.link("Import a CSV export", "/admin/import")
                ui.link("Add an order by hand", "/admin/orders/new")
            _navigation(shopcare, stepper)
        with _step("Carriers", done):
            ui.label(
                "Pick a tracking service (one account follows every carrier) or your "
                "carriers' own accounts, and test the connection."
            )
            ui.link("Choose carriers", "/admin/carriers")
            ui.label(
                f"Carriers that push updates send them to {shopcare.public_url}"
                "/webhooks/carrier/<name>."
            ).classes("text-sm").mark("carrier-webhook-base")
            with ui.stepper_navigation():
                ui.button("Back", on_click=stepper.previous).props("flat")
                ui.button("Done", on_click=lambda: _leave(shopcare)).mark("setup-done")


def _navigation(shopcare: ShopCare, stepper: ui.stepper, *, first: bool = False) -> None:
    with ui.stepper_navigation():
        if not first:
            ui.button("Back", on_click=stepper.previous).props("flat")
        ui.button("Next", on_click=stepper.next).mark("setup-next")
        ui.button("Finish later", on_click=lambda: _leave(shopcare)).props("flat").mark(
            "setup-later"
        )


def _leave(shopcare: ShopCare) -> None:
    leave_setup(shopcare.sessions)
    ui.navigate.to("/admin")


def _guess_zone(shopcare: ShopCare, form: ShopForm) -> None:
    """A shop still on UTC most likely lives where its owner's browser does."""
    if get_profile(shopcare.sessions).timezone != "UTC":
        return

    async def guess() -> None:
        try:
            zone = await ui.run_javascript("Intl.DateTimeFormat().resolvedOptions().timeZone")
        except TimeoutError:
            return
        if isinstance(zone, str) and zone in available_timezones():
            form.zone.value = zone

    ui.timer(0.1, guess, once=True)


def _step(name: str, done: set[str]) -> ui.step:
    step = ui.step(name)
    if name in done:
        step.props("done")
    return step
