"""The Dockerfile and compose files, without Docker: the image's final stage is read
(ENV, USER, WORKDIR, VOLUME, ENTRYPOINT, CMD, HEALTHCHECK), the checkout is installed into
a fresh venv as the image installs it, and the entrypoint runs there with the image's
environment, its data dir in a temporary folder. The server must answer ``/healthz``, the
image's own health check must pass, and the shopper's lookup and the admin's sign-in must
load. The venv borrows this interpreter's installed packages (``--no-deps``), so it takes
seconds, not a download; ``-m "not slow"`` leaves it out."""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopcare.config import VARIABLES
from tests.conftest import free_port

ROOT = Path(__file__).parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
COMPOSE_POSTGRES = ROOT / "compose.postgres.yaml"


@dataclass
class Stage:
    """What the final stage of a Dockerfile says about the running container."""

    base: str = ""
    env: dict[str, str] = field(default_factory=dict)
    user: str = "root"
    workdir: str = "/"
    volumes: list[str] = field(default_factory=list)
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    ports: list[str] = field(default_factory=list)


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped, as
    Docker reads them (a comment line inside a continued instruction is dropped too)."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = pending + line
        pending = ""
        keyword, _, rest = whole.partition(" ")
        found.append((keyword.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return found


def exec_form(arguments: str) -> list[str]:
    """JSON exec form, as the image should use (no shell between Docker and the process)."""
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
    return value


def env_pairs(arguments: str) -> dict[str, str]:
    words = shlex.split(arguments)
    if words and "=" not in words[0]:  # the old ``ENV KEY value`` form
        return {words[0]: " ".join(words[1:])}
    return dict(w.split("=", 1) for w in words)


def final_stage(text: str) -> Stage:
    stage = Stage()
    for keyword, arguments in instructions(text):
        if keyword == "FROM":
            stage = Stage(base=arguments.split()[0])
        elif keyword == "ENV":
            stage.env.update(env_pairs(arguments))
        elif keyword == "USER":
            stage.user = arguments
        elif keyword == "WORKDIR":
            stage.workdir = str(Path(stage.workdir) / arguments)
        elif keyword == "VOLUME":
            stage.volumes += (
                exec_form(arguments) if arguments.startswith("[") else arguments.split()
            )
        elif keyword == "EXPOSE":
            stage.ports += arguments.split()
        elif keyword == "ENTRYPOINT":
            stage.entrypoint = exec_form(arguments)
        elif keyword == "CMD":
            stage.cmd = exec_form(arguments)
        elif keyword == "HEALTHCHECK":
            options, _, command = arguments.partition("CMD ")
            assert all(o.startswith("--") for o in options.split()), options
            stage.healthcheck = exec_form(command)
    return stage


@pytest.fixture(scope="module")
def image() -> Stage:
    return final_stage(DOCKERFILE.read_text(encoding="utf-8"))


def test_the_image_is_slim_runs_as_a_user_and_keeps_its_data_in_a_volume(image: Stage) -> None:
    assert image.base.startswith("python:") and "slim" in image.base
    assert image.user not in {"root", "0", ""}
    data_dir = image.env["SHOPCARE_DATA_DIR"]
    assert image.volumes == [data_dir]
    assert image.workdir == data_dir  # NiceGUI's .nicegui storage is made where it runs
    assert image.entrypoint == ["shopcare"]
    assert image.cmd == ["run", "--host", "0.0.0.0"]
    assert image.ports == [image.env["SHOPCARE_PORT"]]
    assert "/healthz" in " ".join(image.healthcheck)
    known = {v.name for v in VARIABLES}
    assert {k for k in image.env if k.startswith("SHOPCARE_")} <= known


# --- the image's process, run without Docker ------------------------------------------


def venv_site_packages(venv: Path) -> Path:
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    return Path(purelib)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the checkout installed by pip as the image installs it; its
    dependencies come from this interpreter's site-packages (a .pth file), not a download.
    The venv's own site-packages comes first, so it is the installed copy that runs."""
    venv = tmp_path_factory.mktemp("image") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    borrowed = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (venv_site_packages(venv) / "borrowed.pth").write_text("\n".join(borrowed) + "\n")
    python = venv / "bin" / "python"
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the image has none
    # --ignore-installed: the borrowed site-packages may hold a shopcare of its own, which
    # pip must neither count as installed nor try to remove
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"),
            *("--ignore-installed", "--no-deps", "--no-compile", *isolation, str(ROOT)),
        ],
        check=True,
        timeout=120,
        env=clean,
    )
    where = subprocess.run(
        [str(python), "-c", "import shopcare; print(shopcare.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        env=clean,
        cwd=venv,
    ).stdout
    assert where.startswith(str(venv)), where
    return venv


@dataclass
class Container:
    """The image's process on this machine: its root folders mapped into ``root``."""

    root: Path
    env: dict[str, str]
    cwd: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[str]:
        found = shutil.which(argv[0], path=self.env["PATH"])
        assert found, f"{argv[0]} is not on the image's PATH"
        return subprocess.Popen([found, *argv[1:]], env=self.env, cwd=self.cwd, text=True, **kwargs)


def in_root(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


@pytest.fixture
def container(image: Stage, installed: Path, tmp_path: Path) -> Container:
    root = tmp_path / "root"
    env = {k: (str(in_root(root, v)) if v.startswith("/") else v) for k, v in image.env.items()}
    port = free_port()
    env |= {
        "SHOPCARE_PORT": str(port),  # as ``docker run -e SHOPCARE_PORT=…`` would
        "PATH": f"{installed / 'bin'}:/usr/bin:/bin",
        "HOME": str(in_root(root, image.workdir)),
    }
    cwd = in_root(root, image.workdir)
    cwd.mkdir(parents=True, mode=0o700)  # the image makes it, owned by its user
    return Container(root=root, env=env, cwd=cwd, port=port)


@pytest.fixture
def running(image: Stage, container: Container) -> Iterator[subprocess.Popen[str]]:
    process = container.run(
        image.entrypoint + image.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)  # what ``docker stop`` sends
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_health(process: subprocess.Popen[str], url: str, *, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"the entrypoint exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url}/healthz did not answer 200 within {within_s:g} s")


@pytest.mark.slow
def test_the_entrypoint_serves_health_shoppers_and_the_admin(
    image: Stage, container: Container, running: subprocess.Popen[str]
) -> None:
    wait_for_health(running, container.url, within_s=60)
    health = httpx.get(f"{container.url}/healthz", timeout=5).json()
    assert health["database"]["ok"] is True
    check = container.run(image.healthcheck)
    assert check.wait(timeout=30) == 0, "the image's HEALTHCHECK fails against its own server"
    lookup = httpx.get(f"{container.url}/track", timeout=10)
    assert lookup.status_code == 200 and "<form" in lookup.text
    first = httpx.get(f"{container.url}/admin/login", timeout=10)
    assert first.headers["location"].endswith("/admin/setup")  # no admin yet: make one
    setup = httpx.get(f"{container.url}/admin/setup", timeout=10)
    assert setup.status_code == 200
    # ``docker exec shopcare shopcare set-password``, as docs/operations.md says
    password = container.run(
        [*image.entrypoint, "set-password"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    password.communicate("a long enough password\n", timeout=60)
    assert password.returncode == 0
    login = httpx.get(f"{container.url}/admin/login", timeout=10)
    assert login.status_code == 200 and "nicegui" in login.text.lower()
    data_dir = Path(container.env["SHOPCARE_DATA_DIR"])
    assert (data_dir / "shopcare.db").is_file() and (data_dir / "secret.key").is_file()
    assert [p.name for p in container.root.iterdir()] == ["data"]  # all of it in the volume


@pytest.mark.slow
def test_the_health_check_fails_when_nothing_answers(image: Stage, container: Container) -> None:
    check = container.run(image.healthcheck, stderr=subprocess.DEVNULL)
    assert check.wait(timeout=30) != 0


# --- compose files --------------------------------------------------------------------


def read_yaml(text: str) -> Any:
    """The block-style YAML subset the compose files are written in (mappings, lists of
    scalars or of one-line ``key: value`` items, quoted or plain scalars, comments): enough
    to check them without a YAML library in the project's dependencies."""
    lines = [
        (len(raw) - len(raw.lstrip(" ")), raw.strip())
        for raw in text.splitlines()
        if raw.strip() and not raw.strip().startswith("#")
    ]
    value, rest = _block(lines, 0)
    assert not rest, f"could not read from: {rest[0][1]!r}"
    return value


def _block(lines: list[tuple[int, str]], indent: int) -> tuple[Any, list[tuple[int, str]]]:
    if not lines or lines[0][0] < indent:
        return None, lines
    indent = lines[0][0]
    if lines[0][1].startswith("- "):
        items: list[Any] = []
        while lines and lines[0][0] == indent and lines[0][1].startswith("- "):
            items.append(_scalar(lines[0][1][2:]))
            lines = lines[1:]
        return items, lines
    mapping: dict[str, Any] = {}
    while lines and lines[0][0] == indent:
        key, sep, rest = lines[0][1].partition(":")
        assert sep, f"not a mapping entry: {lines[0][1]!r}"
        lines = lines[1:]
        if rest.strip():
            mapping[key.strip()] = _scalar(rest.strip())
        else:
            mapping[key.strip()], lines = _block(lines, indent + 1)
    return mapping, lines


def _scalar(text: str) -> Any:
    text = text.split(" #", 1)[0].strip()
    if text.startswith("["):
        return json.loads(text)
    if text[:1] in {'"', "'"}:
        assert text[-1] == text[0], f"unterminated string: {text!r}"
        return text[1:-1]
    return text


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return read_yaml(COMPOSE.read_text(encoding="utf-8"))


def test_my_yaml_reading_agrees_with_a_yaml_library_where_one_is_installed() -> None:
    yaml = pytest.importorskip("yaml")
    for path in (COMPOSE, COMPOSE_POSTGRES):
        text = path.read_text(encoding="utf-8")
        assert read_yaml(text) == _as_text(yaml.safe_load(text)), path.name


def _as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return value if value is None or isinstance(value, bool) else str(value)


def test_compose_builds_this_image_and_keeps_the_data_dir_in_a_volume(
    compose: dict[str, Any], image: Stage
) -> None:
    app = compose["services"]["shopcare"]
    assert app["build"] == "."
    assert app["image"].startswith("shopcare")
    volume, target = app["volumes"][0].split(":")
    assert target == image.env["SHOPCARE_DATA_DIR"] and volume in compose["volumes"]
    (published,) = app["ports"]
    host, _, container_port = published.rpartition(":")
    assert container_port == image.env["SHOPCARE_PORT"]
    assert host.startswith("127.0.0.1:"), "the proxy in front reaches it; the world does not"
    known = {v.name for v in VARIABLES}
    assert set(app["environment"]) <= known
    assert "SHOPCARE_PUBLIC_URL" in app["environment"]


def test_the_postgresql_variant_adds_a_database_to_the_same_service(
    compose: dict[str, Any],
) -> None:
    overlay = read_yaml(COMPOSE_POSTGRES.read_text(encoding="utf-8"))
    app = overlay["services"]["shopcare"]
    assert set(overlay["services"]) == {"shopcare", "db"}
    assert "image" not in app and "build" not in app  # the one from compose.yaml
    url = app["environment"]["SHOPCARE_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db/" in url
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    db = overlay["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert set(overlay["volumes"]).isdisjoint(compose["volumes"])


def test_the_wheel_gets_what_the_image_copies(image: Stage) -> None:
    """``.dockerignore`` lets through what the build stage copies, and nothing of the
    developer's checkout beyond it (a local .venv or data dir in the build context)."""
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = set()
    for keyword, arguments in instructions(DOCKERFILE.read_text(encoding="utf-8")):
        if keyword == "COPY" and not arguments.startswith("--from"):
            copied |= {Path(p).parts[0] for p in arguments.split()[:-1]}
    assert copied == allowed
    assert "*" in ignore
