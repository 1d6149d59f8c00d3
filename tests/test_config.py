from pathlib import Path

import pytest

from shopcare.config import VARIABLES, ConfigError, load_settings, parse_smtp_url

ROOT = Path(__file__).parent.parent


def test_the_data_dir_and_secret_are_made_once_and_kept(tmp_path: Path) -> None:
    first = load_settings({"SHOPCARE_DATA_DIR": str(tmp_path / "d")})
    second = load_settings({"SHOPCARE_DATA_DIR": str(tmp_path / "d")})
    assert first.data_dir.is_dir()
    assert first.secret == second.secret and len(first.secret) >= 32
    assert (first.data_dir / "secret.key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{first.data_dir / 'shopcare.db'}"
    assert first.public_url == "http://127.0.0.1:8080"
    assert first.smtp is None


def test_command_line_values_win_over_the_environment(tmp_path: Path) -> None:
    env = {"SHOPCARE_PORT": "9000", "SHOPCARE_HOST": "0.0.0.0"}
    settings = load_settings(env, data_dir=str(tmp_path), port=9100)
    assert settings.port == 9100
    assert settings.public_url == "http://127.0.0.1:9100"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHOPCARE_PORT": "http"}, "port must be a number"),
        ({"SHOPCARE_PORT": "70000"}, "between 1 and 65535"),
        ({"SHOPCARE_PUBLIC_URL": "shop.example"}, "must start with http"),
        ({"SHOPCARE_SMTP_URL": "mail.example:25"}, "must start with one of"),
    ],
)
def test_bad_values_say_what_to_fix(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env, data_dir=str(tmp_path))


def test_smtp_urls_pick_security_port_and_credentials() -> None:
    tls = parse_smtp_url("smtps://user%40shop:p%40ss@mail.example")
    assert (tls.security, tls.port, tls.username, tls.password) == ("tls", 465, "user@shop", "p@ss")
    assert parse_smtp_url("smtp+starttls://mail.example").port == 587
    assert parse_smtp_url("smtp://127.0.0.1:2525").security == "plain"


def test_every_variable_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [v.name for v in VARIABLES if v.name not in doc]
    assert not missing, f"document these in docs/configuration.md: {missing}"
