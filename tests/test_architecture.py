"""Dependencies point one way (STYLE.md): ui, jobs, cli -> services -> domain, db, adapters
(carriers, platforms, notify, pdf); adapters and db -> domain; domain -> nothing but the
standard library. Imports are read however they are written: absolute, relative, ``from
shopcare import x``, ``importlib.import_module`` and ``__import__``; the tests at the end
plant each form in a copy of the package to prove the checks catch it."""

import ast
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "shopcare"

_SERVICES = {
    "services", "domain", "db", "carriers", "platforms", "notify", "pdf", "paths", "data_dir"
}  # fmt: skip
ALLOWED: dict[str, set[str]] = {
    "domain": {"domain"},
    "db": {"db", "domain"},
    "carriers": {"carriers", "domain", "retry_after"},
    "platforms": {"platforms", "domain", "carriers", "retry_after"},
    "notify": {"notify", "domain", "config", "templating", "retry_after", "catalogs"},
    "pdf": {"pdf", "paths"},
    "services": _SERVICES | {"catalogs"},
    "ui": {"ui", "services", "domain", "app", "paths", "db.migrate", "templating", "catalogs"},
    # The top-level modules: small leaves, and the two entry points.
    "config": set(),
    "paths": set(),
    "retry_after": set(),
    "catalogs": {"paths"},
    "templating": {"templating", "paths", "catalogs"},
    "data_dir": set(),
    "jobs": set(),
    "job_runs": {"services"},
    "__main__": {"cli"},
    "cli": {"__init__", "app", "config", "services", "db.migrate"},
    "app": _SERVICES | {"config", "data_dir", "jobs", "job_runs", "ui"},
}
"""Who may import what. ``__init__`` is the package itself (``from shopcare import
__version__``); the composition root ``app`` may wire anything but the CLI."""

_ENV = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})


def layer_files(root: Path, layer: str) -> list[Path]:
    folder = root / layer
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [root / f"{layer}.py"]


def shopcare_imports(path: Path, root: Path) -> set[str]:
    """Every shopcare module ``path`` imports, relative to the package ("db.models"); a
    dynamic import whose name is not written out is reported as "<dynamic>"."""
    here = path.relative_to(root).with_suffix("").parts[:-1]  # the file's package
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(_inside(a.name) for a in node.names if _is_ours(a.name))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, here)
            if base is None:
                continue
            if base == "shopcare":  # from shopcare import db / __version__
                found.update(_member(root, a.name) for a in node.names)
            elif _is_ours(base):
                found.add(_inside(base))
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            found.update(_dynamic_target(node))
    return found


def _is_ours(name: str) -> bool:
    return name == "shopcare" or name.startswith("shopcare.")


def _inside(name: str) -> str:
    return name.removeprefix("shopcare").removeprefix(".") or "__init__"


def _absolute(node: ast.ImportFrom, here: tuple[str, ...]) -> str | None:
    if node.level == 0:
        return node.module
    if node.level - 1 > len(here):
        return None  # above the package: not ours
    parts = ["shopcare", *here[: len(here) - (node.level - 1)]]
    return ".".join(parts + ([node.module] if node.module else []))


def _member(root: Path, name: str) -> str:
    is_module = (root / name).is_dir() or (root / f"{name}.py").is_file()
    return name if is_module else "__init__"


def _is_dynamic_import(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in {"import_module", "__import__"}


def _dynamic_target(call: ast.Call) -> Iterator[str]:
    target = call.args[0] if call.args else None
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        if _is_ours(target.value):
            yield _inside(target.value)
        return
    if isinstance(target, ast.JoinedStr) and target.values:  # f"shopcare.carriers.{name}"
        head = target.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            written = head.value.rsplit(".", 1)[0]
            if _is_ours(written):
                yield _inside(written)
            if written.startswith("shopcare.") or not head.value.startswith("shopcare"):
                return
    yield "<dynamic>"


def layer_violations(root: Path, layers: tuple[str, ...] = tuple(ALLOWED)) -> list[str]:
    wrong = []
    for layer in layers:
        allowed = ALLOWED[layer]
        for path in layer_files(root, layer):
            for module in sorted(shopcare_imports(path, root)):
                if not any(module == ok or module.startswith(ok + ".") for ok in allowed):
                    wrong.append(f"{path.relative_to(root)} imports shopcare.{module}")
    return wrong


def environment_readers(root: Path) -> list[str]:
    """Files other than config.py that touch the process environment, however imported."""
    readers = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root) == Path("config.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        os_names = {"os"} | {
            a.asname or a.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for a in node.names
            if a.name == "os"
        }
        for node in ast.walk(tree):
            reads = (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and any(a.name in _ENV for a in node.names)
            ) or (
                isinstance(node, ast.Attribute)
                and node.attr in _ENV
                and isinstance(node.value, ast.Name)
                and node.value.id in os_names
            )
            if reads:
                readers.append(str(path.relative_to(root)))
                break
    return readers


def non_stdlib_domain_imports(root: Path) -> list[str]:
    wrong = []
    for path in layer_files(root, "domain"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in {"shopcare", "__future__"}:
                    wrong.append(f"{path.name} imports {name}")
    return wrong


def test_every_module_belongs_to_a_layer() -> None:
    """A new top-level module or folder must be given its place here, or it is unchecked."""
    known = set(ALLOWED) | {"__init__", "db", "locale"}
    found = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"
    }
    assert found - known == set()


def test_each_layer_imports_only_what_it_may() -> None:
    assert layer_violations(PACKAGE) == []


def test_the_domain_uses_the_standard_library_only() -> None:
    assert non_stdlib_domain_imports(PACKAGE) == []


def test_only_config_reads_the_environment() -> None:
    assert environment_readers(PACKAGE) == []


def test_reportlab_lives_only_in_pdf() -> None:
    users = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "reportlab" in p.read_text(encoding="utf-8") and p.parent.name != "pdf"
    ]
    assert users == []


# The checks themselves: each forbidden form, planted in a copy, must be caught.


def _all_but_python(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "shopcare"
    shutil.copytree(PACKAGE, root, ignore=_all_but_python)
    return root


@pytest.mark.parametrize(
    ("file", "planted", "caught"),
    [
        ("domain/planted.py", "from shopcare import db\n", "imports shopcare.db"),
        ("domain/planted.py", "from ..db import models\n", "imports shopcare.db"),
        ("domain/planted.py", "from .. import services\n", "imports shopcare.services"),
        ("domain/planted.py", "import shopcare.db.models as m\n", "imports shopcare.db.models"),
        (
            "domain/planted.py",
            "import importlib\nimportlib.import_module('shopcare.db.models')\n",
            "imports shopcare.db.models",
        ),
        ("domain/planted.py", "__import__('shopcare.services')\n", "imports shopcare.services"),
        (
            "domain/planted.py",
            "from importlib import import_module\nimport_module(NAME)\n",
            "imports shopcare.<dynamic>",
        ),
        ("carriers/planted.py", "from ..services import orders\n", "imports shopcare.services"),
        ("config.py", "from shopcare.ui import admin\n", "config.py imports shopcare.ui"),
        (
            "jobs.py",
            "from shopcare.services import dispatch\n",
            "jobs.py imports shopcare.services",
        ),
        ("paths.py", "import shopcare.db\n", "paths.py imports shopcare.db"),
    ],
)
def test_a_planted_forbidden_import_is_caught(
    copy: Path, file: str, planted: str, caught: str
) -> None:
    path = copy / file
    path.write_text((path.read_text() if path.exists() else "") + planted, encoding="utf-8")
    found = layer_violations(copy, layers=(file.split("/")[0].removesuffix(".py"),))
    assert any(caught in line for line in found), found


@pytest.mark.parametrize(
    "planted",
    [
        "import os\nos.environ['X']\n",
        "from os import environ\n",
        "from os import getenv\n",
        "import os as system\nsystem.getenv('X')\n",
    ],
)
def test_a_planted_environment_read_is_caught(copy: Path, planted: str) -> None:
    (copy / "services" / "planted.py").write_text(planted, encoding="utf-8")
    assert environment_readers(copy) == ["services/planted.py"]


def test_a_planted_third_party_import_in_the_domain_is_caught(copy: Path) -> None:
    (copy / "domain" / "planted.py").write_text("import sqlalchemy\n", encoding="utf-8")
    assert non_stdlib_domain_imports(copy) == ["planted.py imports sqlalchemy"]
