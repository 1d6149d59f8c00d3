"""Shopper messages as the shopper reads them: every kind in every language, escaped, with
the owner's own templates, and a broken one never stopping a message."""

import re
from dataclasses import fields, replace
from datetime import date

import pytest
from markupsafe import escape

from shopcare.catalogs import read_catalog
from shopcare.domain.messages import MessageKind
from shopcare.notify.render import (
    DEFAULT_BRAND_COLOR,
    SUPPORTED_LOCALES,
    TEMPLATES,
    VARIABLES,
    MessageContext,
    TemplateSet,
    best_locale,
    default_templates,
    render_message,
    sample_context,
    template_errors,
)
from shopcare.templating import jinja_environment

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
K = MessageKind
PARCEL_ONLY = {K.WATCH_UPDATE, K.WATCH_CONFIRM}
"""Messages to someone following a parcel by its number: never a word about the order."""
RETURNS = {
    K.RETURN_REQUESTED,
    K.RETURN_APPROVED,
    K.RETURN_REJECTED,
    K.RETURN_RECEIVED,
    K.RETURN_REFUNDED,
}


def call_to_action(kind: MessageKind, m: MessageContext) -> str:
    """The link each kind leads the shopper to."""
    if kind in RETURNS:
        return m.return_url
    return {
        K.ACCOUNT_LINK: m.account_url,
        K.WATCH_CONFIRM: m.confirm_url,
        K.FEEDBACK_REQUEST: m.feedback_url,
        K.REVIEW_REMINDER: m.review_url,
        K.REORDER_REMINDER: m.shop_url,
        K.CREDIT_EXPIRY_REMINDER: m.shop_url,
    }.get(kind, m.tracking_url)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_renders_in_every_language_with_its_link(kind: MessageKind, locale: str) -> None:
    m = sample_context()
    rendered = render_message(kind, m, locale=locale)
    assert rendered.subject and "\n" not in rendered.subject
    # A parcel watcher's email names the parcel, never the order it belongs to.
    assert (m.order_number in rendered.subject) is (kind not in PARCEL_ONLY)
    link = call_to_action(kind, m)
    assert f'href="{link}"' in rendered.html
    assert link in rendered.text
    assert rendered.text.startswith(("Hello", "Hallo", "Bonjour", "Hola", "مرحب"))
    direction = "rtl" if locale == "ar" else "ltr"
    assert f'<html lang="{locale}" dir="{direction}">' in rendered.html
    assert f"<title>{escape(rendered.subject)}</title>" in rendered.html


@pytest.mark.parametrize(
    ("locale", "kind", "translated", "english"),
    [
        ("de", K.SHIPPED, "Ihre Bestellung 1042 wurde versandt", "Your order 1042 is on its way"),
        ("de", K.RETURN_APPROVED, "Ihre Rücksendung wurde genehmigt", "return has been approved"),
        ("fr", K.DELIVERED, "Votre colis a été livré", "Your parcel has been delivered"),
        ("fr", K.FAILED_ATTEMPT, "avis de passage", "Please check the notice"),
        ("es", K.DELAYED, "va más lento de lo habitual", "slower than usual"),
        ("es", K.RETURN_REFUNDED, "reembolso", "We have issued your refund"),
        ("nl", K.AVAILABLE_FOR_PICKUP, "Afhaalpunt", "Pickup point"),
        ("nl", K.FEEDBACK_REQUEST, "Geef je feedback", "Share your feedback"),
    ],
)
def test_a_shopper_reads_the_message_in_their_language(
    locale: str, kind: MessageKind, translated: str, english: str
) -> None:
    rendered = render_message(kind, sample_context(), locale=locale)
    for part in (rendered.text, rendered.html):
        assert translated in f"{rendered.subject}\n{part}"
        assert english not in part and english not in rendered.subject
    assert "Hello" not in rendered.text


def test_every_template_string_is_translated_in_every_catalog() -> None:
    env = jinja_environment(TEMPLATES)
    wanted = set()
    for path in TEMPLATES.iterdir():
        for _line, _function, message in env.extract_translations(path.read_text("utf-8")):
            wanted.add(message if isinstance(message, str) else message[0])
    for locale in SUPPORTED_LOCALES[1:]:
        catalog = read_catalog(locale)
        untranslated = [
            msgid for msgid in wanted if msgid not in catalog or not catalog[msgid].string
        ]
        assert untranslated == [], locale
        for msgid in wanted:
            placeholders = sorted(re.findall(r"%\((\w+)\)s", msgid))
            assert sorted(re.findall(r"%\((\w+)\)s", catalog[msgid].string)) == placeholders


def test_the_estimated_delivery_is_written_the_way_the_shopper_writes_dates() -> None:
    m = replace(sample_context(), estimated_delivery=date(2026, 11, 5))
    assert "November 5, 2026" in render_message(K.SHIPPED, m).text
    assert "5. November 2026" in render_message(K.SHIPPED, m, locale="de").text
    assert "5 novembre 2026" in render_message(K.SHIPPED, m, locale="fr").html
    without = render_message(K.SHIPPED, replace(m, estimated_delivery=None))
    assert "Estimated delivery" not in without.text + without.html


def test_the_shop_the_shopper_and_the_owner_cannot_inject_html() -> None:
    m = replace(
        sample_context(),
        customer_name=HOSTILE,
        shop_name=HOSTILE,
        items=[f"1 × {HOSTILE}"],
        return_note=HOSTILE,
    )
    for kind in (K.SHIPPED, K.RETURN_REJECTED):
        rendered = render_message(kind, m, locale="de")
        assert "<script>" not in rendered.html
        assert rendered.html.count(ESCAPED) >= 3
        assert f'alt="{ESCAPED}"' in rendered.html
    rejected = render_message(K.RETURN_REJECTED, m)
    assert rejected.html.count(ESCAPED) >= 5  # header alt, greeting, item, note, footer
    assert HOSTILE in rejected.text  # plain text is plain


def test_a_brand_colour_that_is_not_a_colour_is_replaced_by_the_default() -> None:
    m = replace(sample_context(), brand_color="red;background:url(x)")
    html = render_message(K.SHIPPED, m).html
    assert "url(x)" not in html and "red;" not in html
    assert f"background-color:{DEFAULT_BRAND_COLOR}" in html
    own = render_message(K.SHIPPED, replace(m, brand_color="#0a7")).html
    assert "background-color:#0a7;" in own and DEFAULT_BRAND_COLOR not in own


def test_the_logo_the_items_and_the_unsubscribe_link_appear_only_when_there_are_some() -> None:
    m = sample_context()
    full = render_message(K.SHIPPED, m)
    assert f'<img src="{m.logo_url}" alt="Bean &amp; Leaf Coffee"' in full.html
    assert "Ethiopia Yirgacheffe" in full.html and "- 1 × Ceramic pour-over dripper" in full.text
    assert f'href="{m.unsubscribe_url}"' in full.html and m.unsubscribe_url in full.text
    assert f'href="mailto:{m.support_email}"' in full.html and m.support_email in full.text
    bare = render_message(
        K.SHIPPED, replace(m, logo_url="", items=[], unsubscribe_url="", support_email="")
    )
    assert "<img" not in bare.html and "Ethiopia" not in bare.html + bare.text
    assert "Unsubscribe" not in bare.html + bare.text and "mailto:" not in bare.html


def test_each_message_says_what_the_shopper_needs_to_know() -> None:
    m = sample_context()
    returns = [render_message(kind, m).text for kind in sorted(RETURNS)]
    assert all(m.rma in text and m.return_note in text for text in returns)
    assert m.refund in render_message(K.RETURN_REFUNDED, m).text
    assert "slower than usual" in render_message(K.DELAYED, m).text
    assert "check the notice" in render_message(K.FAILED_ATTEMPT, m).text
    pickup = render_message(K.AVAILABLE_FOR_PICKUP, m)
    assert m.location in pickup.text and m.location in pickup.html
    no_refund_yet = render_message(K.RETURN_REFUNDED, replace(m, refund="")).text
    assert "We have issued your refund." in no_refund_yet


def test_a_minimal_context_still_renders_every_kind() -> None:
    m = MessageContext(
        shop_name="Shop & Co",
        customer_name="Anna",
        order_number="1001",
        tracking_url="http://shop.test/t/tok",
    )
    for kind in MessageKind:
        rendered = render_message(kind, m, locale="nl")
        assert 'href="http://shop.test/t/tok"' in rendered.html
        assert "Shop &amp; Co" in rendered.html and "&amp;amp;" not in rendered.html
        assert "Shop & Co" in rendered.text


def test_the_default_templates_are_where_the_editor_starts_and_they_pass_the_check() -> None:
    for kind in MessageKind:
        defaults = default_templates(kind)
        assert "base.html" in defaults.html and "base.txt" in defaults.text
        assert template_errors(defaults, sample=sample_context()) == []


def test_an_owner_template_renders_in_the_sandbox_in_the_shoppers_language() -> None:
    override = TemplateSet(
        subject="{{ m.shop_name }}: {{ m.order_number }} ist unterwegs",
        html=(
            '{% extends "base.html" %}\n'
            "{% block headline %}Moin {{ m.customer_name }}!{% endblock %}\n"
            '{% block body %}<p>{{ _("Track your order") }} · {{ subject }}</p>{% endblock %}'
        ),
        text="Moin {{ m.customer_name }}!\n{{ m.tracking_url }}",
    )
    assert template_errors(override, sample=sample_context()) == []
    m = replace(sample_context(), customer_name=HOSTILE)
    rendered = render_message(K.SHIPPED, m, locale="de", override=override)
    assert rendered.subject == "Bean & Leaf Coffee: 1042 ist unterwegs"
    assert rendered.text == f"Moin {HOSTILE}!\n{m.tracking_url}\n"
    assert f"Moin {ESCAPED}!" in rendered.html
    assert "Sendung verfolgen · Bean &amp; Leaf Coffee: 1042 ist unterwegs" in rendered.html
    assert "Paketdienst" not in rendered.html  # the owner's body replaced ours


def test_an_owner_template_without_html_sends_plain_text() -> None:
    plain = TemplateSet(subject="Order {{ m.order_number }}", html="", text="On its way.")
    assert template_errors(plain, sample=sample_context()) == []
    assert render_message(K.SHIPPED, sample_context(), override=plain).html == ""


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (
            TemplateSet(subject="Order {{ m.order_number }", html="", text="Hi"),
            "Subject, line 1: unexpected '}'",
        ),
        (
            TemplateSet(subject="Hi", html="", text="Hello\n{{ m.nickname }}"),
            "Text, line 2: there is no variable m.nickname (see the list of variables).",
        ),
        (
            TemplateSet(subject="Hi", html='{% extends "fancy.html" %}', text="Hi"),
            "HTML, line 1: there is no template called 'fancy.html' to extend or include.",
        ),
        (
            TemplateSet(subject='{{ _("Order %(number)s") }}', html="", text="Hi"),
            "Subject, line 1: the text in _() uses %(number)s but gives it no value.",
        ),
        (
            TemplateSet(subject="{% if m.rma %}Return{% endif %}", html="", text="Hi"),
            "Subject: it renders empty; every email needs one.",
        ),
    ],
)
def test_a_broken_owner_template_is_reported_and_the_default_is_sent(
    broken: TemplateSet, problem: str
) -> None:
    m = replace(sample_context(), rma="")
    assert template_errors(broken, sample=m) == [problem]
    for locale in ("en", "de"):
        default = render_message(K.SHIPPED, m, locale=locale)
        assert render_message(K.SHIPPED, m, locale=locale, override=broken) == default


def test_a_template_that_reaches_for_python_internals_is_refused() -> None:
    sneaky = TemplateSet(
        subject="Hi",
        html="<p>\n{{ m.__class__.__mro__ }}</p>",
        text="{{ m.items.__class__.__subclasses__() }}",
    )
    problems = template_errors(sneaky, sample=sample_context())
    assert [p.split(":")[0] for p in problems] == ["Text, line 1", "HTML, line 2"]
    assert all("not allowed: templates cannot reach Python internals" in p for p in problems)
    rendered = render_message(K.SHIPPED, sample_context(), override=sneaky)
    assert rendered == render_message(K.SHIPPED, sample_context())
    assert "<class" not in rendered.html + rendered.text


def test_every_context_field_is_documented_for_the_owner() -> None:
    documented = {name.removeprefix("m.") for name in VARIABLES if name.startswith("m.")}
    assert documented == {f.name for f in fields(MessageContext)}
    assert "_()" in VARIABLES
    assert all(text.strip() and "\n" not in text for text in VARIABLES.values())


@pytest.mark.parametrize(
    ("wanted", "best"),
    [("pt", "en"), ("de-CH", "de"), ("de-AT", "de"), ("fr_CA", "fr"), ("NL", "nl"), ("", "en")],
)
def test_a_shoppers_language_falls_back_to_the_closest_we_have(wanted: str, best: str) -> None:
    assert best_locale(wanted) == best
    m = sample_context()
    assert render_message(K.DELIVERED, m, locale=wanted) == render_message(
        K.DELIVERED, m, locale=best
    )
