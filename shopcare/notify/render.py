"""Messages rendered from Jinja2 templates (subject, text, HTML) in a sandbox.

Templates live in ``templates/<kind>.{subject.txt,txt,html}``; HTML is autoescaped, so a
shopper named ``<script>`` is shown as text. Strings are marked for translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from shopcare.domain.messages import MessageKind
from shopcare.templating import jinja_environment

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class MessageContext:
    shop_name: str
    customer_name: str
    order_number: str
    tracking_url: str
    items: list[str] = field(default_factory=list)
    carrier: str = ""
    tracking_number: str = ""
    status_text: str = ""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


_ENV = jinja_environment(TEMPLATES, sandboxed=True)


def render_message(kind: MessageKind, context: MessageContext) -> RenderedMessage:
    subject = " ".join(_ENV.get_template(f"{kind}.subject.txt").render(m=context).split())
    values = {"m": context, "subject": subject}
    return RenderedMessage(
        subject=subject,
        text=_ENV.get_template(f"{kind}.txt").render(values),
        html=_ENV.get_template(f"{kind}.html").render(values),
    )


def build_email(
    rendered: RenderedMessage,
    *,
    sender: tuple[str, str],
    to: str,
    reply_to: str = "",
    message_id: str = "",
) -> EmailMessage:
    """A multipart/alternative message; the Message-ID is kept so a retry reuses it."""
    msg = EmailMessage()
    msg["From"] = formataddr(sender)
    msg["To"] = to
    msg["Subject"] = rendered.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id or new_message_id(sender[1])
    if reply_to:
        msg["Reply-To"] = reply_to
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


def new_message_id(from_address: str) -> str:
    domain = from_address.rpartition("@")[2] or "shopcare.local"
    return make_msgid(domain=domain)
