"""The one place that reads the environment.

Every variable is declared once in ``VARIABLES`` (name, default, help) so the CLI help,
``docs/configuration.md`` and a test that keeps them in step all come from the same data.
Everything else in ShopCare receives a ``Settings`` value and never looks at ``os.environ``.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import platformdirs


class ConfigError(ValueError):
    """A setting has a value ShopCare cannot use; the message says which and how to fix it."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "SHOPCARE_DATA_DIR",
        "the user's data dir",
        "Folder for the database, secret, mailbox and uploads.",
    ),
    Variable(
        "SHOPCARE_DATABASE_URL", "SQLite file in the data dir", "SQLAlchemy URL of the store."
    ),
    Variable("SHOPCARE_HOST", "127.0.0.1", "Address the web server listens on."),
    Variable("SHOPCARE_PORT", "8080", "Port the web server listens on."),
    Variable(
        "SHOPCARE_PUBLIC_URL",
        "http://HOST:PORT",
        "Base URL shoppers reach ShopCare at; used for links in emails and PDFs.",
    ),
    Variable(
        "SHOPCARE_SECRET",
        "generated once, kept in DATA_DIR/secret.key",
        "Key for sessions, signed links and the credentials sealed in the store.",
    ),
    Variable(
        "SHOPCARE_SMTP_URL",
        "unset: the dev mailbox",
        "Mail server, e.g. smtp+starttls://user:pass@host:587, smtps://host:465, smtp://host:25.",
    ),
    Variable(
        "SHOPCARE_DKIM_DOMAIN",
        "unset: ShopCare does not sign",
        "Sign mail from this domain (or a subdomain) with DKIM; the key is made by shopcare dkim.",
    ),
    Variable(
        "SHOPCARE_DKIM_SELECTOR",
        "shopcare",
        "DKIM selector: the key is published at SELECTOR._domainkey.DOMAIN.",
    ),
    Variable(
        "SHOPCARE_ROOT_PATH",
        "unset: the site is at the root",
        "Path prefix a reverse proxy serves ShopCare under, e.g. /track-app.",
    ),
    Variable(
        "SHOPCARE_FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "Proxies whose X-Forwarded-For/-Proto headers are trusted: comma-separated IPs or *.",
    ),
)

SmtpSecurity = Literal["plain", "starttls", "tls"]
_SMTP_SCHEMES: dict[str, tuple[SmtpSecurity, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: SmtpSecurity
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 30.0


@dataclass(frozen=True)
class DkimConfig:
    """ShopCare signs mail from ``domain`` with the key of ``selector`` in the data dir
    (see ``services.messages.dkim``)."""

    domain: str
    selector: str = "shopcare"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str
    port: int
    public_url: str
    secret: str = field(repr=False)
    smtp: SmtpConfig | None
    root_path: str = ""
    """The path prefix behind a reverse proxy ("" at the root, else "/x" without a final /)."""
    forwarded_allow_ips: str = "127.0.0.1"
    secret_from_env: bool = False
    """``SHOPCARE_SECRET`` gave the secret, so ``secret.key`` is not ShopCare's to replace."""
    public_url_given: bool = False
    """``SHOPCARE_PUBLIC_URL`` (or the caller) gave the public URL: it wins over the address
    the owner enters in the admin. Otherwise ``public_url`` is only the listening address."""
    dkim: DkimConfig | None = None
    """Set: outgoing SMTP mail from this domain is signed by ShopCare itself."""

    @property
    def mailbox_dir(self) -> Path:
        return self.data_dir / "mailbox"

    def proxy_options(self) -> dict[str, Any]:
        """uvicorn's options for running behind a reverse proxy: the path prefix goes into
        every request's ``root_path`` (links are written under it), and the proxies trusted
        for ``X-Forwarded-For``/``-Proto`` decide the client address and http or https."""
        return {
            "root_path": self.root_path,
            "proxy_headers": True,
            "forwarded_allow_ips": self.forwarded_allow_ips,
        }


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    data_dir: str | None = None,
    host: str | None = None,
    port: int | str | None = None,
) -> Settings:
    """Build settings from the environment; command-line values win over variables.

    Creates the data dir and the secret on first use, so a fresh machine needs no set-up.
    """
    env = os.environ if environ is None else environ
    folder = Path(
        data_dir or env.get("SHOPCARE_DATA_DIR") or platformdirs.user_data_dir("shopcare")
    )
    folder = folder.expanduser().resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # see shopcare.data_dir
    except OSError as exc:
        raise ConfigError(f"cannot create data dir {folder}: {exc.strerror}") from None
    the_host = host or env.get("SHOPCARE_HOST") or "127.0.0.1"
    the_port = _parse_port(port if port is not None else env.get("SHOPCARE_PORT", "8080"))
    public = env.get("SHOPCARE_PUBLIC_URL") or f"http://{_reachable(the_host)}:{the_port}"
    if not public.startswith(("http://", "https://")):
        raise ConfigError(
            f"SHOPCARE_PUBLIC_URL must start with http:// or https://, got {public!r}"
        )
    return Settings(
        data_dir=folder,
        database_url=env.get("SHOPCARE_DATABASE_URL") or f"sqlite:///{folder / 'shopcare.db'}",
        host=the_host,
        port=the_port,
        public_url=public.rstrip("/"),
        secret=env.get("SHOPCARE_SECRET") or _kept_secret(folder),
        smtp=parse_smtp_url(env["SHOPCARE_SMTP_URL"]) if env.get("SHOPCARE_SMTP_URL") else None,
        root_path=parse_root_path(env.get("SHOPCARE_ROOT_PATH", "")),
        forwarded_allow_ips=_parse_allow_ips(env.get("SHOPCARE_FORWARDED_ALLOW_IPS", "")),
        secret_from_env=bool(env.get("SHOPCARE_SECRET")),
        public_url_given=bool(env.get("SHOPCARE_PUBLIC_URL")),
        dkim=_parse_dkim(env),
    )


_ROOT_PATH = re.compile(r"(/[A-Za-z0-9._~-]+)+")


def parse_root_path(value: str) -> str:
    """``/track-app`` from ``track-app/`` or ``/track-app``; "" for the root."""
    path = "/" + value.strip().strip("/") if value.strip().strip("/") else ""
    if path and not _ROOT_PATH.fullmatch(path):
        raise ConfigError(
            f"SHOPCARE_ROOT_PATH must be a plain path such as /track-app, got {value!r}"
        )
    return path


def _parse_allow_ips(value: str) -> str:
    entries = [part.strip() for part in value.split(",") if part.strip()]
    if not entries:
        return "127.0.0.1"
    for entry in entries:
        if entry != "*" and not re.fullmatch(r"[0-9A-Fa-f.:/]+", entry):
            raise ConfigError(
                f"SHOPCARE_FORWARDED_ALLOW_IPS takes IP addresses or networks, got {entry!r}"
            )
    return ",".join(entries)


def _parse_dkim(env: Mapping[str, str]) -> DkimConfig | None:
    """An environment setting like ``SHOPCARE_SMTP_URL``, not a stored one: it belongs to
    the mail server ShopCare hands mail to, and the key it names lives in the data dir."""
    domain = env.get("SHOPCARE_DKIM_DOMAIN", "").strip()
    if not domain:
        return None
    return DkimConfig(
        domain=parse_domain_name(domain, "SHOPCARE_DKIM_DOMAIN"),
        selector=parse_selector(
            env.get("SHOPCARE_DKIM_SELECTOR", "").strip() or "shopcare", "SHOPCARE_DKIM_SELECTOR"
        ),
    )


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def parse_domain_name(value: str, what: str) -> str:
    """``example.com`` from ``Example.COM.``; an internationalised name in its ASCII form
    (``xn--…``), as DNS and DKIM's ``d=`` need it. ``what`` names the input in the error."""
    name = _ascii_name(value)
    labels = name.split(".")
    if (
        len(labels) < 2
        or len(name) > 253
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ConfigError(f"{what} must be a domain name such as example.com, got {value!r}")
    return name


def parse_selector(value: str, what: str) -> str:
    """A DKIM selector: one or more DNS labels, e.g. ``shopcare`` or ``2026.shopcare``."""
    name = _ascii_name(value)
    if not name or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        raise ConfigError(
            f"{what} must be letters, digits and hyphens, such as shopcare, got {value!r}"
        )
    return name


def _ascii_name(value: str) -> str:
    name = value.strip().rstrip(".").lower()
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return ""  # an empty or too long label: no name, which every check refuses


def with_public_url(settings: Settings, url: str) -> Settings:
    return replace(settings, public_url=url.rstrip("/"), public_url_given=True)


def parse_smtp_url(url: str) -> SmtpConfig:
    parts = urlsplit(url)
    if parts.scheme not in _SMTP_SCHEMES:
        known = ", ".join(f"{s}://" for s in _SMTP_SCHEMES)
        raise ConfigError(f"SHOPCARE_SMTP_URL must start with one of {known}")
    if not parts.hostname:
        raise ConfigError("SHOPCARE_SMTP_URL has no host")
    security, default_port = _SMTP_SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ConfigError("SHOPCARE_SMTP_URL has a bad port") from None
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def _parse_port(value: int | str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ConfigError(f"port must be a number, got {value!r}") from None
    if not 1 <= port <= 65535:
        raise ConfigError(f"port must be between 1 and 65535, got {port}")
    return port


def _reachable(host: str) -> str:
    return "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104


def _kept_secret(folder: Path) -> str:
    path = folder / "secret.key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(value, encoding="utf-8")
    return value
