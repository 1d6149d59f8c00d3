"""Dependencies point one way (STYLE.md): ui, jobs, cli -> services -> domain, db, adapters
(carriers, platforms, notify, pdf); adapters and db -> domain; domain -> nothing but the
standard library."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "shopcare"

ALLOWED: dict[str, set[str]] = {
    "domain": {"domain"},
    "db": {"db", "domain"},
    "carriers": {"carriers", "domain", "retry_after"},
    "platforms": {"platforms", "domain", "carriers", "retry_after"},
    "notify": {"notify", "domain", "config", "templating", "retry_after", "catalogs"},
    "pdf": {"pdf", "paths"},
    "services": {
        "services",
        "domain",
        "db",
        "carriers",
        "platforms",
        "notify",
        "pdf",
        "paths",
        "catalogs",
    },
    "ui": {"ui", "services", "domain", "app", "paths", "db.migrate", "templating", "catalogs"},
}


def shopcare_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("shopcare."):
            found.add(node.module.removeprefix("shopcare."))
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("shopcare.")
                for a in node.names
                if a.name.startswith("shopcare.")
            )
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    wrong = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in shopcare_imports(path):
            if not any(module == ok or module.startswith(ok + ".") for ok in ALLOWED[layer]):
                wrong.append(f"{path.relative_to(PACKAGE)} imports shopcare.{module}")
    assert not wrong, "\n".join(wrong)


def test_the_domain_uses_the_standard_library_only() -> None:
    wrong = []
    for path in sorted((PACKAGE / "domain").rglob("*.py")):
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
    assert not wrong, wrong


def test_only_config_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "config.py"
        and (
            "os.environ" in path.read_text(encoding="utf-8")
            or "getenv" in path.read_text(encoding="utf-8")
        )
    ]
    assert readers == []


def test_reportlab_lives_only_in_pdf() -> None:
    users = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "reportlab" in p.read_text(encoding="utf-8") and p.parent.name != "pdf"
    ]
    assert users == []
