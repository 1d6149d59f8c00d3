"""``shopcare shopper export|erase EMAIL`` (issue 15, §5): the JSON of one shopper, an
erasure only with ``--yes``, and a mistake exits 2 with one line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from shopcare.app import build
from shopcare.config import load_settings
from tests.conftest import store_env
from tests.test_cli import shopcare


@pytest.fixture
def demo_dir(tmp_path: Path, store_url: str | None) -> Path:
    """The demo shop's six orders; anna@example.com placed the first."""
    app = build(load_settings(store_env(store_url), data_dir=str(tmp_path)), demo=True)
    app.engine.dispose()
    return tmp_path


def test_export_prints_or_writes_the_shoppers_rows(demo_dir: Path, tmp_path: Path) -> None:
    printed = shopcare("shopper", "export", "Anna@Example.com", data_dir=demo_dir)
    assert printed.returncode == 0, printed.stderr
    document = json.loads(printed.stdout)
    assert document["email"] == "anna@example.com"
    assert [c["name"] for c in document["tables"]["customer"]] == ["Anna Schmidt"]

    out = tmp_path / "anna.json"
    written = shopcare(
        "shopper", "export", "anna@example.com", "--out", str(out), data_dir=demo_dir
    )
    assert written.returncode == 0, written.stderr
    assert f"written to {out}" in written.stdout and "1 shop_order" in written.stdout
    assert json.loads(out.read_text())["tables"]["shop_order"][0]["ship_name"] == "Anna Schmidt"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_erase_needs_yes_then_erases_and_a_second_run_finds_nothing(demo_dir: Path) -> None:
    refused = shopcare("shopper", "erase", "anna@example.com", data_dir=demo_dir)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "shopcare: erasing cannot be undone: add --yes to erase anna@example.com's data"
    ]
    erased = shopcare("shopper", "erase", "anna@example.com", "--yes", data_dir=demo_dir)
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.startswith("erased anna@example.com: 1 customer, 1 shop_order")
    again = shopcare("shopper", "erase", "anna@example.com", "--yes", data_dir=demo_dir)
    assert again.stdout.strip() == "nothing found for anna@example.com"
    export = shopcare("shopper", "export", "anna@example.com", data_dir=demo_dir)
    assert export.stdout.strip() == "nothing found for anna@example.com"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("shopper", "erase", "not-an-address", "--yes"), "'not-an-address' is not an email"),
        (("shopper", "export", "anna@example.com", "--out", "."), ". is a folder"),
        (("shopper",), "required: ACTION"),
        (("shopper", "forget", "anna@example.com"), "invalid choice: 'forget'"),
    ],
)
def test_a_mistake_exits_2_with_one_line(
    demo_dir: Path, args: tuple[str, ...], message: str
) -> None:
    result = shopcare(*args, data_dir=demo_dir)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
