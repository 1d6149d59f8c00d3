"""The owner's custom CSS is read with a CSS tokenizer (issue 11, §7): what the browser
would read as a load, an import or a selector on a form's values is refused with its line;
what only styles the page passes."""

import pytest

from shopcare.domain.branding import BrandingError
from shopcare.services.shopper_site.custom_css import check_css

REFUSED = {
    # the three that got through the old word filter
    "an escaped url(": ("a{background:u\\72l(https://evil.example/x)}", "backslash"),
    "an escaped @import": ("@\\69mport 'https://evil.example/x.css';", "backslash"),
    "an attribute selector on the CSRF field": (
        "input[name=csrf_token][value^=a]{background:#000}",
        "attribute selectors",
    ),
    # and their cousins
    "url(": ("a{background:url(https://evil.example/x)}", "may not load anything (url"),
    "URL( in capitals": ("a{background:URL(https://evil.example/x)}", "may not load anything"),
    "a quoted url": ("a{background:url('https://evil.example/x')}", "may not load anything"),
    "@IMPORT in capitals": ("@IMPORT 'https://evil.example/x.css';", "may not use @import"),
    "@import url()": ("@import url(x.css);", "may not use @import"),
    "@font-face": ("@font-face{font-family:x;src:local(Arial)}", "may not use @font-face"),
    "@namespace": ("@namespace svg url(http://www.w3.org/2000/svg);", "may not use @namespace"),
    "@charset": ('@charset "utf-8";', "may not use @charset"),
    "image-set(": ("a{background:image-set('x.png' 1x)}", "may not load anything (image-set"),
    "-webkit-image-set(": ("a{background:-webkit-image-set('x.png' 1x)}", "image-set"),
    "cross-fade(": ("a{background:cross-fade(red, blue)}", "may not contain cross-fade("),
    "element(": ("a{background:element(#csrf)}", "may not contain element("),
    "attr(": ("a::after{content:attr(href)}", "may not contain attr("),
    "expression(": ("a{width:expression(alert(1))}", "may not contain expression("),
    "a url split by a comment": ("a{background:u/**/rl(https://evil.example/x)}", "rl("),
    "a string with a backslash": ('a::before{content:"\\201C"}', "backslash"),
    "input[value^=a]": ("input[value^=a]{color:red}", "attribute selectors"),
    "[name=csrf]": ("[name=csrf]{display:block}", "attribute selectors"),
    "an attribute selector inside :has()": (
        "form:has(input[value^=a]){color:red}",
        "attribute selectors",
    ),
    "an attribute selector inside @media": (
        "@media (min-width:1px){input[value$=z]{color:red}}",
        "attribute selectors",
    ),
    "a nested rule": ("form{& input[value^=a]{color:red}}", "attribute selectors"),
    "behavior": ("a{behavior:foo}", "may not contain behavior"),
    "-moz-binding": ("a{-moz-binding:foo}", "may not contain -moz-binding"),
    "javascript:": ("a::after{content:'javascript:alert(1)'}", "may not contain javascript:"),
    "the end of the style element": ("a{}</style><script>alert(1)</script>", "</style"),
    "too much": ("a{}" * 7000, "at most 20 KB"),
}


@pytest.mark.parametrize(("css", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_css_that_loads_imports_or_reads_the_page_is_refused(css: str, reason: str) -> None:
    with pytest.raises(BrandingError, match=r"^Custom CSS") as refused:
        check_css(css)
    assert reason in str(refused.value)


def test_the_refusal_names_the_line() -> None:
    css = "h1 { color: red }\n\n.card {\n  background: url(https://evil.example/x);\n}"
    with pytest.raises(BrandingError, match=r"^Custom CSS, line 4: may not load anything"):
        check_css(css)


STYLING = """
:root { --accent: #8a4b2d; }
h1, h2 { letter-spacing: .02em; font-family: Georgia, "Times New Roman", serif; }
.card { background: linear-gradient(to right, #fff, rgba(0 0 0 / 5%)); border-radius: 8px; }
.button:hover, a:focus-visible { color: var(--accent); transform: translateY(-1px); }
li:nth-child(2n + 1):not(.muted) { padding: calc(1rem + 2px) clamp(4px, 1vw, 12px); }
@media (max-width: 600px) and (prefers-color-scheme: dark) { body { background: #111 } }
@supports (display: grid) { .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@keyframes pulse { from { opacity: 1 } 50% { opacity: .5 } to { opacity: 1 } }
.badge { animation: pulse 2s cubic-bezier(.4, 0, .6, 1) infinite; }
/* a comment */ footer::before { content: "— "; }
"""


def test_css_that_only_styles_the_page_passes() -> None:
    check_css(STYLING)
    check_css("")
