"""The owner's custom CSS for the shopper pages, read with a real CSS tokenizer (tinycss2)
rather than searched for words, so that what is checked is what the browser will read.

A string filter let ``u\\72l(…)``, ``@\\69mport`` and ``input[name=csrf][value^=a]`` with an
https background through: together they read the CSRF token out of the page one character
at a time. So the owner's CSS may style, but not load or read:

- no backslash anywhere (an escape can spell any name), no ``</style``, ``<!--``, ``<script``;
- at-rules only from a list that holds rules, not resources (``@media``, ``@supports``,
  ``@container``, ``@layer``, ``@keyframes``); no ``@import``, ``@font-face``, ``@namespace``…;
- no attribute selectors at all (``[value^=a]``): they are how CSS reads what a form holds;
- functions only from a list of colours, maths, gradients, transforms and selectors: no
  ``url()``, ``image-set()``, ``image()``, ``cross-fade()``, ``element()``, ``attr()``,
  ``expression()``…; images on the pages come from the logo and the shop, which the page's
  Content-Security-Policy names one by one;
- no ``behavior``/``-moz-binding``, no ``javascript:``.

Each refusal says on which line, for the owner to find it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import tinycss2  # type: ignore[import-untyped]
from tinycss2 import ast

from shopcare.domain.branding import MAX_CSS_BYTES, BrandingError

_NESTED_AT_RULES = frozenset({"media", "supports", "container", "layer"})
_KEYFRAMES = frozenset({"keyframes", "-webkit-keyframes"})
_FUNCTIONS = frozenset(
    {
        # colours
        *("rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch"),
        *("color", "color-mix", "light-dark"),
        # maths and variables
        *("calc", "min", "max", "clamp", "var", "round", "mod", "rem", "abs", "sign"),
        # gradients
        *("linear-gradient", "radial-gradient", "conic-gradient"),
        *("repeating-linear-gradient", "repeating-radial-gradient"),
        "repeating-conic-gradient",
        # transforms and animation
        *("translate", "translatex", "translatey", "translatez", "translate3d"),
        *("rotate", "rotatex", "rotatey", "rotatez", "rotate3d"),
        *("scale", "scalex", "scaley", "scalez", "scale3d", "skew", "skewx", "skewy"),
        *("matrix", "matrix3d", "perspective", "cubic-bezier", "steps"),
        # filters and shadows
        *("blur", "brightness", "contrast", "drop-shadow", "grayscale", "hue-rotate"),
        *("invert", "opacity", "saturate", "sepia"),
        # layout and text
        *("minmax", "repeat", "fit-content", "counter", "counters"),
        # selectors
        *("not", "is", "where", "has", "nth-child", "nth-last-child", "nth-of-type"),
        *("nth-last-of-type", "lang", "dir"),
    }
)
_PROPERTIES_REFUSED = frozenset({"behavior", "-moz-binding", "-ms-behavior"})


def check_css(css: str) -> None:
    """Raise BrandingError saying where and what, unless ``css`` only styles the page."""
    if len(css.encode()) > MAX_CSS_BYTES:
        raise BrandingError(f"Custom CSS may be at most {MAX_CSS_BYTES // 1024} KB.")
    lowered = css.lower()
    for word in ("</style", "<!--", "<script"):
        if word in lowered:
            raise _refusal(css, lowered.index(word), f"may not contain {word}")
    if "\\" in css:
        raise _refusal(
            css,
            css.index("\\"),
            "may not contain a backslash: an escape such as \\72 can disguise url( or "
            "@import, so write names out in full",
        )
    _check_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _check_rules(rules: Iterable[Any]) -> None:
    for rule in rules:
        if isinstance(rule, ast.ParseError):
            _refuse(rule, f"cannot be read ({rule.message})")
        elif isinstance(rule, ast.AtRule):
            _check_at_rule(rule)
        elif isinstance(rule, ast.QualifiedRule):
            _check_selector(rule.prelude)
            _check_declarations(rule.content)


def _check_at_rule(rule: ast.AtRule) -> None:
    name = rule.lower_at_keyword
    if name not in _NESTED_AT_RULES and name not in _KEYFRAMES:
        _refuse(
            rule,
            f"may not use @{name}" + ("; paste the rules themselves" if name == "import" else ""),
        )
    _check_values(rule.prelude)
    if rule.content is None:
        return
    if name in _KEYFRAMES:
        for frame in tinycss2.parse_rule_list(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            if isinstance(frame, ast.QualifiedRule):
                _check_values(frame.prelude)
                _check_declarations(frame.content)
            else:
                _check_rules([frame])
    else:
        _check_rules(
            tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
        )


def _check_selector(prelude: list[Any]) -> None:
    for token in _walk(prelude):
        if isinstance(token, ast.SquareBracketsBlock):
            _refuse(
                token,
                "may not use attribute selectors such as [value^=…]: they can read what "
                "the page's forms hold",
            )
    _check_values(prelude)


def _check_declarations(content: list[Any] | None) -> None:
    if content is None:
        return
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if isinstance(item, ast.ParseError):
            _refuse(item, f"cannot be read ({item.message})")
        elif isinstance(item, ast.Declaration):
            if item.lower_name in _PROPERTIES_REFUSED:
                _refuse(item, f"may not contain {item.lower_name}")
            _check_values(item.value)
        elif isinstance(item, ast.QualifiedRule):  # nested rules (CSS nesting)
            _check_selector(item.prelude)
            _check_declarations(item.content)
        elif isinstance(item, ast.AtRule):
            _check_at_rule(item)


def _check_values(tokens: list[Any]) -> None:
    for token in _walk(tokens):
        if isinstance(token, ast.URLToken):
            _refuse(token, _NO_LOADING.format(name="url"))
        elif isinstance(token, ast.FunctionBlock) and token.lower_name not in _FUNCTIONS:
            if token.lower_name in {"url", "src", "image", "image-set", "-webkit-image-set"}:
                _refuse(token, _NO_LOADING.format(name=token.lower_name))
            _refuse(token, f"may not contain {token.lower_name}(")
        elif isinstance(token, (ast.StringToken, ast.IdentToken)):
            if "javascript:" in token.value.lower():
                _refuse(token, "may not contain javascript:")
        elif isinstance(token, ast.AtKeywordToken):
            _refuse(token, f"may not use @{token.lower_value}")


_NO_LOADING = (
    "may not load anything ({name}(…)): images on the pages come from your logo and your "
    "shop's products"
)


def _walk(tokens: Iterable[Any]) -> Iterable[Any]:
    """Every token, also those inside blocks and function arguments."""
    for token in tokens:
        yield token
        if isinstance(token, ast.FunctionBlock):
            yield from _walk(token.arguments)
        elif isinstance(
            token, (ast.ParenthesesBlock, ast.SquareBracketsBlock, ast.CurlyBracketsBlock)
        ):
            yield from _walk(token.content)


def _refuse(node: Any, what: str) -> None:
    raise BrandingError(f"Custom CSS, line {node.source_line}: {what}.")


def _refusal(css: str, index: int, what: str) -> BrandingError:
    return BrandingError(f"Custom CSS, line {css.count(chr(10), 0, index) + 1}: {what}.")
