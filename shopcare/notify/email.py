"""An ``Outgoing`` as a MIME email: multipart/alternative, with its Message-ID kept."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from shopcare.notify.base import Outgoing


def build_email(message: Outgoing) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = formataddr((message.sender_name, message.sender_address))
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = message.message_id or new_message_id(message.sender_address)
    if message.reply_to:
        mail["Reply-To"] = message.reply_to
    for name, value in message.headers.items():
        mail[name] = value
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail


def new_message_id(from_address: str) -> str:
    domain = from_address.rpartition("@")[2] or "shopcare.local"
    return make_msgid(domain=domain)
