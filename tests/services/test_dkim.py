"""DKIM keys kept in the data dir, and the signer's choices: sign, or send unsigned and say
why. That the signature holds on mail a real SMTP server received is in
tests/e2e/test_dkim_mail.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import dkim
import pytest

from shopcare.domain.mail_auth import dkim_record
from shopcare.services.messages.dkim import (
    DkimSigner,
    ensure_key,
    key_path,
    key_problem,
)

MAIL = (
    b"From: Demo Coffee <hello@example.com>\r\n"
    b"To: anna@example.org\r\n"
    b"Subject: Your order 1001 is on its way\r\n"
    b"Message-ID: <1001.shipped@example.com>\r\n"
    b"List-Unsubscribe: <https://shop.test/unsubscribe/tok>\r\n"
    b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    b"\r\n"
    b"Hello Anna\r\n"
)


def dns_answering(*records: tuple[str, str]) -> Callable[..., bytes | None]:
    """A resolver that knows only ``records`` (name, TXT value): no network in tests."""
    table = {f"{name}.".encode(): value.encode() for name, value in records}
    return lambda name, timeout=5: table.get(name)


def test_the_key_is_made_owner_only_in_the_data_dir_and_reused(tmp_path: Path) -> None:
    first = ensure_key(tmp_path, domain="example.com", selector="shopcare")
    assert first.created
    assert first.path == tmp_path / "dkim" / "shopcare._domainkey.example.com.pem"
    assert first.path.stat().st_mode & 0o777 == 0o600
    assert first.path.parent.stat().st_mode & 0o077 == 0
    again = ensure_key(tmp_path, domain="example.com", selector="shopcare")
    assert not again.created
    assert again.private_pem == first.private_pem
    assert again.public_key == first.public_key


def test_rotating_replaces_the_key_and_keeps_it_private(tmp_path: Path) -> None:
    old = ensure_key(tmp_path, domain="example.com", selector="shopcare")
    new = ensure_key(tmp_path, domain="example.com", selector="shopcare", rotate=True)
    assert new.created and new.public_key != old.public_key
    assert new.path.read_bytes() == new.private_pem
    assert new.path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in new.path.parent.iterdir()) == [new.path.name]


def test_the_dns_record_carries_the_key_that_signs(tmp_path: Path) -> None:
    key = ensure_key(tmp_path, domain="example.com", selector="shopcare")
    record = dkim_record(domain="example.com", selector="shopcare", public_key=key.public_key)
    signed = DkimSigner(tmp_path, domain="example.com", selector="shopcare")(MAIL)
    assert signed.startswith(b"DKIM-Signature: ") and signed.endswith(MAIL)
    fields = dkim.DKIM(signed)
    assert fields.verify(dnsfunc=dns_answering((record.name, record.value)))
    assert set(fields.include_headers) == {
        b"from", b"to", b"subject", b"message-id", b"list-unsubscribe", b"list-unsubscribe-post"
    }  # fmt: skip


def test_mail_from_a_subdomain_is_signed_for_the_parent(tmp_path: Path) -> None:
    ensure_key(tmp_path, domain="example.com", selector="shopcare")
    mail = MAIL.replace(b"hello@example.com", b"hello@news.example.com")
    signed = DkimSigner(tmp_path, domain="example.com", selector="shopcare")(mail)
    assert b"d=example.com;" in signed


def test_mail_from_another_domain_goes_unsigned_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ensure_key(tmp_path, domain="shop.example", selector="shopcare")
    signer = DkimSigner(tmp_path, domain="shop.example", selector="shopcare")
    with caplog.at_level(logging.ERROR, logger="shopcare"):
        assert signer(MAIL) == MAIL
        assert signer(MAIL) == MAIL
    assert [r.getMessage() for r in caplog.records] == [
        "DKIM: mail from example.com is sent unsigned: SHOPCARE_DKIM_DOMAIN is shop.example"
    ]


def test_a_missing_key_sends_unsigned_says_why_once_and_is_picked_up_when_made(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    signer = DkimSigner(tmp_path, domain="example.com", selector="shopcare")
    with caplog.at_level(logging.ERROR, logger="shopcare"):
        assert signer(MAIL) == MAIL
        assert signer(MAIL) == MAIL
    path = key_path(tmp_path, domain="example.com", selector="shopcare")
    assert [r.getMessage() for r in caplog.records] == [
        f"DKIM: mail is sent unsigned: no DKIM key at {path}: make it with shopcare dkim"
    ]
    ensure_key(tmp_path, domain="example.com", selector="shopcare")
    assert signer(MAIL).startswith(b"DKIM-Signature: ")


def test_a_damaged_key_sends_unsigned_and_check_reports_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = ensure_key(tmp_path, domain="example.com", selector="shopcare")
    key.path.write_bytes(key.private_pem[:300])
    with caplog.at_level(logging.ERROR, logger="shopcare"):
        assert DkimSigner(tmp_path, domain="example.com", selector="shopcare")(MAIL) == MAIL
    problem = f"{key.path} is not a readable private key (damaged?)"
    assert caplog.records[0].getMessage() == f"DKIM: mail is sent unsigned: {problem}"
    assert key_problem(tmp_path, domain="example.com", selector="shopcare") == problem
