"""The message editor's default tab: five plain fields with a menu of placeholders, for
owners who do not write Jinja. What it writes is the template the expert tab shows
(``domain.message_form``); a template the form cannot show leaves the form read-only with
a note, to be edited in the expert tab."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from shopcare.domain.message_form import (
    PLACEHOLDERS,
    FormTemplate,
    MessageForm,
    from_template,
    insert_placeholder,
    to_template,
)

FIELDS = {
    "subject": ("Subject", False),
    "greeting": ("Greeting", False),
    "intro": ("Intro paragraph", True),
    "button": ("Button label", False),
    "closing": ("Closing paragraph", True),
}
"""Field name → (label, several lines)."""


class FormPane:
    """``on_change`` receives the template the fields stand for, after every edit."""

    def __init__(self, on_change: Callable[[FormTemplate], None]) -> None:
        self.on_change = on_change
        self.kind = ""
        self.loading = False
        self.note = ui.label().classes("text-sm text-gray-600").mark("form-note")
        self.inputs: dict[str, ui.input | ui.textarea] = {}
        for name, (label, multi) in FIELDS.items():
            with ui.row().classes("w-full no-wrap items-start gap-1"):
                field = (ui.textarea if multi else ui.input)(label, on_change=self.edited)
                field.classes("w-full").mark(f"form-{name}")
                if multi:
                    field.props("rows=3 autogrow")
                self.inputs[name] = field
                self._menu(name)

    def _menu(self, name: str) -> None:
        with ui.button(icon="data_object").props("flat dense").mark(f"form-{name}-placeholders"):
            ui.tooltip("Insert a placeholder")
            with ui.menu():
                for token, (_, meaning) in PLACEHOLDERS.items():
                    ui.menu_item(
                        f"{{{token}}} · {meaning}",
                        on_click=lambda _, field=name, token=token: self.insert(field, token),
                    ).mark(f"form-{name}-{token}")

    def insert(self, field: str, token: str) -> None:
        target = self.inputs[field]
        target.value = insert_placeholder(target.value or "", token)

    def show(self, template: FormTemplate, *, kind: str, custom: bool) -> bool:
        """Fill the fields from ``template``; False (form read-only) when the form cannot
        show it."""
        self.kind = kind
        form = from_template(template, kind) if custom else MessageForm()
        self.loading = True
        for name, field in self.inputs.items():
            field.value = getattr(form, name) if form else ""
            field.set_enabled(form is not None)
        self.loading = False
        if form is None:
            self.note.set_text(
                "This text was edited in the expert editor and the form cannot show it: "
                "edit it under Expert (Jinja), or reset it to the default to use the form."
            )
        else:
            self.note.set_text(
                "Empty fields keep the default text, translated into every language. "
                "Placeholders such as {order_number} become the order's values."
            )
        return form is not None

    def form(self) -> MessageForm:
        return MessageForm(**{name: field.value or "" for name, field in self.inputs.items()})

    def edited(self) -> None:
        if not self.loading:
            self.on_change(to_template(self.form(), self.kind))
