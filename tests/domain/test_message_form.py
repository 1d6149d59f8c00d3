"""The form editor's fields and the Jinja template they become, both ways."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from shopcare.domain.message_form import (
    PLACEHOLDERS,
    FormTemplate,
    MessageForm,
    from_template,
    insert_placeholder,
    normalized,
    to_template,
)
from shopcare.domain.messages import MessageKind
from shopcare.notify.render import TemplateSet, render_message, sample_context, template_errors

_tokens = st.sampled_from(["{" + name + "}" for name in PLACEHOLDERS])
_nasty = st.sampled_from(
    ["{{", "}}", "{%", "%}", "{#", "#}", "{% endblock %}", "<b>", "&amp;", "\n", "\r\n", "{x}"]
)
_text = st.lists(st.one_of(st.text(max_size=8), _tokens, _nasty), max_size=6).map("".join)
_forms = st.builds(
    MessageForm, subject=_text, greeting=_text, intro=_text, button=_text, closing=_text
)


def _set(template: FormTemplate) -> TemplateSet:
    return TemplateSet(subject=template.subject, html=template.html, text=template.text)


@given(_forms, st.sampled_from(list(MessageKind)))
def test_the_form_reads_back_what_it_wrote(form: MessageForm, kind: MessageKind) -> None:
    assert from_template(to_template(form, kind), kind) == normalized(form)


@given(_forms)
def test_owner_text_never_becomes_jinja(form: MessageForm) -> None:
    template = _set(to_template(form, MessageKind.SHIPPED))
    errors = template_errors(template, sample=sample_context())
    assert all("renders empty" in error for error in errors)  # a blank subject, nothing else


def test_placeholders_and_literal_jinja_render_as_the_shopper_reads_them() -> None:
    form = MessageForm(
        subject="Order {order_number} left {shop_name}",
        greeting="Hi {first_name},",
        intro="Literal {{ m.shop_name }} and {% if %} & <b>bold</b>",
        button="See it",
        closing="Thanks!\nThe team",
    )
    shown = render_message(
        MessageKind.SHIPPED, sample_context(), override=_set(to_template(form, "shipped"))
    )
    assert shown.subject == "Order 1042 left Bean & Leaf Coffee"
    assert "Hi Anna," in shown.text
    assert "Literal {{ m.shop_name }} and {% if %} & <b>bold</b>" in shown.text
    assert "Literal {{ m.shop_name }} and {% if %} &amp; &lt;b&gt;bold&lt;/b&gt;" in shown.html
    assert "Thanks!<br>\nThe team" in shown.html and "See it</a>" in shown.html
    assert "JJD000390007882914" in shown.text  # the kind's parcel details stay


def test_empty_fields_keep_the_default_text() -> None:
    template = _set(to_template(MessageForm(), "delivered"))
    ours = render_message(MessageKind.DELIVERED, sample_context(), locale="de")
    theirs = render_message(MessageKind.DELIVERED, sample_context(), locale="de", override=template)
    assert theirs == ours


def test_a_template_edited_by_hand_is_not_the_forms() -> None:
    written = to_template(MessageForm(intro="Hello"), "shipped")
    edited = FormTemplate(
        written.subject, written.html, written.text.replace("Hello", "{{ m.rma }}")
    )
    assert from_template(edited, "shipped") is None
    html_only = FormTemplate(written.subject, written.html + "<p>x</p>", written.text)
    assert from_template(html_only, "shipped") is None


def test_a_placeholder_is_added_at_the_end() -> None:
    assert insert_placeholder("Order", "order_number") == "Order {order_number}"
    assert insert_placeholder("", "first_name") == "{first_name}"


_NO_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_line = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(exclude_characters=_NO_BREAKS), max_size=8),
        _nasty.filter(lambda piece: "\n" not in piece),
    ),
    min_size=1,
    max_size=6,
).map("".join)


@given(_line)
def test_the_shopper_reads_the_owners_text_as_typed(intro: str) -> None:
    assume(intro.strip() and not any("{" + name + "}" in intro for name in PLACEHOLDERS))
    form = MessageForm(intro=intro)
    shown = render_message(
        MessageKind.SHIPPED, sample_context(), override=_set(to_template(form, "shipped"))
    )
    assert intro in shown.text
