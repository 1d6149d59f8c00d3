"""What the browser tests look at: screenshots, the layout's width, axe-core's verdict and
the bytes a page costs. Artefacts go to ``test-artifacts/`` at the repository root (ignored by
git; CI keeps the folder), so a reviewer can see the pages without running anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG named for what it shows, e.g. ``tracking-en-360.png``."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def page_width(page: Page) -> int:
    """How wide the document lays out: more than the viewport means sideways scrolling."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


def wider_than_viewport(page: Page) -> list[str]:
    """The elements that stick out past the right edge (or left, in RTL), to name the culprit
    in a failure; empty when the page fits."""
    found = page.evaluate(
        """() => {
            const w = document.documentElement.clientWidth, out = [];
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width && (r.right > w + 0.5 || r.left < -0.5)) {
                    const cls = el.className && typeof el.className === 'string'
                        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                    out.push(`${el.tagName.toLowerCase()}${cls} (${Math.round(r.left)}..`
                             + `${Math.round(r.right)} px)`);
                }
            }
            return out.slice(0, 10);
        }"""
    )
    return [str(item) for item in found]


def run_axe(page: Page, name: str) -> list[dict[str, Any]]:
    """Inject axe-core, run every rule on the page, save the full result as
    ``test-artifacts/axe/{name}.json`` and return the violations (with their impact).

    The page's CSP allows no scripts: the context must be made with ``bypass_csp=True``."""
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS}: run `npm ci` in tests/browser (scripts/test-deps)")
    page.add_script_tag(path=str(AXE_JS))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    path = ARTIFACTS / "axe" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def axe_summary(violations: list[dict[str, Any]]) -> list[str]:
    """One line per rule: id, impact, how many elements, and the first elements' selectors."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        lines.append(f"{v['id']} [{v['impact']}] x{len(v['nodes'])}: {'; '.join(targets)}")
    return lines


def transferred_bytes(page: Page) -> dict[str, Any]:
    """What the page cost over the wire, from the Performance API: the document and every
    subresource, by URL (``transferSize`` includes the response headers)."""
    entries: list[dict[str, Any]] = page.evaluate(
        """() => performance.getEntriesByType('navigation')
                .concat(performance.getEntriesByType('resource'))
                .map(e => ({url: e.name, type: e.initiatorType || 'navigation',
                            transfer: e.transferSize, body: e.encodedBodySize,
                            decoded: e.decodedBodySize}))"""
    )
    return {"entries": entries}


def write_json(name: str, value: Any) -> Path:
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1), encoding="utf-8")
    return path
