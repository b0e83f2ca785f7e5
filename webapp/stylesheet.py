"""The site's one stylesheet, built from the NL Design System parts the pages really use.

The whole Utrecht component library (407 kB) and its design tokens (188 kB) blocked every first
paint, while the pages use some twenty components and a few hundred of the 1300 tokens. This
builds one stylesheet instead, at start-up and without network: the per-component `@utrecht/*-css`
packages listed in COMPONENTS (installed by `npm ci`), with the rules for classes no template,
script or view names left out; then only the design tokens that the kept rules and site.css read
(`var(--…)`, followed through tokens that name other tokens); then webapp/static/css/site.css.
"""

from __future__ import annotations

import re
from pathlib import Path

from toolbox.config import REPO_ROOT

NODE_MODULES = REPO_ROOT / "node_modules"
WEBAPP = Path(__file__).resolve().parent
SITE_CSS = WEBAPP / "static/css/site.css"
TOKENS = NODE_MODULES / "@utrecht/design-tokens/dist/index.css"
THEME_SELECTOR = ".utrecht-theme"  # the class on <body> that carries the tokens
# The Utrecht component packages the templates use (package.json lists each one).
COMPONENTS = (
    "document", "paragraph", "heading-1", "heading-2", "heading-3", "heading-4", "link", "button", "alert",
    "textbox", "textarea", "select", "checkbox", "form-label", "form-field", "form-fieldset",
    "form-field-description", "form-field-error-message", "table", "unordered-list", "ordered-list", "skip-link",
)
# Where class names appear: templates, scripts and the Python that writes HTML.
CLASS_SOURCES = (("templates", "*.html"), ("static/js", "*.js"), (".", "*.py"))
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
USED_CLASS = re.compile(r"utrecht-[\w-]*-(?=\{\{)|utrecht-[\w-]*\w")
VAR = re.compile(r"var\(\s*(--[\w-]+)")
DECLARED = re.compile(r"(--[\w-]+)\s*:")


# --------------------------------------------------------------------------- a small CSS reader
def _strip_comments(css: str) -> str:
    out, i, n = [], 0, len(css)
    while i < n:
        c = css[i]
        if c in "\"'":
            j = i + 1
            while j < n and css[j] != c:
                j += 2 if css[j] == "\\" else 1
            out.append(css[i:j + 1])
            i = j + 1
        elif css.startswith("/*", i):
            end = css.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse(css: str) -> list[tuple[str, str | list | None]]:
    """Top-level items as (prelude, body): body is the declarations of a rule, a list of items for
    @media/@supports/@container, the raw text of other blocks (@keyframes), None for `@x …;`."""
    css = _strip_comments(css)
    items, i, n = [], 0, len(css)
    while i < n:
        j, depth, quote = i, 0, None
        while j < n:
            c = css[j]
            if quote:
                if c == "\\":
                    j += 1
                elif c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == "{" or c == "(":
                depth += 1
                if c == "{" and depth == 1:
                    break
            elif c == ")":
                depth -= 1
            elif c == ";" and depth == 0:
                break
            j += 1
        prelude = css[i:j].strip()
        if j >= n:
            break
        if css[j] == ";":
            if prelude:
                items.append((prelude, None))
            i = j + 1
            continue
        k, depth, quote = j + 1, 1, None
        while k < n and depth:
            c = css[k]
            if quote:
                if c == "\\":
                    k += 1
                elif c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            k += 1
        inner = css[j + 1:k - 1]
        if prelude.startswith(("@media", "@supports", "@container", "@layer")):
            items.append((prelude, parse(inner)))
        else:
            items.append((prelude, inner.strip()))
        i = k
    return items


def serialize(items: list) -> str:
    out = []
    for prelude, body in items:
        if body is None:
            out.append(prelude + ";")
        elif isinstance(body, list):
            inner = serialize(body)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        else:
            decls = re.sub(r"\s*\n\s*", " ", body)
            out.append(f"{prelude}{{{decls}}}")
    return "\n".join(out)


# --------------------------------------------------------------------------- what the site uses
def used_classes(root: Path = WEBAPP) -> tuple[set[str], set[str]]:
    """Utrecht class names the site writes, and prefixes of names it completes at render time
    (`utrecht-heading-{{ level }}`)."""
    names, prefixes = set(), set()
    for folder, pattern in CLASS_SOURCES:
        for path in (root / folder).rglob(pattern):
            for found in USED_CLASS.findall(path.read_text(encoding="utf-8")):
                (prefixes if found.endswith("-") else names).add(found)
    return names, prefixes


def _selector_used(selector: str, names: set[str], prefixes: set[str]) -> bool:
    # Classes inside :not(…) are conditions, not requirements.
    plain = re.sub(r":not\((?:[^()]|\([^()]*\))*\)", "", selector)
    classes = [c for c in CLASS.findall(plain) if c.startswith("utrecht-")]
    return all(c in names or any(c.startswith(p) for p in prefixes) for c in classes)


def split_selectors(prelude: str) -> list[str]:
    """A selector list split at its own commas, not those inside `:not(a, b)` or `[x="a,b"]`."""
    parts, depth, quote, start = [], 0, None, 0
    for i, c in enumerate(prelude):
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(prelude[start:i].strip())
            start = i + 1
    parts.append(prelude[start:].strip())
    return [p for p in parts if p]


def prune_rules(items: list, names: set[str], prefixes: set[str]) -> list:
    kept = []
    for prelude, body in items:
        if isinstance(body, list):
            inner = prune_rules(body, names, prefixes)
            if inner:
                kept.append((prelude, inner))
        elif body is None or prelude.startswith("@"):
            if not prelude.startswith("@charset"):
                kept.append((prelude, body))
        else:
            selectors = split_selectors(prelude)
            used = [s for s in selectors if _selector_used(s, names, prefixes)]
            if used:
                kept.append((",".join(used), body))
    return kept


def _declarations(body: str) -> list[tuple[str, str]]:
    """`--name: value` pairs of a token rule (values of tokens hold no `;`)."""
    out = []
    for part in body.split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            if name.strip().startswith("--"):
                out.append((name.strip(), value.strip()))
    return out


def needed_tokens(tokens_css: str, *readers: str) -> str:
    """The `.utrecht-theme` rule with only the tokens the readers use, directly or through other tokens."""
    theme = {}
    for prelude, body in parse(tokens_css):
        if isinstance(body, str) and prelude.strip() == THEME_SELECTOR:
            theme.update(_declarations(body))
    wanted, todo = set(), [v for text in readers for v in VAR.findall(text)]
    while todo:
        name = todo.pop()
        if name in wanted or name not in theme:
            continue
        wanted.add(name)
        todo += VAR.findall(theme[name])
    decls = ";".join(f"{name}:{theme[name]}" for name in theme if name in wanted)
    return f"{THEME_SELECTOR}{{{decls}}}"


def build(node_modules: Path = NODE_MODULES) -> str:
    """The stylesheet: used component rules, the tokens they read, then the site's own rules."""
    names, prefixes = used_classes()
    parts = []
    for component in COMPONENTS:
        path = node_modules / f"@utrecht/{component}-css/dist/index.css"
        parts.append(serialize(prune_rules(parse(path.read_text(encoding="utf-8")), names, prefixes)))
    components = "\n".join(p for p in parts if p)
    site = SITE_CSS.read_text(encoding="utf-8")
    tokens = needed_tokens((node_modules / "@utrecht/design-tokens/dist/index.css").read_text(encoding="utf-8"),
                           components, site)
    licence = ("/* NL Design System: @utrecht component CSS and design tokens (EUPL-1.2, Gemeente Utrecht, "
               "Frameless B.V.), only the parts this site uses. */")
    return "\n".join([licence, tokens, components, serialize(parse(site))]) + "\n"
