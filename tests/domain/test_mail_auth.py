"""The DNS records ShopCare suggests for the shop's mail domain."""

import pytest

from shopcare.domain.mail_auth import (
    TXT_STRING_MAX,
    aligned,
    dkim_record,
    dmarc_record,
    spf_record,
)

KEY = "MIIBIjAN" + "A" * 384 + "QAB"


def test_the_dkim_record_is_named_by_selector_and_carries_the_public_key() -> None:
    record = dkim_record(domain="example.com", selector="shopcare", public_key=KEY)
    assert record.name == "shopcare._domainkey.example.com"
    assert record.value == f"v=DKIM1; k=rsa; p={KEY}"


def test_a_zone_file_line_splits_the_value_into_strings_dns_can_hold() -> None:
    line = dkim_record(domain="example.com", selector="s1", public_key=KEY).zone_line()
    name, _, rest = line.partition(" IN TXT ")
    assert name == "s1._domainkey.example.com."
    strings = rest.strip('"').split('" "')
    assert len(strings) == 2 and all(len(s) <= TXT_STRING_MAX for s in strings)
    assert "".join(strings) == f"v=DKIM1; k=rsa; p={KEY}"


@pytest.mark.parametrize(
    ("host", "value"),
    [
        ("smtp.mailhost.example", "v=spf1 a:smtp.mailhost.example ~all"),
        ("203.0.113.7", "v=spf1 ip4:203.0.113.7 ~all"),
        ("2001:db8::25", "v=spf1 ip6:2001:db8::25 ~all"),
        ("127.0.0.1", "v=spf1 a ~all"),
        ("localhost", "v=spf1 a ~all"),
        (None, "v=spf1 mx ~all"),
    ],
)
def test_spf_allows_the_smtp_server_shopcare_uses(host: str | None, value: str) -> None:
    record = spf_record(domain="example.com", smtp_host=host)
    assert (record.name, record.value) == ("example.com", value)
    assert "one SPF record only" in record.note


def test_dmarc_starts_at_p_none_with_reports_to_the_support_address() -> None:
    record = dmarc_record(domain="example.com", report_to="support@example.com")
    assert record.name == "_dmarc.example.com"
    assert record.value == "v=DMARC1; p=none; rua=mailto:support@example.com"
    assert record.note == ""
    assert dmarc_record(domain="shop.example.com", report_to="a@example.com").note == ""


def test_dmarc_reports_to_another_domain_say_what_that_domain_must_publish() -> None:
    record = dmarc_record(domain="example.com", report_to="me@mail.example.net")
    assert "example.com._report._dmarc.mail.example.net" in record.note
    assert dmarc_record(domain="example.com", report_to="").value == "v=DMARC1; p=none"


def test_a_signature_counts_for_the_domain_and_its_subdomains_only() -> None:
    assert aligned("example.com", "example.com")
    assert aligned("News.Example.com", "example.com")
    assert not aligned("badexample.com", "example.com")
    assert not aligned("example.com", "shop.example.com")
