"""The files docs/operations.md ships: the reverse proxies' lists of public and restricted
paths are checked against the routes ShopCare serves (a new shopper page that the proxy
would hide, or an admin path it would open, fails here), and the systemd unit is checked
by systemd itself where ``systemd-analyze`` is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from shopcare.app import ShopCare
from shopcare.ui.api import PREFIX as API_PREFIX
from shopcare.ui.api import mount_api
from shopcare.ui.site import site_app

DOCS = Path(__file__).parent.parent / "docs"
STAFF_ONLY = [
    "/admin",
    "/admin/login",
    "/admin/orders/12",
    "/_nicegui/3.18.0/static/nicegui.js",
    "/_nicegui/client/abc/upload/1",
    "/_nicegui_ws/socket.io/",
    f"{API_PREFIX}/orders",
    f"{API_PREFIX}/openapi.json",
]
NOWHERE = ["/docs", "/openapi.json", "/favicon.ico", "/adminx", "/tracking", "/t", "/api/v2/x"]


def route_paths(app: FastAPI) -> list[str]:
    """Every path of the site app (health, shoppers' pages, webhooks) with its parameters
    filled in; the REST API, mounted on the same app, is left to ``STAFF_ONLY``."""
    found: list[str] = []

    def walk(routes: list[object], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif not str(getattr(route, "path", "")).startswith(API_PREFIX):
                found.append(prefix + route.path)  # type: ignore[attr-defined]

    walk(list(app.routes), "")
    return sorted({re.sub(r"\{[^}]+\}", "tok3n", p) for p in found})


@pytest.fixture
def public_paths(shopcare: ShopCare) -> list[str]:
    site = site_app(shopcare)
    mount_api(site, shopcare)
    paths = route_paths(site)
    assert "/healthz" in paths and "/webhooks/shopify" in paths and "/t/tok3n" in paths
    return paths


# --- nginx ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    modifier: str
    pattern: str
    body: str

    @property
    def kind(self) -> str:
        if "deny all" in self.body:
            return "staff"
        if "return 404" in self.body:
            return "nowhere"
        if "proxy_pass" in self.body:
            return "public"
        return "redirect"


def nginx_locations() -> list[Location]:
    text = (DOCS / "nginx.conf").read_text(encoding="utf-8")
    https = text[text.index("listen 443") :]  # the server block that proxies
    text = "\n".join(line.split("#", 1)[0] for line in https.splitlines())
    return [
        Location(m[1] or "", m[2], m[3])
        for m in re.finditer(r"location\s+(=|~|\^~)?\s*(\S+)\s*\{([^}]*)\}", text)
    ]


def nginx_choice(locations: list[Location], path: str) -> Location:
    """nginx's rule: an exact match; else the longest prefix, unless a regular expression
    (in the order written) matches and the prefix was not ``^~``."""
    for loc in locations:
        if loc.modifier == "=" and loc.pattern == path:
            return loc
    prefixes = [
        loc for loc in locations if loc.modifier in {"", "^~"} and path.startswith(loc.pattern)
    ]
    longest = max(prefixes, key=lambda loc: len(loc.pattern), default=None)
    if longest is None or longest.modifier != "^~":
        for loc in locations:
            if loc.modifier == "~" and re.search(loc.pattern, path):
                return loc
    assert longest is not None, f"no location for {path}"
    return longest


def test_nginx_passes_every_public_route_and_keeps_the_rest_to_staff(
    public_paths: list[str],
) -> None:
    locations = nginx_locations()
    kinds = {p: nginx_choice(locations, p).kind for p in public_paths}
    assert {p for p, k in kinds.items() if k != "public"} == set()
    assert {p: nginx_choice(locations, p).kind for p in STAFF_ONLY} == dict.fromkeys(
        STAFF_ONLY, "staff"
    )
    assert {p: nginx_choice(locations, p).kind for p in NOWHERE} == dict.fromkeys(
        NOWHERE, "nowhere"
    )
    used = {nginx_choice(locations, p) for p in public_paths}
    unused = [loc.pattern for loc in locations if loc.kind == "public" and loc not in used]
    assert unused == [], "public locations that no route of ShopCare needs"


# --- Caddy ----------------------------------------------------------------------------


def caddy_paths(name: str) -> list[str]:
    text = (DOCS / "Caddyfile").read_text(encoding="utf-8")
    live = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    match = re.search(rf"@{name}\s+(?:\{{\s*)?path\s+([^\n]+)", live)
    assert match, f"no @{name} path matcher"
    return match[1].split()


def caddy_matches(patterns: list[str], path: str) -> bool:
    """Caddy's path matcher: exact, or a prefix where the pattern ends in ``*``."""
    return any(path.startswith(p[:-1]) if p.endswith("*") else path == p for p in patterns)


def test_caddy_passes_every_public_route_and_keeps_the_rest_to_staff(
    public_paths: list[str],
) -> None:
    public, staff = caddy_paths("public"), caddy_paths("staff")
    assert [p for p in public_paths if not caddy_matches(public, p)] == []
    assert [p for p in STAFF_ONLY if caddy_matches(public, p) or not caddy_matches(staff, p)] == []
    assert [p for p in NOWHERE if caddy_matches(public + staff, p)] == []
    unused = [p for p in public if not any(caddy_matches([p], route) for route in public_paths)]
    assert unused == [], "public patterns that no route of ShopCare needs"


# --- systemd --------------------------------------------------------------------------


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (DOCS / "shopcare.service").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_unit_listens_locally_and_writes_only_its_data_dir() -> None:
    unit = unit_settings()
    (start,) = unit["ExecStart"]
    assert start.endswith("shopcare run --host 127.0.0.1 --port 8080")
    data_dir = next(
        e.split("=", 1)[1] for e in unit["Environment"] if e.startswith("SHOPCARE_DATA_DIR=")
    )
    assert unit["WorkingDirectory"] == [data_dir]  # NiceGUI writes .nicegui there
    assert unit["ReadWritePaths"] == [data_dir]
    assert unit["ProtectSystem"] == ["strict"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    """Every key known to systemd (an unknown one is only a warning: none is allowed); the
    program, which is not installed here, stands in as /bin/true."""
    text = (DOCS / "shopcare.service").read_text(encoding="utf-8")
    (start,) = unit_settings()["ExecStart"]
    unit = tmp_path / "shopcare.service"
    unit.write_text(text.replace(start.split()[0], "/bin/true"), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stderr.strip()) == (0, "")
