import email
import email.policy
from email.message import EmailMessage

from shopcare.notify.base import Attachment, Outgoing
from shopcare.notify.email import build_email


def test_non_ascii_names_and_subjects_survive_the_wire() -> None:
    message = Outgoing(
        kind="shipped",
        recipient="zoe@example.com",
        subject="Ihre Bestellung 1001 ist unterwegs – Grüße",
        text="Hallo Zoë,\nbis bald.",
        html="<p>Hallo Zoë</p>",
        message_id="<abc@shop.example>",
        sender_name="Café Müller",
        sender_address="hallo@cafe.example",
        reply_to="hilfe@cafe.example",
        headers={"List-Unsubscribe": "<https://shop.example/unsubscribe/t>"},
    )
    wire = build_email(message).as_bytes()
    assert wire.isascii()  # 7-bit safe for any relay
    parsed = email.message_from_bytes(wire, policy=email.policy.default)
    assert parsed["Subject"] == "Ihre Bestellung 1001 ist unterwegs – Grüße"
    assert parsed["From"].addresses[0].display_name == "Café Müller"
    assert parsed["Message-ID"] == "<abc@shop.example>"
    assert parsed["List-Unsubscribe"] == "<https://shop.example/unsubscribe/t>"
    assert parsed.get_body(preferencelist=("plain",)).get_content().startswith("Hallo Zoë")
    assert "Hallo Zoë" in parsed.get_body(preferencelist=("html",)).get_content()


def test_a_text_only_message_is_a_single_part() -> None:
    plain = build_email(Outgoing(kind="shipped", recipient="a@b.example", subject="Hi", text="x"))
    assert plain.get_content_type() == "text/plain"


def test_an_attachment_goes_beside_both_bodies_with_its_name() -> None:
    pdf = b"%PDF-1.4\n\x00\xff binary\n%%EOF"
    message = Outgoing(
        kind="return_approved",
        recipient="zoe@example.com",
        subject="Return approved",
        text="Your slip is attached.",
        html="<p>Your slip is attached.</p>",
        attachments=(Attachment("return-R-ABCD-2345.pdf", "application/pdf", pdf),),
    )
    wire = build_email(message).as_bytes()
    assert wire.isascii()
    parsed = email.message_from_bytes(wire, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed["Subject"] == "Return approved"
    assert parsed.get_body(preferencelist=("html",)) is not None
    [attached] = list(parsed.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "return-R-ABCD-2345.pdf"
    assert attached.get_content() == pdf
