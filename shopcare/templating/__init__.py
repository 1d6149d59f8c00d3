"""The one way ShopCare makes a Jinja2 environment, for emails and for public pages alike:
autoescaped HTML, strict about missing values, strings marked for translation."""

from __future__ import annotations

from gettext import NullTranslations
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shopcare.templating.sandbox import BoundedSandbox


def jinja_environment(
    folder: Path, *, sandboxed: bool = False, translations: NullTranslations | None = None
) -> Environment:
    """``sandboxed`` for templates the owner may edit, so a mistake cannot reach our objects
    nor run away with our time and memory (render those inside ``templating.limits.bounded``);
    ``translations`` (gettext) for ``_()``, else the strings stay as written."""
    kind = BoundedSandbox if sandboxed else Environment
    env = kind(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    if translations is None:
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    else:
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return env
