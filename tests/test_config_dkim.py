"""SHOPCARE_DKIM_DOMAIN and SHOPCARE_DKIM_SELECTOR, and the name checks ``shopcare dkim``
shares with them."""

from pathlib import Path

import pytest

from shopcare.config import ConfigError, DkimConfig, load_settings, parse_domain_name


def test_signing_is_off_unless_a_domain_is_set(tmp_path: Path) -> None:
    assert load_settings({}, data_dir=str(tmp_path)).dkim is None
    only_selector = {"SHOPCARE_DKIM_SELECTOR": "s2026"}
    assert load_settings(only_selector, data_dir=str(tmp_path)).dkim is None


def test_the_domain_is_normalised_and_the_selector_defaults_to_shopcare(tmp_path: Path) -> None:
    env = {"SHOPCARE_DKIM_DOMAIN": " Shop.Example.COM. "}
    assert load_settings(env, data_dir=str(tmp_path)).dkim == DkimConfig("shop.example.com")
    env |= {"SHOPCARE_DKIM_SELECTOR": "2026.Mail"}
    dkim = load_settings(env, data_dir=str(tmp_path)).dkim
    assert dkim == DkimConfig("shop.example.com", "2026.mail")


def test_an_internationalised_domain_is_used_in_its_dns_form() -> None:
    assert parse_domain_name("bücher.example", "--domain") == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHOPCARE_DKIM_DOMAIN": "localhost"}, "SHOPCARE_DKIM_DOMAIN must be a domain name"),
        ({"SHOPCARE_DKIM_DOMAIN": "shop@example.com"}, "must be a domain name"),
        ({"SHOPCARE_DKIM_DOMAIN": "a." * 130 + "com"}, "must be a domain name"),
        (
            {"SHOPCARE_DKIM_DOMAIN": "example.com", "SHOPCARE_DKIM_SELECTOR": "my selector"},
            "SHOPCARE_DKIM_SELECTOR must be letters, digits and hyphens",
        ),
    ],
)
def test_bad_names_say_what_to_fix(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env, data_dir=str(tmp_path))
