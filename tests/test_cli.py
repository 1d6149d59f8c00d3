import importlib.util
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adapters.carrier_server import CarrierServer, Reply
from tests.conftest import free_port, store_env
from tests.store import child_env, sqlite_only


def shopcare(*args: str, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopcare", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=child_env(SHOPCARE_DATA_DIR=str(data_dir)),
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "--port", "abc"), "port must be a number"),
        (("run", "--bogus"), "unrecognized arguments: --bogus"),
        (("frobnicate",), "invalid choice"),
        ((), "required: COMMAND"),
    ],
)
def test_a_user_mistake_exits_2_with_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = shopcare(*args, data_dir=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_poll_runs_one_pass_and_reports(tmp_path: Path) -> None:
    result = shopcare("poll", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("polled 0 shipments")


def test_set_password_refuses_a_short_one(tmp_path: Path) -> None:
    result = shopcare("set-password", data_dir=tmp_path, stdin="short\n")
    assert result.returncode == 2
    assert result.stderr.strip() == "shopcare: the password needs at least 10 characters"
    ok = shopcare(
        "set-password", "--user", "owner", data_dir=tmp_path, stdin="a long enough password\n"
    )
    assert ok.returncode == 0 and "password set for owner" in ok.stdout


def test_check_reports_the_store_and_exits_1_while_the_setup_misses_what_shoppers_need(
    tmp_path: Path,
) -> None:
    result = shopcare("check", data_dir=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "schema current: True" in result.stdout
    assert "mail: dev mailbox" in result.stdout
    missing = [line for line in result.stdout.splitlines() if line.startswith("missing: ")]
    assert [line.split(":")[1].strip() for line in missing] == [
        "Shop name",
        "Support email",
        "Return address",
        "Public address",
    ]
    assert "not yet: Mail server" in result.stdout
    assert "warning: public address: it points at this machine" in result.stdout


def test_check_exits_0_once_the_shop_is_set_up_and_every_probe_passes(
    tmp_path: Path, store_url: str | None, carrier_server: CarrierServer
) -> None:
    from shopcare.app import build
    from shopcare.config import load_settings
    from shopcare.services.setup.address import save_address
    from shopcare.services.shop.profile import update_profile

    app = build(load_settings(store_env(store_url), data_dir=str(tmp_path)))
    update_profile(
        app.sessions,
        name="Kaffee Rösterei",
        support_email="hilfe@roesterei.example",
        return_address="Kaffee Rösterei\nRetouren\nHafenstr. 3\n20457 Hamburg",
    )
    # the public address leads to something that answers as ShopCare's /healthz does
    carrier_server.route("GET", "/healthz", Reply(200, '{"status": "ok", "database": {}}'))
    save_address(app.sessions, carrier_server.url)
    app.engine.dispose()
    if store_url is None:  # daily backups are on: check wants a recent one of the SQLite file
        assert shopcare("backup", data_dir=tmp_path).returncode == 0
    result = shopcare("check", data_dir=tmp_path)
    assert result.returncode == 0, result.stdout
    assert f"public address: {carrier_server.url}" in result.stdout
    assert "ok: database: opens" in result.stdout
    assert f"ok: public address: {carrier_server.url}/healthz answers" in result.stdout
    assert "not checked: mail server" in result.stdout
    assert "missing:" not in result.stdout
    assert "failed:" not in result.stdout


def test_check_exits_1_with_the_fix_when_a_probe_fails(tmp_path: Path) -> None:
    env = child_env(
        SHOPCARE_DATA_DIR=str(tmp_path), SHOPCARE_SMTP_URL=f"smtp://127.0.0.1:{free_port()}"
    )
    result = subprocess.run(
        [sys.executable, "-m", "shopcare", "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("failed: mail server"))
    assert "cannot connect to the mail server" in lines[failed]
    assert lines[failed + 1].startswith("  fix: check the mail server's host, port")
    assert "Traceback" not in result.stderr


@sqlite_only
def test_check_reports_a_store_it_cannot_open_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "shopcare.db").write_bytes(b"this is not a database " * 200)
    result = shopcare("check", data_dir=tmp_path)
    assert result.returncode == 1
    assert "failed: database: cannot open or upgrade the store" in result.stdout
    assert "fix: " in result.stdout
    assert "Traceback" not in result.stderr


def test_help_lists_the_commands_and_variables(tmp_path: Path) -> None:
    result = shopcare("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for word in ("run", "poll", "SHOPCARE_SMTP_URL", "SHOPCARE_DATA_DIR"):
        assert word in result.stdout


def test_run_on_a_taken_port_exits_2_before_touching_the_store(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = shopcare("run", "--demo", "--port", str(port), data_dir=tmp_path / "data")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"shopcare: port {port} on 127.0.0.1 is in use by another program; "
        "stop it or choose another port with --port"
    )
    assert "password" not in result.stdout  # no demo login for a server that never started
    assert not (tmp_path / "data" / "shopcare.db").exists()


def test_run_on_an_address_not_of_this_machine_exits_2(tmp_path: Path) -> None:
    result = shopcare("run", "--host", "192.0.2.1", "--port", "8080", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "shopcare: 192.0.2.1 is not an address of this machine; check --host"
    )


@pytest.mark.skipif(
    importlib.util.find_spec("webview") is not None, reason="the desktop extra is installed"
)
def test_native_without_the_desktop_extra_exits_2_with_the_install_command(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    result = shopcare("run", "--native", "--demo", data_dir=data_dir)
    assert result.returncode == 2
    assert result.stderr == (
        "shopcare: --native needs the desktop extra: pip install 'shopcare[desktop]'\n"
    )
    assert not data_dir.exists()  # refused before the store (or a demo password) was made


@sqlite_only  # backups are online copies of the SQLite file; PostgreSQL has pg_dump
def test_backup_then_restore_into_another_data_dir(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    assert shopcare("poll", data_dir=shop).returncode == 0  # a store exists
    made = shopcare("backup", str(tmp_path / "b.zip"), data_dir=shop)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"backup: {tmp_path / 'b.zip'} (")
    assert "secret.key is not in the archive" in made.stdout
    dated = shopcare("backup", data_dir=shop)  # into the backup folder, dated
    assert dated.returncode == 0, dated.stderr
    assert len(list((shop / "backups").glob("shopcare-*.zip"))) == 1

    done = shopcare("restore", str(tmp_path / "b.zip"), data_dir=tmp_path / "new")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"restored {tmp_path / 'b.zip'}: made ")
    assert (tmp_path / "new" / "shopcare.db").is_file()


@sqlite_only  # restore replaces the SQLite file; on PostgreSQL it refuses before reading
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no backup file at"),
        (b"PK\x03\x04 broken", "is not a ShopCare backup or is damaged"),
    ],
)
def test_restore_of_a_missing_or_damaged_file_exits_2_with_one_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "x.zip"
    if content is not None:
        path.write_bytes(content)
    result = shopcare("restore", str(path), data_dir=tmp_path / "shop")
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "shop" / "shopcare.db").exists()


@sqlite_only  # backups are online copies of the SQLite file; PostgreSQL has pg_dump
def test_backups_and_restored_files_are_the_owners_alone(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    assert shopcare("poll", data_dir=shop).returncode == 0
    archive = tmp_path / "b.zip"
    assert shopcare("backup", str(archive), data_dir=shop).returncode == 0
    assert archive.stat().st_mode & 0o077 == 0
    assert shopcare("restore", str(archive), data_dir=tmp_path / "new").returncode == 0
    assert (tmp_path / "new").stat().st_mode & 0o077 == 0
    assert (tmp_path / "new" / "shopcare.db").stat().st_mode & 0o077 == 0
