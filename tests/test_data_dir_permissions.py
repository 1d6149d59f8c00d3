"""The data dir is the owner's alone (issue 11, §5): other local users must not read the
carrier keys in the store or its ``-wal`` file, the secret, the mail or shoppers' photos."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from shopcare.app import ShopCare, build
from shopcare.config import Settings
from shopcare.db.models import OrderLine
from shopcare.domain.return_policy import RequestedLine
from shopcare.services.intake.csv_formats import CsvFormat
from shopcare.services.intake.csv_import import ImportReport
from shopcare.services.intake.csv_report import save_report
from shopcare.services.returns.photos import PHOTO_DIR, PhotoUpload
from shopcare.services.returns.requests import ReturnAsk, request_return
from tests.conftest import FakeClock
from tests.services.helpers import make_order
from tests.store import on_postgres, sqlite_only

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Start as a login shell usually does (022: new files readable by everyone), whatever
    an earlier test in this process left; put the old value back afterwards."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def modes(folder: Path) -> dict[str, str]:
    """Every folder and file under ``folder`` (itself as "."), with its permission bits."""
    found = {".": f"{stat.S_IMODE(folder.stat().st_mode):o}"}
    for top, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            path = Path(top) / name
            found[str(path.relative_to(folder))] = f"{stat.S_IMODE(path.lstat().st_mode):o}"
    return found


def return_with_photo(shopcare: ShopCare) -> None:
    """A shopper's return with one photo, through the same service the portal calls."""
    order = make_order(shopcare, number="2001", tracking="")
    with shopcare.sessions() as session:
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).first()
    assert line is not None and line.id is not None
    request_return(
        shopcare.sessions,
        ReturnAsk(
            order_token=order.public_token,
            lines=(RequestedLine(line.id, 1, "damaged"),),
            photos=[PhotoUpload("a.jpg", JPEG)],
        ),
        now=shopcare.clock(),
        photo_dir=shopcare.settings.data_dir / PHOTO_DIR,
    )


async def test_a_fresh_data_dir_and_everything_shopcare_writes_in_it_are_owner_only(
    shopcare: ShopCare,
) -> None:
    return_with_photo(shopcare)
    await shopcare.dispatch_once()
    save_report(
        shopcare.settings.data_dir, 1, ImportReport(format=CsvFormat.GENERIC, dry_run=False)
    )
    found = modes(shopcare.settings.data_dir)
    kinds = {name.split("/")[0] for name in found}
    store_files = set() if on_postgres() else {"shopcare.db", "shopcare.db-wal", "shopcare.db-shm"}
    assert {*store_files, "secret.key"} <= kinds
    assert {"mailbox", PHOTO_DIR, "imports"} <= kinds
    assert any(name.endswith(".eml") for name in found)
    assert any(name.startswith(f"{PHOTO_DIR}/") for name in found)
    folders = {n for n in found if (shopcare.settings.data_dir / n).is_dir()}
    assert {n: m for n, m in found.items() if n in folders} == dict.fromkeys(folders, "700")
    files = set(found) - folders
    assert {n: m for n, m in found.items() if n in files} == dict.fromkeys(files, "600")


@sqlite_only  # loosens the SQLite file's mode; PostgreSQL keeps no store in the data dir
def test_a_loose_data_dir_is_tightened_at_start_and_the_log_says_what_changed(
    settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    build(settings, clock=clock).engine.dispose()
    folder = settings.data_dir
    (folder / "mailbox").mkdir()
    (folder / "mailbox" / "old.eml").write_bytes(b"Subject: hi\r\n\r\nkey inside\r\n")
    for path in [folder, folder / "mailbox"]:
        path.chmod(0o755)
    for path in [folder / "shopcare.db", folder / "secret.key", folder / "mailbox" / "old.eml"]:
        path.chmod(0o644)

    with caplog.at_level(logging.WARNING, logger="shopcare"):
        build(settings, clock=clock).engine.dispose()

    assert set(modes(folder).values()) == {"700", "600"}
    (line,) = [r.getMessage() for r in caplog.records if "data dir" in r.getMessage()]
    assert str(folder) in line
    for change in [". 755→700", "mailbox 755→700", "shopcare.db 644→600", "mailbox/old.eml"]:
        assert change in line


def test_a_private_data_dir_starts_without_a_warning(
    settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    build(settings, clock=clock).engine.dispose()
    with caplog.at_level(logging.WARNING, logger="shopcare"):
        build(settings, clock=clock).engine.dispose()
    assert not [r for r in caplog.records if "data dir" in r.getMessage()]
    assert modes(settings.data_dir)["."] == "700"


def test_a_return_photo_is_kept_owner_only(shopcare: ShopCare) -> None:
    return_with_photo(shopcare)
    photo_dir = shopcare.settings.data_dir / PHOTO_DIR
    (photo,) = photo_dir.iterdir()
    assert photo.read_bytes() == JPEG
    assert f"{stat.S_IMODE(photo.stat().st_mode):o}" == "600"
    assert f"{stat.S_IMODE(photo_dir.stat().st_mode):o}" == "700"


NOBODY = 65534


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_file_another_user_owns_is_named_and_the_start_goes_on(tmp_path: Path) -> None:
    """ShopCare runs as ``nobody`` on a data dir holding a root-owned file it cannot change."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    os.chown(folder, NOBODY, NOBODY)
    (folder / "theirs.csv").write_text("x", encoding="utf-8")
    (folder / "theirs.csv").chmod(0o644)  # root's
    (folder / "ours.eml").write_text("x", encoding="utf-8")
    (folder / "ours.eml").chmod(0o644)
    os.chown(folder / "ours.eml", NOBODY, NOBODY)
    script = (  # imports and enters the folder as root: the parents are root's alone
        "import os, sys; from pathlib import Path; from shopcare.data_dir import keep_private; "
        "os.chdir(sys.argv[1]); os.setgid(65534); os.setuid(65534); "
        "print(keep_private(Path('.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True
    )
    assert "theirs.csv 644 left as it is (Operation not permitted)" in done.stdout
    assert "ours.eml 644→600" in done.stdout and ". 755→700" in done.stdout
    assert modes(folder) == {".": "700", "ours.eml": "600", "theirs.csv": "644"}
