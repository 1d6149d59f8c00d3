"""DKIM signing by ShopCare itself, for mail servers that do not sign (a local relay, a plain
SMTP account): the key, kept in the data dir, and the signer the SMTP sender calls.

The key is RSA 2048, PKCS#1 PEM, in ``DATA_DIR/dkim/SELECTOR._domainkey.DOMAIN.pem``, mode
600 like ``secret.key`` (the file is named after the DNS record it belongs to). ``shopcare
dkim`` makes it once and never replaces it unless asked (``--rotate``): a new key means a
new DNS record, and until that is published every signature fails.

Signing uses dkimpy (``dkim.sign``), relaxed/relaxed, over the headers that say who sent
what to whom (``SIGNED_HEADERS``, those the message has).

A key that is missing or cannot be read does not stop the mail: the message goes out
unsigned and the log says why (once per problem, not once per message). Holding it would
not help: the outbox retries a temporary error for about four hours and then gives up, a key
does not come back by waiting, and a shipping notice a day late has lost its point. Unsigned
is how the mail went before signing was turned on, and with the DMARC policy ShopCare
suggests (``p=none``) it is delivered as before; ``shopcare check`` shows the problem.
"""

from __future__ import annotations

import base64
import logging
import os
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shopcare.db.engine import SessionFactory
from shopcare.domain.mail_auth import (
    EXPLANATION,
    DnsRecord,
    aligned,
    dkim_record,
    dmarc_record,
    spf_record,
)
from shopcare.services.shop.profile import get_profile

log = logging.getLogger("shopcare")

KEY_BITS = 2048
SIGNED_HEADERS = (
    "From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
    "List-Unsubscribe", "List-Unsubscribe-Post",
)  # fmt: skip
"""Reply-To because a changed one would send the shopper's answers elsewhere; both
List-Unsubscribe headers because RFC 8058 one-click needs them covered by the signature."""


class DkimKeyError(Exception):
    """The key file is missing or is not an RSA private key; the message says which file."""


@dataclass(frozen=True)
class DkimKey:
    path: Path
    private_pem: bytes
    created: bool = False
    """Made by this call (rather than found)."""

    @property
    def public_key(self) -> str:
        """Base64 DER SubjectPublicKeyInfo: the ``p=`` of the DKIM record."""
        key = serialization.load_pem_private_key(self.private_pem, password=None)
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")


@dataclass(frozen=True)
class DkimSetup:
    """What ``shopcare dkim`` shows: the key and the records to publish for its domain."""

    key: DkimKey
    records: tuple[DnsRecord, DnsRecord, DnsRecord]
    """SPF, DKIM, DMARC."""
    explanation: str = EXPLANATION


def set_up_domain(
    sessions: SessionFactory,
    data_dir: Path,
    *,
    domain: str,
    selector: str,
    smtp_host: str | None,
    rotate: bool = False,
) -> DkimSetup:
    """The key for ``domain`` (made if missing, replaced if ``rotate``) and the three
    records; DMARC reports go to the shop's support address."""
    key = ensure_key(data_dir, domain=domain, selector=selector, rotate=rotate)
    report_to = get_profile(sessions).support_email
    return DkimSetup(
        key,
        (
            spf_record(domain=domain, smtp_host=smtp_host),
            dkim_record(domain=domain, selector=selector, public_key=key.public_key),
            dmarc_record(domain=domain, report_to=report_to),
        ),
    )


def key_path(data_dir: Path, *, domain: str, selector: str) -> Path:
    """Where the key of ``selector`` for ``domain`` is kept (both already checked names)."""
    name = f"{selector}._domainkey.{domain}.pem"
    if "/" in name or name.startswith("."):
        raise ValueError(f"not a DNS name: {selector}._domainkey.{domain}")
    return data_dir / "dkim" / name


def ensure_key(data_dir: Path, *, domain: str, selector: str, rotate: bool = False) -> DkimKey:
    """The key for ``selector`` and ``domain``, made if there is none; ``rotate`` replaces
    one that exists (atomically: a signer reading meanwhile gets the old or the new one)."""
    path = key_path(data_dir, domain=domain, selector=selector)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    if not rotate:
        try:
            return DkimKey(path, _write_new(path, _new_pem()), created=True)
        except FileExistsError:
            return DkimKey(path, read_key(path))
    pending = path.with_name(path.name + ".new")
    pending.unlink(missing_ok=True)
    pem = _write_new(pending, _new_pem())
    os.replace(pending, path)
    return DkimKey(path, pem, created=True)


def _new_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,  # PKCS#1, what dkimpy reads
        serialization.NoEncryption(),
    )


def _write_new(path: Path, pem: bytes) -> bytes:
    """Owner-only from the first byte, and on disk before anyone is told to publish it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
        file.flush()
        os.fsync(file.fileno())
    return pem


def read_key(path: Path) -> bytes:
    """The PEM in ``path``; raises ``DkimKeyError`` if it is missing or not an RSA key."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise DkimKeyError(f"no DKIM key at {path}: make it with shopcare dkim") from None
    except OSError as exc:
        raise DkimKeyError(f"cannot read the DKIM key {path}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise DkimKeyError(f"{path} is not a readable private key (damaged?)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DkimKeyError(f"{path} is not an RSA key")
    return pem


def sign(data: bytes, *, domain: str, selector: str, private_pem: bytes) -> bytes:
    """``data`` with a DKIM-Signature header in front. Raises ``dkim.DKIMException``."""
    present = {name.lower() for name in BytesHeaderParser().parsebytes(data)}
    headers = [name.encode("ascii") for name in SIGNED_HEADERS if name.lower() in present]
    signature: bytes = dkim.sign(  # dkimpy has no type hints
        data,
        selector.encode("ascii"),
        domain.encode("ascii"),
        private_pem,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=headers,
    )
    return signature + data


class DkimSigner:
    """What the SMTP sender calls on each message's bytes: signed when its From is at the
    DKIM domain (or under it), else as it was.

    The key is read on first use and kept; while it cannot be read, each message tries
    again (so a key made while ShopCare runs is picked up). Signing costs about 6 ms of
    CPU per message (dkimpy's RSA is pure Python): small beside the SMTP round trips."""

    def __init__(self, data_dir: Path, *, domain: str, selector: str) -> None:
        self.domain = domain
        self.selector = selector
        self.path = key_path(data_dir, domain=domain, selector=selector)
        self._pem: bytes | None = None
        self._told: set[str] = set()

    def __call__(self, data: bytes) -> bytes:
        from_domain = _from_domain(data)
        if not aligned(from_domain, self.domain):
            self._tell(
                f"mail from {from_domain or 'no address'} is sent unsigned: "
                f"SHOPCARE_DKIM_DOMAIN is {self.domain}"
            )
            return data
        try:
            if self._pem is None:
                self._pem = read_key(self.path)
            return sign(data, domain=self.domain, selector=self.selector, private_pem=self._pem)
        except (DkimKeyError, dkim.DKIMException) as exc:
            self._tell(f"mail is sent unsigned: {exc}")
            return data

    def _tell(self, problem: str) -> None:
        """Once per problem: the same line for every message would bury the log."""
        if problem not in self._told:
            self._told.add(problem)
            log.error("DKIM: %s", problem)


def _from_domain(data: bytes) -> str:
    sender = BytesHeaderParser().parsebytes(data).get("From", "")
    return parseaddr(str(sender))[1].rpartition("@")[2].lower()


def key_problem(data_dir: Path, *, domain: str, selector: str) -> str | None:
    """Why signing would not work now (for ``shopcare check``), or None."""
    try:
        read_key(key_path(data_dir, domain=domain, selector=selector))
    except DkimKeyError as exc:
        return str(exc)
    return None
