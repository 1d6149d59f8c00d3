"""DKIM from end to end: ``shopcare dkim`` makes the key and prints the record, the outbox
sends through the real SMTP sender to an aiosmtpd server on loopback, and the bytes that
arrived verify against the printed record (a resolver that knows only it: no network)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import dkim
import pytest

from shopcare import cli
from shopcare.app import build
from shopcare.config import DkimConfig, Settings, SmtpConfig
from tests.conftest import FakeClock, RawInbox, set_up_shop
from tests.services.helpers import make_order
from tests.store import child_env

Resolver = Callable[..., bytes | None]


def dkim_command(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = cli.main(["dkim", "--domain", "example.com", "--data-dir", str(data_dir), *args])
    out = capsys.readouterr().out
    assert code == 0
    return out


def printed_resolver(out: str) -> Resolver:
    """Answers for the DKIM record exactly as ``shopcare dkim`` printed it."""
    found = re.search(r"^DKIM: (\S+) TXT\n  (v=DKIM1; .+)$", out, re.MULTILINE)
    assert found, out
    name, value = found.group(1), found.group(2)
    return lambda query, timeout=5: value.encode() if query == f"{name}.".encode() else None


async def test_mail_sent_through_the_outbox_carries_a_signature_the_printed_record_verifies(
    settings: Settings,
    clock: FakeClock,
    raw_inbox: tuple[RawInbox, SmtpConfig],
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, smtp = raw_inbox
    out = dkim_command(settings.data_dir, capsys)
    assert out.startswith("new DKIM key: ")
    resolver = printed_resolver(out)
    signing = replace(settings, smtp=smtp, dkim=DkimConfig(domain="example.com"))
    app = build(signing, clock=clock, simulated=True)  # the shop sends as shop@example.com
    set_up_shop(app)
    make_order(app, number="1001", tracking="SIMOK100001")
    for _ in range(12):
        await app.poll_once()
        await app.dispatch_once()
        clock.advance(hours=1)
        if len(inbox.messages) >= 2:
            break
    await app.stop()
    confirmed, shipped = inbox.messages[:2]

    for message in (confirmed, shipped):
        assert message.startswith(b"DKIM-Signature: ")
        assert dkim.verify(message, dnsfunc=resolver)
    signature = dkim.DKIM(shipped)
    assert signature.verify(dnsfunc=resolver)
    assert {b"from", b"list-unsubscribe", b"list-unsubscribe-post"} <= set(
        signature.include_headers
    )
    assert b"d=example.com;" in shipped and b"s=shopcare;" in shipped


async def test_a_changed_body_or_another_key_fails_verification(
    settings: Settings,
    clock: FakeClock,
    raw_inbox: tuple[RawInbox, SmtpConfig],
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, smtp = raw_inbox
    first = printed_resolver(dkim_command(settings.data_dir, capsys))
    signing = replace(settings, smtp=smtp, dkim=DkimConfig(domain="example.com"))
    app = build(signing, clock=clock, simulated=True)
    set_up_shop(app)
    make_order(app, number="1002", tracking="")
    await app.dispatch_once()
    await app.stop()
    (message,) = inbox.messages
    assert dkim.verify(message, dnsfunc=first)

    head, _, body = message.partition(b"\r\n\r\n")
    assert not dkim.verify(head + b"\r\n\r\n" + body.replace(b"A", b"B", 1), dnsfunc=first)
    rotated = dkim_command(settings.data_dir, capsys, "--rotate")
    assert rotated.startswith("new DKIM key: ")
    assert not dkim.verify(message, dnsfunc=printed_resolver(rotated))


def test_the_command_reuses_the_key_and_reports_signing_when_set(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = dkim_command(settings.data_dir, capsys)
    assert "set SHOPCARE_DKIM_DOMAIN=example.com" in first
    monkeypatch.setenv("SHOPCARE_DKIM_DOMAIN", "example.com")
    again = dkim_command(settings.data_dir, capsys)
    assert again.startswith("existing DKIM key: ")
    assert printed_resolver(again)(b"shopcare._domainkey.example.com.") == (
        printed_resolver(first)(b"shopcare._domainkey.example.com.")
    )
    assert "ShopCare signs mail from example.com with this key." in again
    for part in ("SPF: example.com TXT", "DMARC: _dmarc.example.com TXT", "DKIM puts a signature"):
        assert part in again
    assert "rua=mailto:support@example.com" in again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--domain", "not a domain"), "--domain must be a domain name such as example.com"),
        (("--domain", "192.0.2.1"), "--domain must be a domain name"),
        (("--domain", "shop_1.example"), "--domain must be a domain name"),
        (("--domain", "example.com", "--selector", "a/b"), "--selector must be letters"),
    ],
)
def test_a_bad_domain_or_selector_exits_2_with_one_line_and_makes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert cli.main(["dkim", *args, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.key"]  # no key, no store


def test_the_process_exits_2_on_a_bad_domain(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "shopcare", "dkim", "--domain", "shop..example"],
        capture_output=True,
        text=True,
        env=child_env(SHOPCARE_DATA_DIR=str(tmp_path)),
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "shopcare: --domain must be a domain name such as example.com, got 'shop..example'\n"
    )


def test_check_tells_whether_signing_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def check_line() -> str:
        # 1: a store no one has set up yet (shop details, public address) is missing items
        assert cli.main(["check", "--data-dir", str(tmp_path)]) == 1
        return next(x for x in capsys.readouterr().out.splitlines() if x.startswith("dkim: "))

    assert check_line() == "dkim: off (ShopCare does not sign; see shopcare dkim)"
    monkeypatch.setenv("SHOPCARE_DKIM_DOMAIN", "example.com")
    key = tmp_path / "dkim" / "shopcare._domainkey.example.com.pem"
    assert check_line() == (
        f"dkim: no DKIM key at {key}: make it with shopcare dkim; mail goes out unsigned"
    )
    dkim_command(tmp_path, capsys)
    assert check_line() == (
        "dkim: signing mail from example.com with selector shopcare (once SHOPCARE_SMTP_URL is set)"
    )
