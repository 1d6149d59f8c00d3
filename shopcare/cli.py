"""Command line: parse, call one thing, print, exit code. 0 ok, 2 a user mistake (one line)."""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import getpass
import importlib.util
import socket
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from shopcare import __version__
from shopcare.config import (
    VARIABLES,
    ConfigError,
    DkimConfig,
    Settings,
    load_settings,
    parse_domain_name,
    parse_selector,
)
from shopcare.services.accounts.demo_password import DemoPassword
from shopcare.services.errors import InputError

if TYPE_CHECKING:
    from shopcare.app import ShopCare
    from shopcare.services.setup.probes import Probe

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line that says what to fix, instead of argparse's usage block."""
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    env_help = "\n".join(f"  {v.name:<22} {v.help} Default: {v.default}." for v in VARIABLES)
    parser = _Parser(
        prog="shopcare",
        description="ShopCare: tracking, notifications and returns for one online shop.",
        epilog=f"environment:\n{env_help}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"shopcare {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    run = commands.add_parser("run", help="start the web app and the scheduler")
    run.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=_port, help="port to listen on (default 8080)")
    run.add_argument("--data-dir", help="folder for the database and files")
    run.add_argument("--demo", action="store_true", help="seed a demo shop into an empty store")
    run.add_argument(
        "--native", action="store_true", help="open the admin in a desktop window (extra: desktop)"
    )

    poll = commands.add_parser("poll", help="ask the carriers once about every due shipment")
    poll.add_argument("--data-dir", help="folder for the database and files")

    check = commands.add_parser(
        "check",
        help="check the store, mail server, carriers, public address and backups, and what "
        "the setup misses; exit 1 on any failure, each with its fix",
    )
    check.add_argument("--data-dir", help="folder for the database and files")

    password = commands.add_parser("set-password", help="create an admin or change its password")
    password.add_argument("--user", default="admin", help="user name (default admin)")
    password.add_argument("--data-dir", help="folder for the database and files")

    rotate = commands.add_parser(
        "rotate-secret",
        help="replace DATA_DIR/secret.key and re-seal the stored secrets (ShopCare stopped)",
    )
    rotate.add_argument("--data-dir", help="folder for the database and files")

    dkim = commands.add_parser(
        "dkim",
        help="make the DKIM key for a domain and print the SPF, DKIM and DMARC records",
    )
    dkim.add_argument("--domain", required=True, help="the domain of the shop's From address")
    dkim.add_argument("--selector", default="shopcare", help="DKIM selector (default shopcare)")
    dkim.add_argument(
        "--rotate", action="store_true", help="replace an existing key (publish the new record)"
    )
    dkim.add_argument("--data-dir", help="folder for the database and files")

    csv_in = commands.add_parser("import", help="import orders (or tracking numbers) from a CSV")
    csv_in.add_argument("file", help="a Shopify or WooCommerce export, or a generic/tracking CSV")
    csv_in.add_argument(
        "--format",
        choices=["shopify", "woocommerce", "generic", "tracking"],
        help="the file's format (default: told by its header)",
    )
    csv_in.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    csv_in.add_argument("--report", help="write every rejected row and warning to this CSV")
    csv_in.add_argument("--data-dir", help="folder for the database and files")

    backup = commands.add_parser(
        "backup", help="write a backup archive of the store and uploads (ShopCare may run)"
    )
    backup.add_argument(
        "file", nargs="?", help="archive to write (default: the backup folder, dated name)"
    )
    backup.add_argument("--data-dir", help="folder for the database and files")

    restore = commands.add_parser(
        "restore", help="replace the store with a backup (ShopCare stopped; the old one kept)"
    )
    restore.add_argument("file", help="a backup archive made by shopcare backup")
    restore.add_argument("--data-dir", help="folder for the database and files")

    move = commands.add_parser(
        "migrate-store", help="copy the store into an empty PostgreSQL database (ShopCare stopped)"
    )
    move.add_argument("--to", required=True, help="postgresql+psycopg://user:pass@host/db")
    move.add_argument("--data-dir", help="folder for the database and files")
    _shopper_parser(commands)
    return parser


def _shopper_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    shopper = commands.add_parser(
        "shopper", help="one shopper's data, by email: export it as JSON, or erase it (GDPR)"
    )
    actions = shopper.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    export = actions.add_parser("export", help="write every row that names the shopper as JSON")
    export.add_argument("email", help="the shopper's email address")
    export.add_argument("--out", help="file to write (default: print it)")
    export.add_argument("--data-dir", help="folder for the database and files")
    erase = actions.add_parser(
        "erase", help="erase the shopper's personal data; the shop's figures stay (no undo)"
    )
    erase.add_argument("email", help="the shopper's email address")
    erase.add_argument("--yes", action="store_true", help="yes, erase it: there is no undo")
    erase.add_argument("--data-dir", help="folder for the database and files")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, got {port}")
    return port


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _refuse_missing_extra(args)
        settings = load_settings(
            data_dir=args.data_dir,
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
        return _COMMANDS[args.command](settings, args)
    except (ConfigError, InputError) as exc:
        print(f"shopcare: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130


def _run(settings: Settings, args: argparse.Namespace) -> int:
    _refuse_unusable_address(settings.host, settings.port)
    # Loading the app makes ~300,000 objects that live as long as the process: collecting
    # garbage while they are made costs ~10 % of start-up and finds nothing. The collector
    # is back on, with all of it frozen, once the server has started (app.freeze_startup_objects).
    gc.disable()
    demo_password = DemoPassword() if args.demo else None  # hashed while the app loads

    from shopcare.app import serve

    serve(settings, demo=args.demo, native=args.native, demo_password=demo_password)
    return 0


def _refuse_missing_extra(args: argparse.Namespace) -> None:
    """Before anything is read or made: ``--native`` without pywebview would otherwise
    fail only after the store is opened and the server has started."""
    if getattr(args, "native", False) and importlib.util.find_spec("webview") is None:
        raise InputError("--native needs the desktop extra: pip install 'shopcare[desktop]'")


def _refuse_unusable_address(host: str, port: int) -> None:
    """Bind once, as the server will, before the store is touched: a taken port must not
    seed a demo shop or print a password for a server that never starts."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind((host, port))
    except socket.gaierror:
        raise InputError(f"cannot listen on {host!r}: no such address; check --host") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputError(
                f"port {port} on {host} is in use by another program; "
                "stop it or choose another port with --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise InputError(
                f"no permission to listen on port {port}; choose a port above 1023 with --port"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise InputError(f"{host} is not an address of this machine; check --host") from None
        raise


def _poll(settings: Settings, _args: argparse.Namespace) -> int:
    from shopcare.app import build

    app = build(settings)
    report = asyncio.run(app.poll_once())
    print(
        f"polled {report.polled} shipments: {report.changed} changed, "
        f"{report.new_events} new events, {report.errors} errors"
    )
    return 0


def _check(settings: Settings, _args: argparse.Namespace) -> int:
    """The configuration, then each probe of ``services.setup.probes`` (a failure comes with
    its one-line fix), then what the setup misses; exit 1 when anything failed or is missing."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from shopcare.app import build

    print(f"data dir: {settings.data_dir}")
    try:
        app = build(settings)
    except (SQLAlchemyError, CommandError) as exc:  # damaged, unreachable or newer store
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"failed: database: cannot open or upgrade the store: {reason}")
        print(
            "  fix: check SHOPCARE_DATABASE_URL; a damaged or newer store: restore a backup "
            "(shopcare restore FILE)"
        )
        return 1
    _print_configuration(app, settings)
    probes = asyncio.run(_probed(app))
    for probe in probes:
        print(f"{probe.outcome}: {probe.name}: {probe.detail}")
        if probe.failed:
            print(f"  fix: {probe.fix}")
    setup = app.setup_checklist()
    for item in setup.missing:
        print(f"missing: {item.title}: {item.how}")
    for item in setup.advice:
        print(f"not yet: {item.title}: {item.how}")
    app.engine.dispose()
    if setup.missing:
        print("shopper messages wait in the outbox until the missing items are set (/admin/start)")
    return 1 if setup.missing or any(p.failed for p in probes) else 0


def _print_configuration(app: ShopCare, settings: Settings) -> None:
    from shopcare.db.migrate import is_current
    from shopcare.services.secrets_at_rest.stored import unreadable_secrets
    from shopcare.services.setup.address import address_warnings

    server = app.mail_server()
    mail = f"SMTP {server.host}:{server.port}" if server else "dev mailbox"
    print(f"database: {app.engine.url.render_as_string(hide_password=True)}")
    print(f"schema current: {is_current(app.engine)}")
    print(f"public address: {app.public_url}")
    for warning in address_warnings(app.public_url):
        print(f"warning: public address: {warning}")
    print(f"mail: {mail}")
    print(f"dkim: {_dkim_state(settings)}")
    print(f"carriers: {', '.join(app.carrier_names)}")
    if unreadable := unreadable_secrets(app.sessions):
        print(f"stored secrets: {unreadable} cannot be opened with this secret: enter them again")


async def _probed(app: ShopCare) -> list[Probe]:
    from shopcare.services.setup.probes import run_probes

    try:
        return await run_probes(app.probe_inputs())
    finally:
        await app.http.aclose()


def _dkim_state(settings: Settings) -> str:
    from shopcare.services.messages.dkim import key_problem

    if settings.dkim is None:
        return "off (ShopCare does not sign; see shopcare dkim)"
    d = settings.dkim
    problem = key_problem(settings.data_dir, domain=d.domain, selector=d.selector)
    if problem:
        return f"{problem}; mail goes out unsigned"
    where = "" if settings.smtp else " (once SHOPCARE_SMTP_URL is set)"
    return f"signing mail from {d.domain} with selector {d.selector}{where}"


def _set_password(settings: Settings, args: argparse.Namespace) -> int:
    from shopcare.app import build
    from shopcare.services.accounts.auth import set_password

    app = build(settings)
    if sys.stdin.isatty():
        password = getpass.getpass(f"New password for {args.user}: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    set_password(app.sessions, username=args.user, password=password, now=app.clock())
    print(f"password set for {args.user}")
    return 0


def _rotate_secret(settings: Settings, _args: argparse.Namespace) -> int:
    from shopcare.app import build
    from shopcare.services.secrets_at_rest.box import SecretBox
    from shopcare.services.secrets_at_rest.key_file import (
        install_pending,
        new_secret,
        pending_secret,
        write_pending,
    )
    from shopcare.services.secrets_at_rest.stored import reseal_secrets

    if settings.secret_from_env:
        raise InputError(
            "SHOPCARE_SECRET is set: secret.key is not used; to rotate, stop ShopCare, "
            "set SHOPCARE_SECRET to a new value and re-enter the stored credentials"
        )
    app = build(settings)  # also seals values an older version kept in plain text
    secret = new_secret()
    box = SecretBox(secret, settings.secret, *pending_secret(settings.data_dir))
    write_pending(settings.data_dir, secret)
    done = reseal_secrets(app.sessions, box)
    app.engine.dispose()
    install_pending(settings.data_dir)
    print(
        f"new secret in {settings.data_dir / 'secret.key'}; {done.changed} stored secrets re-sealed"
    )
    if done.unreadable:
        print(
            f"{done.unreadable} stored secrets could not be opened with the old secret either: "
            "enter them again in the admin"
        )
    print("admin sign-ins and shoppers' open sign-in links end: sign in to the admin again")
    return 0


def _dkim(settings: Settings, args: argparse.Namespace) -> int:
    from shopcare.app import build
    from shopcare.services.messages.dkim import set_up_domain

    domain = parse_domain_name(args.domain, "--domain")
    selector = parse_selector(args.selector, "--selector")
    app = build(settings)  # the support address for DMARC reports is in the store
    setup = set_up_domain(
        app.sessions,
        settings.data_dir,
        domain=domain,
        selector=selector,
        smtp_host=settings.smtp.host if settings.smtp else None,
        rotate=args.rotate,
    )
    app.engine.dispose()
    print(f"{'new' if setup.key.created else 'existing'} DKIM key: {setup.key.path}")
    print(f"\n{setup.explanation}\n\nAdd these TXT records to the DNS of {domain}:")
    for record in setup.records:
        print(f"\n{record.purpose}: {record.name} TXT\n  {record.value}")
        if record.note:
            print(f"  ({record.note})")
    print(f"\nIn a zone file the DKIM value is split:\n  {setup.records[1].zone_line()}")
    if settings.dkim == DkimConfig(domain=domain, selector=selector):
        print(f"\nShopCare signs mail from {domain} with this key.")
    else:
        also = "" if selector == "shopcare" else f" and SHOPCARE_DKIM_SELECTOR={selector}"
        print(
            f"\nOnce the DKIM record is published, set SHOPCARE_DKIM_DOMAIN={domain}{also} "
            "and restart ShopCare: it then signs the mail it sends through SHOPCARE_SMTP_URL."
        )
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from shopcare.app import build
    from shopcare.services.intake.csv_formats import CsvFormat
    from shopcare.services.intake.csv_import import ImportOptions, import_csv, summary
    from shopcare.services.intake.csv_report import report_csv, report_lines
    from shopcare.services.shop.profile import get_profile

    app = build(settings)
    options = ImportOptions(
        now=app.clock(),
        carriers=app.carrier_names,
        zone=get_profile(app.sessions).zone,
        format=CsvFormat(args.format) if args.format else None,
        dry_run=args.dry_run,
    )
    report = import_csv(app.sessions, Path(args.file), options)
    print(summary(report))
    for line in report_lines(report):
        print(line)
    if args.report:
        Path(args.report).write_text(report_csv(report), encoding="utf-8")
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from shopcare.services.backups.archive import make_backup
    from shopcare.services.backups.schedule import back_up_now, configured_folder

    now = datetime.now(UTC)
    if args.file:
        target = Path(args.file).expanduser().resolve()
        if target.is_dir():
            raise InputError(f"{args.file} is a folder; give the archive's file name")
        manifest = make_backup(settings.database_url, settings.data_dir, target, now=now)
    else:
        folder = configured_folder(settings.database_url, settings.data_dir)
        made = back_up_now(settings.database_url, settings.data_dir, folder, now=now)
        target, manifest = made.path, made.manifest
    size_mb = target.stat().st_size / 1e6
    print(
        f"backup: {target} ({manifest.rows} rows in {len(manifest.tables)} tables, "
        f"{len(manifest.files) - 1} uploads, {size_mb:.1f} MB, schema {manifest.schema_revision})"
    )
    print("secret.key is not in the archive: keep a copy of it apart to restore on a new machine")
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    from shopcare.services.backups.restore import restore_backup

    done = restore_backup(
        Path(args.file).expanduser(),
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        now=datetime.now(UTC),
    )
    made = done.manifest
    print(
        f"restored {args.file}: made {made.made_at:%Y-%m-%d %H:%M} UTC by ShopCare "
        f"{made.app_version}, {made.rows} rows"
        + (f", schema {made.schema_revision} brought up to date" if done.migrated else "")
    )
    if done.aside is not None:
        print(f"the store it replaced is kept in {done.aside}")
    return 0


def _migrate_store(settings: Settings, args: argparse.Namespace) -> int:
    from shopcare.services.backups.migrate_store import migrate_store

    copied = migrate_store(
        settings.database_url,
        args.to,
        progress=lambda table, rows: print(f"  {table}: {rows} rows", flush=True),
    )
    print(
        f"copied {copied.rows} rows in {len(copied.tables)} tables; counts and checksums "
        "match. Start ShopCare with SHOPCARE_DATABASE_URL set to the new store."
    )
    return 0


def _shopper(settings: Settings, args: argparse.Namespace) -> int:
    from shopcare.app import build
    from shopcare.services.privacy.erase import erase_shopper
    from shopcare.services.privacy.export import find_shopper, save_export, shopper_json

    if args.action == "erase" and not args.yes:
        raise InputError(f"erasing cannot be undone: add --yes to erase {args.email}'s data")
    if args.action == "export" and args.out and Path(args.out).is_dir():
        raise InputError(f"{args.out} is a folder; give the file's name")
    app = build(settings)
    now = datetime.now(UTC)
    where = {"data_dir": settings.data_dir, "mailbox_dir": settings.mailbox_dir}
    if args.action == "export":
        found = find_shopper(app.sessions, args.email, **where)
        if not found.found:
            print(f"nothing found for {found.email}")
        elif args.out:
            save_export(found, Path(args.out), now=now)
            print(f"{found.email}: {_counted(found.counts())}; written to {args.out}")
        else:
            sys.stdout.write(shopper_json(found, now=now).decode() + "\n")
    else:
        erased = erase_shopper(
            app.sessions, args.email, **where, secret=settings.secret, actor="command line",
            now=now,
        )  # fmt: skip
        if erased.found:
            print(f"erased {erased.email}: {_counted(erased.counts)}")
        else:
            print(f"nothing found for {erased.email}")
    app.engine.dispose()
    return 0


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


_COMMANDS = {
    "run": _run,
    "poll": _poll,
    "check": _check,
    "set-password": _set_password,
    "import": _import,
    "rotate-secret": _rotate_secret,
    "dkim": _dkim,
    "backup": _backup,
    "restore": _restore,
    "migrate-store": _migrate_store,
    "shopper": _shopper,
}
