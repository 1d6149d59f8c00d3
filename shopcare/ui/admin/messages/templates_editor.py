"""The message texts: the owner's own subject, HTML and text for one message in one
language, with a live preview against their newest order and the variables beside it.

Two tabs edit the same template: the form (the default: subject, greeting, intro, button,
closing with placeholders) and the expert editor (the Jinja source the form writes).

The preview's HTML runs in a sandboxed iframe (``srcdoc``), as in the mailbox: it carries
shopper-supplied text. A template with errors shows them under the editors and is neither
saved nor sent; sending uses the default until the owner saves their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import run, ui

from shopcare.domain.message_form import FormTemplate
from shopcare.domain.messages import MessageKind
from shopcare.services.errors import InputError
from shopcare.services.messages.admin import (
    LOCALES,
    VARIABLES,
    SendError,
    TemplateSet,
    load_template,
    made_up,
    preview,
    preview_context,
    reset_template,
    save_template,
    send_test,
)
from shopcare.ui.admin.layout import frame, status_label, when
from shopcare.ui.admin.messages.form_pane import FormPane
from shopcare.ui.admin.messages.mailbox import SANDBOX

if TYPE_CHECKING:
    from shopcare.app import ShopCare

LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "nl": "Nederlands",
}
KINDS = {kind.value: status_label(kind) for kind in MessageKind}


def register_templates_editor(shopcare: ShopCare) -> None:
    @ui.page("/admin/messages/templates")
    def templates_page(kind: str = MessageKind.SHIPPED.value, locale: str = "en") -> None:
        with frame("Message texts"):
            TemplateEditor(
                shopcare,
                kind=MessageKind(kind) if kind in KINDS else MessageKind.SHIPPED,
                locale=locale if locale in LOCALES else LOCALES[0],
            )


class TemplateEditor:
    def __init__(self, shopcare: ShopCare, *, kind: MessageKind, locale: str) -> None:
        self.shopcare, self.kind, self.locale = shopcare, kind, locale
        self.client = ui.context.client
        self.loading = False
        with ui.row().classes("w-full items-center gap-4"):
            ui.select(KINDS, value=kind, label="Message", on_change=self.choose_kind).classes(
                "w-64"
            ).mark("template-kind")
            languages = {code: LANGUAGES.get(code, code) for code in LOCALES}
            ui.select(
                languages, value=locale, label="Language", on_change=self.choose_locale
            ).classes("w-40").mark("template-locale")
            self.state = ui.label().classes("text-sm text-gray-600").mark("template-state")
        with ui.row().classes("w-full no-wrap items-start gap-4"):
            with ui.column().classes("w-1/2 gap-2"):
                with ui.tabs().classes("w-full") as tabs:
                    self.form_tab = ui.tab("Form").mark("tab-form")
                    self.expert_tab = ui.tab("Expert (Jinja)").mark("tab-expert")
                self.tabs = ui.tab_panels(tabs, value=self.form_tab).classes("w-full")
                with self.tabs:
                    with ui.tab_panel(self.form_tab).classes("gap-2 p-0"):
                        self.form = FormPane(self.form_edited)
                    with ui.tab_panel(self.expert_tab).classes("gap-2 p-0"):
                        self._editors()
                self._actions()
            with ui.column().classes("w-1/2 gap-2"):
                self._preview_pane()
        self.load()

    def _editors(self) -> None:
        self.subject = ui.input("Subject", on_change=self.edited).classes("w-full")
        self.subject.mark("template-subject")
        ui.label("HTML (empty: a plain-text email)").classes("text-sm text-gray-600")
        self.html = ui.codemirror(language="HTML", line_wrapping=True, on_change=self.edited)
        self.html.classes("w-full h-96 border rounded").mark("template-html")
        self.text = ui.textarea("Text", on_change=self.edited).props("rows=12")
        self.text.classes("w-full font-mono").mark("template-text")
        variables = ui.expansion("Variables you can use", value=True).classes("w-full")
        with variables, ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1 text-sm"):
            for name, meaning in VARIABLES.items():
                ui.label(name).classes("font-mono")
                ui.label(meaning)

    def _actions(self) -> None:
        self.errors = ui.column().classes("gap-1").mark("template-errors")
        with ui.row().classes("gap-2"):
            ui.button("Save", on_click=self.save).mark("template-save")
            ui.button("Reset to default", on_click=self.reset).props("outline").mark(
                "template-reset"
            )
            ui.button("Send test to me", on_click=self.send_test).props("flat").mark(
                "template-test"
            )

    def _preview_pane(self) -> None:
        self.source = ui.label().classes("text-sm text-gray-600").mark("preview-source")
        self.preview_subject = ui.label().classes("text-lg font-semibold").mark("preview-subject")
        self.preview_html = ui.element("iframe").classes("w-full h-[500px] border rounded")
        self.preview_html.props["sandbox"] = SANDBOX
        self.preview_html.mark("preview-html")
        self.preview_text = ui.label().classes("whitespace-pre-wrap font-mono text-sm")
        self.preview_text.mark("preview-text")

    def choose_kind(self, event: Any) -> None:
        self.kind = MessageKind(event.value)
        self.load()

    def choose_locale(self, event: Any) -> None:
        self.locale = event.value
        self.load()

    def load(self) -> None:
        """The owner's saved version of the chosen message, else the default."""
        edited = load_template(self.shopcare.sessions, self.kind, self.locale)
        self.loading = True
        self.subject.value = edited.template.subject
        self.html.value = edited.template.html
        self.text.value = edited.template.text
        self.loading = False
        fits = self.form.show(
            FormTemplate(edited.template.subject, edited.template.html, edited.template.text),
            kind=self.kind.value,
            custom=edited.custom,
        )
        self.tabs.set_value(self.form_tab if fits else self.expert_tab)
        if edited.custom:
            self.state.set_text(f"Your own version, saved {when(edited.updated_at)}")
        else:
            self.state.set_text("The default text (translated into every language)")
        self.context = preview_context(self.shopcare.sessions, self.shopcare.public_url, self.kind)
        self.show_preview()

    def template(self) -> TemplateSet:
        return TemplateSet(
            subject=self.subject.value or "", html=self.html.value or "", text=self.text.value or ""
        )

    def edited(self) -> None:
        """An edit in the expert tab: the form follows when it can show the result."""
        if not self.loading:
            edited = self.template()
            self.form.show(
                FormTemplate(edited.subject, edited.html, edited.text),
                kind=self.kind.value,
                custom=True,
            )
            self.show_preview()

    def form_edited(self, written: FormTemplate) -> None:
        """An edit in the form: the expert tab shows the template it wrote."""
        self.loading = True
        self.subject.value, self.html.value, self.text.value = (
            written.subject,
            written.html,
            written.text,
        )
        self.loading = False
        self.show_preview()

    def show_preview(self) -> None:
        shown = preview(self.kind, self.template(), self.context, locale=self.locale)
        self.errors.clear()
        with self.errors:
            for error in shown.errors:
                ui.label(error).classes("text-negative whitespace-pre-wrap")
        if shown.message is None:
            self.source.set_text("Fix the errors to see the message again.")
            return
        self.source.set_text(
            "With made-up values: there is no order yet"
            if made_up(self.context)
            else f"As the shopper of order {self.context.order_number} sees it"
        )
        self.preview_subject.set_text(shown.message.subject)
        self.preview_html.props["srcdoc"] = shown.message.html or "<p>(a plain-text email)</p>"
        self.preview_html.update()
        self.preview_text.set_text(shown.message.text)

    def save(self) -> None:
        try:
            save_template(
                self.shopcare.sessions,
                self.kind,
                self.locale,
                self.template(),
                now=self.shopcare.clock(),
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.load()
        ui.notify(f"{KINDS[self.kind]} ({self.locale}) saved", type="positive")

    def reset(self) -> None:
        had_own = reset_template(self.shopcare.sessions, self.kind, self.locale)
        self.load()
        ui.notify("Back to the default text" if had_own else "This is the default text already")

    async def send_test(self) -> None:
        try:
            to = await send_test(
                self.shopcare.sessions,
                await run.io_bound(self.shopcare.senders),  # reads the message settings
                kind=self.kind,
                locale=self.locale,
                template=self.template(),
                public_url=self.shopcare.public_url,
            )
        except (InputError, SendError) as exc:
            with self.client:
                ui.notify(f"Not sent: {exc}", type="negative", multi_line=True)
            return
        with self.client:
            ui.notify(f"Test sent to {to}", type="positive")
