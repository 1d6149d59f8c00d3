"""The DNS records that let receivers trust the shop's mail (SPF, DKIM, DMARC), as text.

Pure: the caller passes the already checked domain and selector (``config.parse_domain_name``),
the public key, the SMTP host and the address for reports. ``shopcare dkim`` prints these and
docs/email.md shows the same, so the owner copies one set of values into the DNS panel.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

EXPLANATION = (
    "Receivers check three DNS records before they trust mail that says it is from your "
    "domain. SPF lists the servers allowed to send mail for the domain; a message from any "
    "other server fails it. DKIM puts a signature in each message, made with a private key "
    "that only the sender has; receivers check it with the public key published in DNS, so "
    "they know the message really comes from the domain and was not changed on the way. "
    "DMARC tells receivers what to do with mail that passes neither SPF nor DKIM for the "
    "domain in From (p=none: only report it; quarantine: spam folder; reject: refuse it) and "
    "where to send their reports. Start with p=none, read the reports for a few weeks, and "
    "tighten it once all your real mail passes."
)
"""One paragraph for the owner, printed by ``shopcare dkim`` and kept in docs/email.md."""

TXT_STRING_MAX = 255
"""One character-string of a TXT record holds at most 255 bytes (RFC 1035); a 2048-bit key
does not fit in one, so zone files need the value split (web panels usually split it)."""


@dataclass(frozen=True)
class DnsRecord:
    purpose: str
    """"SPF", "DKIM" or "DMARC"."""
    name: str
    """Fully qualified, without the final dot."""
    value: str
    note: str = ""
    """What to check before publishing, when the suggested value may need changing."""
    kind: str = "TXT"

    def zone_line(self) -> str:
        """The record as a zone file line, its value split into strings of 255 at most."""
        parts = [
            self.value[i : i + TXT_STRING_MAX] for i in range(0, len(self.value), TXT_STRING_MAX)
        ]
        quoted = " ".join(f'"{part}"' for part in parts)
        return f"{self.name}. IN {self.kind} {quoted}"


def dkim_record(*, domain: str, selector: str, public_key: str) -> DnsRecord:
    """``public_key``: the base64 DER SubjectPublicKeyInfo of the RSA key (RFC 6376 p=)."""
    return DnsRecord(
        purpose="DKIM",
        name=f"{selector}._domainkey.{domain}",
        value=f"v=DKIM1; k=rsa; p={public_key}",
    )


def spf_record(*, domain: str, smtp_host: str | None) -> DnsRecord:
    """A suggested SPF record that lets the SMTP server ShopCare uses send for ``domain``.

    Only a suggestion: the host ShopCare hands mail to is not always the one that delivers
    it (a provider's relays), and a domain may have only one SPF record, so the note says
    to merge with an existing one and to prefer the provider's documented ``include:``."""
    merge = (
        "A domain has one SPF record only: if it already has one, add this mechanism to it "
        "instead. If your mail provider documents an include: (e.g. include:_spf.provider."
        "example), use that instead of what ShopCare guessed."
    )
    if smtp_host is None:
        return DnsRecord(
            purpose="SPF",
            name=domain,
            value="v=spf1 mx ~all",
            note="No SMTP server is set (SHOPCARE_SMTP_URL): this allows the domain's "
            "MX hosts only. " + merge,
        )
    mechanism = _spf_mechanism(smtp_host)
    note = merge
    if mechanism == "a":
        note = (
            "The SMTP server is this machine: 'a' allows the address the domain itself "
            "points to; use ip4:/ip6: with this machine's public address if that differs. "
        ) + merge
    return DnsRecord(purpose="SPF", name=domain, value=f"v=spf1 {mechanism} ~all", note=note)


def _spf_mechanism(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "a" if host == "localhost" else f"a:{host}"
    if address.is_loopback:
        return "a"
    return f"ip{address.version}:{address}"


def dmarc_record(*, domain: str, report_to: str) -> DnsRecord:
    """``p=none``: nothing is refused while the owner learns from the reports whether all
    the domain's real mail passes; ``report_to`` (the shop's support address) gets them."""
    value = "v=DMARC1; p=none"
    note = ""
    if report_to:
        value += f"; rua=mailto:{report_to}"
        at = report_to.rpartition("@")[2].lower()
        if not (
            aligned(at, domain) or aligned(domain, at)
        ):  # reports to a parent domain need no permission
            note = (
                f"Reports go to another domain ({at}): receivers send them only if {at} "
                f'publishes {domain}._report._dmarc.{at} TXT "v=DMARC1" (RFC 7489 7.1).'
            )
    return DnsRecord(purpose="DMARC", name=f"_dmarc.{domain}", value=value, note=note)


def aligned(from_domain: str, signing_domain: str) -> bool:
    """A signature by ``signing_domain`` counts for DMARC on mail from ``from_domain``
    (relaxed alignment, DMARC's default: the same domain or a subdomain of it)."""
    from_domain = from_domain.lower().rstrip(".")
    return from_domain == signing_domain or from_domain.endswith("." + signing_domain)
