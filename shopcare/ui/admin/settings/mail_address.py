"""Email and the public address, on their own settings page and as setup steps: the mail
server with "Send a test" that names the exact failure, the DNS records that make receivers
trust the shop's mail, and the address shoppers reach. What the environment set is shown
read-only: it wins, so editing it here would change nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.mail_auth import EXPLANATION, DnsRecord, dmarc_record, spf_record
from shopcare.services.errors import InputError
from shopcare.services.setup.address import (
    address_in_force,
    address_warnings,
    load_address,
    reach_check,
    save_address,
)
from shopcare.services.setup.mail import (
    DEFAULT_PORTS,
    SECURITIES,
    MailServer,
    load_signing,
    save_mail_server,
    save_signing,
    send_test_email,
    stored_mail_server,
)
from shopcare.services.shop.logo import rebase_logo
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.layout import frame

if TYPE_CHECKING:
    from shopcare.app import ShopCare

SECURITY_LABELS = {
    "starttls": "STARTTLS (port 587)",
    "tls": "TLS from the start (port 465)",
    "plain": "None (port 25, only inside a trusted network)",
}
assert set(SECURITY_LABELS) == set(SECURITIES)


def register_mail_address(shopcare: ShopCare) -> None:
    @ui.page("/admin/email")
    def mail_page() -> None:
        with frame("Email and address"):
            MailServerForm(shopcare)
            MailTrust(shopcare)
            AddressForm(shopcare)


def from_environment(what: str, value: str, variable: str) -> None:
    with ui.row().classes("items-center gap-2").mark(f"{variable.lower()}-env"):
        ui.icon("lock", color="grey-8")
        ui.label(f"{what}: {value}, set by the environment ({variable}).")
    ui.label(f"Unset {variable} and restart to manage it here.").classes("text-sm")


class MailServerForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        with ui.card().classes("w-full"):
            ui.label("Mail server").classes("text-lg font-semibold")
            given = shopcare.given.mail_server
            if given:
                from_environment("Mail server", given, "SHOPCARE_SMTP_URL")
            else:
                self._fields(stored_mail_server(shopcare.sessions) or MailServer())
            with ui.row().classes("items-center gap-2"):
                ui.button("Send a test", on_click=self.send_test).props("outline").mark("mail-test")
                self.outcome = ui.label().classes("font-medium").mark("mail-test-outcome")
                self.outcome.props["role"] = "status"

    def _fields(self, server: MailServer) -> None:
        if not server.host:
            with (
                ui.row()
                .classes("items-center gap-2 p-2 rounded bg-amber-100")
                .mark("dev-mailbox-warning")
            ):
                ui.icon("warning", color="warning")
                ui.label(
                    "No mail server yet: emails land in the dev mailbox (Mailbox) and reach "
                    "no shopper."
                )
        with ui.grid(columns=2).classes("w-full"):
            self.host = ui.input("Host", value=server.host, placeholder="smtp.yourprovider.com")
            self.host.mark("mail-host")
            self.security = ui.select(
                SECURITY_LABELS, value=server.security, label="Security", on_change=self._port
            ).mark("mail-security")
            self.port = ui.number("Port", value=server.port, min=1, max=65535, precision=0)
            self.port.mark("mail-port")
            self.username = ui.input("User name", value=server.username).mark("mail-username")
            self.password = ui.input("Password", password=True, password_toggle_button=True).mark(
                "mail-password"
            )
            self.password.props["hint"] = (
                "Stored sealed; leave empty to keep the stored one"
                if server.password
                else "Stored sealed, never shown again"
            )
            self.password.props["autocomplete"] = "new-password"
        with ui.row().classes("gap-2"):
            ui.button("Save", on_click=self.save).mark("mail-save")
            ui.button("Not yet: use the dev mailbox", on_click=self.forget).props("flat").mark(
                "mail-not-yet"
            )

    def _port(self) -> None:
        if self.port.value in DEFAULT_PORTS.values():
            self.port.value = DEFAULT_PORTS[str(self.security.value)]

    def save(self) -> bool:
        try:
            save_mail_server(
                self.shopcare.sessions,
                host=self.host.value or "",
                port=int(self.port.value or 0),
                security=str(self.security.value),
                username=self.username.value or "",
                password=self.password.value or None,
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return False
        self.password.value = ""
        ui.notify("Mail server saved", type="positive")
        return True

    def forget(self) -> None:
        save_mail_server(self.shopcare.sessions, host="", port=587, security="starttls")
        self.host.value = ""
        ui.notify("Emails go to the dev mailbox until you set a mail server")

    async def send_test(self) -> None:
        if not self.shopcare.given.mail_server and not self.save():
            return
        self.outcome.text = "Sending…"
        self.outcome.classes(replace="font-medium")
        try:
            to = await send_test_email(self.shopcare.sessions, self.shopcare.email_sender())
        except InputError as exc:
            self.outcome.text = f"Not sent: {exc}"
            self.outcome.classes(replace="font-medium text-negative")
            return
        where = "the dev mailbox" if self.shopcare.mail_server() is None else to
        self.outcome.text = f"Sent to {where}"
        self.outcome.classes(replace="font-medium text-positive")


class MailTrust:
    """SPF, DKIM and DMARC in one paragraph, the records for the sender's domain, and DKIM
    signing by ShopCare itself for mail servers that do not sign."""

    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        profile = get_profile(shopcare.sessions)
        self.domain = profile.sender_email.rpartition("@")[2].lower()
        server = shopcare.mail_server()
        with ui.card().classes("w-full").mark("mail-trust"):
            ui.label("So that mail arrives: SPF, DKIM and DMARC").classes("text-lg font-semibold")
            ui.label(EXPLANATION).classes("text-sm")
            records = [
                spf_record(domain=self.domain, smtp_host=server.host if server else None),
                dmarc_record(domain=self.domain, report_to=profile.support_email),
            ]
            ui.label(f"TXT records to add to the DNS of {self.domain}:")
            for record in records:
                _record(record)
            self.signing = ui.refreshable(self._signing)
            self.signing()

    def _signing(self) -> None:
        env = self.shopcare.settings.dkim
        stored = load_signing(self.shopcare.sessions)
        with ui.column().classes("gap-2 w-full").mark("dkim-signing"):
            if env is not None:
                from_environment("DKIM signing", env.domain, "SHOPCARE_DKIM_DOMAIN")
                return
            if stored.domain:
                ui.label(
                    f"ShopCare signs mail from {stored.domain} with DKIM. Add this record "
                    "too; until it is in the DNS, receivers ignore the signature."
                ).classes("text-sm")
                _record(self._dkim_record(stored.domain, stored.selector))
                ui.button("Stop signing", on_click=self.stop).props("flat").mark("dkim-stop")
                return
            ui.label(
                "DKIM: most mail providers sign for you (their help pages give the record). "
                "If yours does not, ShopCare can sign itself: it makes a key, kept in the data "
                "folder, and shows the record to add."
            ).classes("text-sm")
            ui.button(f"Sign mail from {self.domain} with ShopCare", on_click=self.start).props(
                "outline"
            ).mark("dkim-start")

    def _dkim_record(self, domain: str, selector: str) -> DnsRecord:
        # dkimpy and the key are loaded here, not at every start of ShopCare
        from shopcare.services.messages.dkim import set_up_domain

        server = self.shopcare.mail_server()
        _spf, dkim, _dmarc = set_up_domain(
            self.shopcare.sessions,
            self.shopcare.settings.data_dir,
            domain=domain,
            selector=selector,
            smtp_host=server.host if server else None,
        ).records
        return dkim

    def start(self) -> None:
        if "." not in self.domain:
            ui.notify("Enter the shop's sender email first: its domain is signed", type="negative")
            return
        self._dkim_record(self.domain, "shopcare")  # makes the key
        save_signing(self.shopcare.sessions, domain=self.domain)
        ui.notify(f"Mail from {self.domain} is signed from the next message", type="positive")
        self.signing.refresh()

    def stop(self) -> None:
        save_signing(self.shopcare.sessions, domain="")
        ui.notify("ShopCare no longer signs mail (the key stays in the data folder)")
        self.signing.refresh()


def _record(record: DnsRecord) -> None:
    with ui.column().classes("gap-0 w-full").mark(f"record-{record.purpose}"):
        ui.label(f"{record.purpose}: {record.name}").classes("font-medium")
        ui.label(record.value).classes("font-mono text-sm break-all select-all")
        if record.note:
            ui.label(record.note).classes("text-sm")


class AddressForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        with ui.card().classes("w-full"):
            ui.label("Public address").classes("text-lg font-semibold")
            ui.label(
                "The address shoppers reach ShopCare at: every link in an email, the slips "
                "and the carriers' webhooks are built on it."
            ).classes("text-sm")
            given = shopcare.given.public_url
            if given:
                from_environment("Public address", given, "SHOPCARE_PUBLIC_URL")
            else:
                with shopcare.sessions() as session:
                    stored = load_address(session).url
                self.url = (
                    ui.input(
                        "Public address", value=stored, placeholder="https://track.yourshop.com"
                    )
                    .classes("w-full max-w-xl")
                    .mark("public-url")
                )
                if not stored:
                    ui.label("Not set: shopper emails wait in the outbox until it is.").classes(
                        "text-negative"
                    ).mark("public-url-missing")
            with ui.row().classes("items-center gap-2"):
                if not given:
                    ui.button("Save", on_click=self.save).mark("public-url-save")
                ui.button("Check", on_click=self.check).props("outline").mark("public-url-check")
            self.findings = ui.column().classes("gap-1").mark("public-url-findings")

    def save(self) -> bool:
        try:
            saved = save_address(self.shopcare.sessions, self.url.value or "")
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return False
        self.url.value = saved.url
        rebase_logo(
            self.shopcare.sessions, self.shopcare.settings.data_dir, self.shopcare.public_url
        )
        ui.notify("Public address saved", type="positive")
        return True

    async def check(self) -> None:
        if not self.shopcare.given.public_url and not self.save():
            return
        url = self.shopcare.public_url
        problems = address_warnings(url)
        reached = await reach_check(self.shopcare.http, url)
        self.findings.clear()
        with self.findings:
            for problem in problems:
                ui.label(f"{url}: {problem}").classes("text-negative")
            if reached:
                ui.label(reached).classes("text-negative")
            if not problems and not reached:
                ui.label(f"{url} reaches this ShopCare over https").classes("text-positive")


def reachability_note(shopcare: ShopCare) -> None:
    """Beside an address another service must call (a carrier's or a platform's webhook):
    say when no one outside can reach it yet, and where to fix that."""
    with shopcare.sessions() as session:
        address = address_in_force(session, shopcare.given)
    problems = address_warnings(address.url)
    if address.is_set and not any("this machine" in p for p in problems):
        return
    why = "No public address is set yet" if not address.is_set else "The public address is local"
    with ui.row().classes("items-center gap-1 text-sm").mark("unreachable-note"):
        ui.label(f"{why}: services outside cannot reach this address. Set it under")
        ui.link("Email and address", "/admin/email")
