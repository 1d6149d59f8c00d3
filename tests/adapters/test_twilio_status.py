"""Twilio's status callbacks as Twilio documents them: the request signature (checked
against the example values Twilio publishes), the order of statuses, the error codes."""

from __future__ import annotations

import pytest

from shopcare.notify.twilio_status import (
    delivery_words,
    moves_forward,
    signed_by_twilio,
    twilio_signature,
)

# Twilio's published example (its docs and its helper libraries' tests).
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
]


def test_the_signature_is_twilios_for_its_documented_example() -> None:
    assert twilio_signature(TOKEN, URL, PARAMS) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert twilio_signature(TOKEN, URL, reversed(PARAMS)) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_name_posted_twice_signs_each_value_in_order() -> None:
    params = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    assert twilio_signature(TOKEN, URL, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_the_default_port_may_be_named_or_not() -> None:
    with_port = "kvajT1Ptam85bY51eRf/AJRuM3w="  # Twilio's value for the URL with :443
    assert signed_by_twilio(TOKEN, with_port, [URL], PARAMS)
    assert signed_by_twilio(TOKEN, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", [URL], PARAMS)
    url_with_port = URL.replace(".com", ".com:443")
    assert signed_by_twilio(TOKEN, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", [url_with_port], PARAMS)


@pytest.mark.parametrize(
    ("token", "signature", "params"),
    [
        ("54321", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", PARAMS),  # another account's token
        (TOKEN, "RSOYDt4T1cUTdK1PDd93/VVr8B9=", PARAMS),
        (TOKEN, "", PARAMS),
        ("", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", PARAMS),  # no account: nothing is Twilio's
        (TOKEN, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", [*PARAMS, ("MessageStatus", "read")]),
    ],
)
def test_anything_else_is_not_twilios(
    token: str, signature: str, params: list[tuple[str, str]]
) -> None:
    assert not signed_by_twilio(token, signature, [URL], params)


def test_reports_only_move_a_message_forward() -> None:
    assert moves_forward("", "sent") and moves_forward("sent", "delivered")
    assert moves_forward("delivered", "read") and moves_forward("sent", "failed")
    assert not moves_forward("delivered", "sent")
    assert not moves_forward("read", "delivered") and not moves_forward("read", "failed")
    assert not moves_forward("delivered", "delivered")
    assert not moves_forward("delivered", "undelivered")  # the first outcome stands
    assert not moves_forward("", "queued") and not moves_forward("", "nonsense")


def test_the_owner_reads_the_outcome_in_words() -> None:
    assert delivery_words("delivered", None) == "delivered"
    assert delivery_words("read", None) == "read"
    assert delivery_words("failed", 63016) == (
        "failed: 63016 — WhatsApp needs an approved template outside the 24-hour window"
    )
    assert delivery_words("undelivered", 30003).startswith("undelivered: 30003 — the phone")
    assert "not on WhatsApp" in delivery_words("failed", 63003)  # the sender's own words
    assert delivery_words("failed", 12345) == "failed: 12345"
