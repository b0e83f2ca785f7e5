"""Item 1: bad input on every public route of the real server, as a generated matrix (routes × inputs).

Every cell must get its expected status, never a 5xx, never a traceback; a refusal (4xx) is a
Dutch page with a title for people and JSON with status, error and message for programs.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from urllib.parse import quote, unquote_to_bytes

import pytest

from tests.conftest import MINIMAL
from toolbox.accounts.registry import AccountStore

from .support import FIGURES, TRACEBACK_MARKERS, raw_request, real_server, server_env

MAX_BODY = 256 * 1024
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PROGRAM = "application/json"
LONG = "a" * 100_000

# Route -> its parameters and what kind each is (what a bad value of that kind must get).
#   slug:   names one thing; unknown or malformed -> 404
#   filter: narrows a list; an unknown value is an empty list (200)
#   text:   free text (search, situation); any readable text is fine (200)
#   page:   ?pagina=; not a positive whole number or past the end -> 404
#   flag:   switches (archief, weergave, v, download); any value is read as on/off (200)
#   next:   where to go after login; anything outside /beheer is ignored (200)
ROUTES = {
    "/": {},
    "/over": {},
    "/doc/tool/ambitieweb": {"archief": "flag"},
    "/doc/checklist/opdrachtbrief": {"weergave": "flag", "v": "flag"},
    "/doc/casus/toetswijk": {"archief": "flag"},
    "/id/tool/ambitieweb": {},
    "/def/tor": {},
    "/def/shapes": {},
    "/data/": {},
    "/data/toolbox-openbare-ruimte.ttl": {},
    "/tools": {"categorie": "filter", "niveau": "filter", "stap": "filter", "pagina": "page"},
    "/casussen": {"gemeente": "filter", "cluster": "filter", "thema": "filter", "knelpunt": "filter",
                  "pagina": "page"},
    "/knelpunten": {"stap": "slug", "rol": "slug", "dimensie": "slug", "pagina": "flag"},  # pages need ?dimensie=
    "/samenwerkingswaaier": {},
    "/zoeken": {"q": "text", "type": "filter", "niveau": "filter", "categorie": "filter", "pagina": "page"},
    "/gids": {"niveau": "slug", "stap": "slug", "knelpunt": "slug", "situatie": "text", "keuze": "filter"},
    "/aanpak": {"stap": "slug", "tool": "slug", "rol": "slug", "knelpunt": "slug", "v": "flag", "notitie": "text",
                "titel": "text"},
    "/sparql": {"voorbeeld": "slug", "query": "sparql", "default-graph-uri": "graph"},
    "/beheer/inloggen": {"next": "next"},
    "/beheer/": {},
    "/beheer/casussen/nieuw": {},  # not logged in: to the login page (logged in: see below)
    "/beheer/casussen/toetswijk/geschiedenis": {},
    "/beheer/logboek": {},
}
# Routes that answer a format= (the values they serve); the others serve HTML only.
FORMAT_ROUTES = {"/", "/doc/tool/ambitieweb", "/doc/checklist/opdrachtbrief", "/doc/casus/toetswijk",
                 "/id/tool/ambitieweb", "/def/tor", "/def/shapes", "/data/", "/tools", "/casussen", "/knelpunten",
                 "/samenwerkingswaaier", "/zoeken", "/gids", "/aanpak", "/sparql", "/over"}
NEGOTIATED = FORMAT_ROUTES - {"/over"}  # Accept decides the answer here: an Accept nobody serves is 406
POST_ROUTES = {"/sparql", "/beheer/inloggen", "/beheer/casussen/nieuw"}
HTML_ONLY = {"/over", "/sparql", "/data/toolbox-openbare-ruimte.ttl"} | {r for r in ROUTES if r.startswith("/beheer")}

# Values of a parameter, per class: (raw query-string value, expected status by parameter kind).
VALUE_CLASSES = {
    "unknown-slug": ("bestaat-niet", {"slug": 404, "filter": 200, "text": 200, "page": 404, "flag": 200,
                                      "next": 200}),
    "unknown-type": ("onzin/ambitieweb", {"slug": 404, "filter": 200, "text": 200, "page": 404, "flag": 200,
                                          "next": 200}),
    "traversal": ("../../../../etc/passwd", {"slug": 404, "filter": 200, "text": 200, "page": 404, "flag": 200,
                                             "next": 200}),
    "traversal-encoded": ("..%2F..%2F..%2Fetc%2Fpasswd", {"slug": 404, "filter": 200, "text": 200, "page": 404,
                                                         "flag": 200, "next": 200}),
    "negative": ("-1", {"slug": 404, "filter": 200, "text": 200, "page": 404, "flag": 200, "next": 200}),
    "huge-number": ("9" * 40, {"slug": 404, "filter": 200, "text": 200, "page": 404, "flag": 200, "next": 200}),
    "superscript-digit": ("%C2%B2", {"slug": 404, "filter": 200, "text": 200, "page": 404, "flag": 200,
                                     "next": 200}),
    "empty": ("", {"slug": 200, "filter": 200, "text": 200, "page": 404, "flag": 200, "next": 200}),
    "markup": (quote("<script>alert(1)</script>"), {"slug": 404, "filter": 200, "text": 200, "page": 404,
                                                    "flag": 200, "next": 200}),
    "overlong": ("a" * 10_000, {k: 400 for k in ("slug", "filter", "text", "page", "flag", "next")}),
    # Over 64 kB the HTTP layer (Granian) refuses the request line itself, before the site sees it.
    "overlong-100kB": (LONG, {k: 414 for k in ("slug", "filter", "text", "page", "flag", "next")}),
    "nul-byte": ("a%00b", {k: 400 for k in ("slug", "filter", "text", "page", "flag", "next")}),
    "control-char": ("a%1Bb", {k: 400 for k in ("slug", "filter", "text", "page", "flag", "next")}),
    "invalid-utf8": ("%FF%FE", {k: 400 for k in ("slug", "filter", "text", "page", "flag", "next")}),
    # Raw bytes >= 0x80 in the request line: refused by the HTTP layer (Granian) with an empty 400.
    "invalid-utf8-raw": ("\udcff\udcfe", {k: 400 for k in ("slug", "filter", "text", "page", "flag", "next")}),
    "bad-percent": ("%zz%", {k: 400 for k in ("slug", "filter", "text", "page", "flag", "next")}),
}
# A SPARQL query that is not SPARQL is a 400 (parse error, empty query) whatever the value; a graph
# IRI without a query is not read (the editor page, 200).
for _cls, (_value, _expected) in VALUE_CLASSES.items():
    _expected["sparql"] = _expected["slug"] if _expected["slug"] in (400, 414) else 400
    _expected["graph"] = _expected["filter"]

EXTERNAL_NEXT = ["https://evil.example/", "//evil.example/", "/\\evil.example", "/beheer//evil.example",
                 "/beheer/%0d%0aLocation:%20https://evil.example", "javascript:alert(1)"]


@dataclass
class Case:
    route: str
    name: str
    method: str
    target: bytes
    expect: set[int]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    client: str = "browser"  # browser or program: how a refusal must look


def _target(path: str, query: str = "") -> bytes:
    raw = path + ("?" + query if query else "")
    return raw.encode("utf-8", "surrogateescape")


def _baseline(route: str) -> set[int]:
    if route == "/id/tool/ambitieweb":
        return {303}
    if route.startswith("/beheer/") and route != "/beheer/inloggen":
        return {302}
    return {200}


def cases_for(route: str) -> list[Case]:
    base = _baseline(route)
    cases = []
    for client in ("browser", "program"):
        accept = BROWSER if client == "browser" else PROGRAM
        if route in HTML_ONLY and client == "program":
            accept = BROWSER + ",application/json;q=0.1"  # HTML-only routes: a program still accepts HTML
        if route == "/data/" and client == "program":
            accept = "application/ld+json"  # the description of the downloads is RDF
        hdr = {"Accept": accept}
        program_base = base if client == "browser" or route not in NEGOTIATED else (
            {303} if route == "/id/tool/ambitieweb" else {200})

        def add(name, method="GET", query="", expect=None, path=None, headers=None, body=b"",
                _c=client, _h=hdr, _b=program_base):
            cases.append(Case(route, name, method, _target(path or route, query), expect or _b,
                              {**_h, **(headers or {})}, body, _c))

        add("baseline")
        add("unknown-parameter", query="onbekend=1&utm_source=x")
        add("unknown-parameter-overlong-name", query="x" * 3000 + "=1", expect={400})
        for param, kind in ROUTES[route].items():
            for cls, (value, expected) in VALUE_CLASSES.items():
                status = expected[kind]
                add(f"{param}={cls}", query=f"{param}={value}", expect={status} if status != 200 else program_base)
        if route == "/beheer/inloggen":
            for target in EXTERNAL_NEXT:
                add("open-redirect-next", query="next=" + quote(target, safe=""))
        if route in FORMAT_ROUTES:
            add("format-unknown", query="format=png", expect={406})
            add("format-overlong", query="format=" + "a" * 10_000, expect={400})
        if route in NEGOTIATED:
            add("accept-unserved", headers={"Accept": "image/png"}, expect={406})
            add("accept-garbage", headers={"Accept": "image/png;q=zz,,;;"}, expect={406})
            add("accept-control-char", headers={"Accept": "\x7f;;;q=zz,,"}, expect={400})
        add("path-nul", path=route.rstrip("/") + "/a%00b", expect={400})
        add("path-invalid-utf8", path=route.rstrip("/") + "/%ff%fe", expect={400})
        add("path-bad-percent", path=route.rstrip("/") + "/%zz", expect={400})
        add("path-traversal", path=route.rstrip("/") + "/../../../../etc/passwd", expect={404})
        add("path-traversal-encoded", path=route.rstrip("/") + "/..%2f..%2f..%2fpyproject.toml", expect={404})
        add("path-overlong", path=route.rstrip("/") + "/" + "a" * 20_000,
            expect={404, 414} | ({302} if base == {302} else set()))  # /beheer/…: log in first
        allowed = {"GET", "HEAD", "OPTIONS"} | ({"POST"} if route in POST_ROUTES else set())
        for method in ("PUT", "DELETE", "PATCH", "POST", "TRACE", "FOO"):
            if method not in allowed:
                add(f"method-{method}", method=method, expect={405} if method != "FOO" else {400, 405, 501})
        big = b"x" * (MAX_BODY + 1)
        add("body-over-limit", method="POST" if route in POST_ROUTES else "GET",
            headers={"Content-Type": "application/x-www-form-urlencoded"}, body=big, expect={413})
        if route in POST_ROUTES:
            for ctype in ("text/plain", "application/json", "image/png", ""):
                add(f"content-type-{ctype or 'missing'}", method="POST", body=b"query=ASK%20%7B%7D",
                    headers={"Content-Type": ctype} if ctype else {}, expect={415})
    return cases


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability-input")
    shutil.copytree(MINIMAL, root / "content")
    env = server_env(root / "content", root / "build", root / "instance", TOOLBOX_MAX_BODY=str(MAX_BODY),
                     TOOLBOX_QUERY_TIMEOUT="2")
    from toolbox.config import Settings

    AccountStore(Settings(instance_dir=root / "instance")).add("redacteur", "editor", "invoer-wachtwoord-2026")
    with real_server(env, root / "server.log") as (base, process):
        yield base, process, root


def _check(base: str, case: Case) -> str | None:
    """None when the answer is right; otherwise what is wrong."""
    status, headers, body = raw_request(base, case.method, case.target, case.headers, case.body)
    text = body.decode("utf-8", "replace")
    outcome = "5xx" if status >= 500 else ("4xx" if status >= 400 else ("3xx" if status >= 300 else "2xx"))
    FIGURES.count("bad-input", outcome)
    if status == 0:
        FIGURES.count("bad-input-failures", "no answer")
        return "no answer"
    problems = []
    if status not in case.expect:
        problems.append(f"status {status}, expected {sorted(case.expect)}")
    if any(marker in text for marker in TRACEBACK_MARKERS):
        problems.append("traceback in body")
    if status in (301, 302, 303, 307, 308):
        location = headers.get("location", "")
        if re.match(r"^(https?:)?//", location) and "127.0.0.1" not in location:
            problems.append(f"redirect off-site to {location}")
    protocol = status in (400, 414) and not body and headers.get("content-length") == "0" and (
        "raw" in case.name or "100kB" in case.name or "control-char" in case.name and "accept" in case.name)
    if protocol:
        FIGURES.count("bad-input-protocol-refusals", str(status))
    if status >= 400 and case.method != "HEAD" and not protocol:
        ctype = headers.get("content-type", "")
        if case.route == "/sparql" and ctype.startswith("text/plain"):
            pass  # SPARQL protocol errors: plain text, as SPARQL clients expect
        elif case.client == "program" and not case.route.startswith("/beheer") \
                and not case.headers.get("Accept", "").startswith("text/html"):
            try:
                data = json.loads(text)
            except ValueError:
                problems.append(f"refusal for a program is not JSON ({ctype})")
            else:
                if data.get("status") != status or not data.get("error") or not data.get("message"):
                    problems.append(f"JSON refusal lacks status/error/message: {text[:200]}")
        elif "text/html" in ctype:
            if "<h1" not in text or 'lang="nl"' not in text:
                problems.append("refusal page has no Dutch title")
        elif not ctype.startswith("application/json"):
            problems.append(f"refusal as {ctype or 'nothing'}")
    if problems:
        FIGURES.count("bad-input-failures", case.name)
        return f"{case.method} {case.target[:120]!r} [{case.client}] {case.name}: " + "; ".join(problems)
    return None


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_bad_input_matrix(site, route):
    base, process, _ = site
    failures = [problem for case in cases_for(route) if (problem := _check(base, case))]
    assert process.poll() is None, "the server stopped"
    assert not failures, f"{len(failures)} wrong answers:\n" + "\n".join(failures[:40])


def test_matrix_size_is_recorded():
    total = sum(len(cases_for(r)) for r in ROUTES)
    FIGURES.note("bad-input", "routes", len(ROUTES))
    FIGURES.note("bad-input", "gevallen in de matrix", total)
    assert total > 1000


# --------------------------------------------------------------------------- logged in
EDITOR_PATHS = ["/beheer/casussen/{v}", "/beheer/casussen/{v}/geschiedenis", "/beheer/casussen/{v}/geschiedenis/{v}"]
PATH_VALUES = {"unknown-slug": ("bestaat-niet", 404), "traversal-encoded": ("..%2F..%2Faccounts.json", 404),
               "markup": (quote("<script>"), 404), "overlong": ("a" * 2000, 404), "nul-byte": ("a%00b", 400),
               "invalid-utf8": ("%FF%FE", 400), "bad-percent": ("%zz", 400), "huge-number": ("9" * 40, 404)}
FORM_FIELDS = ["title", "slug", "municipality", "scale", "start_year", "url", "abstract", "versie", "actie"]
FORM_CLASSES = ["unknown-type", "traversal", "negative", "huge-number", "markup", "overlong", "nul-byte",
                "control-char", "invalid-utf8"]


def test_bad_input_to_the_editor_when_logged_in(site):
    """The same kinds of bad input on the editor's own routes, with a session; the form posts leave
    a required field empty, so even a readable value can never be saved: nothing may change."""
    from .test_editor_security import Client, case_data, content_digest, csrf_of

    base, process, root = site
    client = Client(base, "127.0.0.60")
    assert client.login(password="invoer-wachtwoord-2026")[0] == 303
    before = content_digest(root)
    wrong, tried = [], 0
    for template in EDITOR_PATHS:
        for cls, (value, expected) in PATH_VALUES.items():
            path = template.format(v=value)
            status, headers, body = raw_request(base, "GET", path.encode(), {"Accept": BROWSER,
                                                                             "Cookie": _cookies(client)})
            tried += 1
            FIGURES.count("bad-input", _outcome(status))
            if status != expected or "Traceback" in body.decode("utf-8", "replace"):
                wrong.append(f"GET {path[:80]} {cls}: {status}, expected {expected}")
    _, _, page = client.get("/beheer/casussen/nieuw")
    token = csrf_of(page)
    for name in FORM_FIELDS:
        for cls in FORM_CLASSES:
            raw = VALUE_CLASSES[cls][0]
            value = unquote_to_bytes(raw).decode("utf-8", "surrogateescape") if "%" in raw else raw
            blank = "title" if name == "abstract" else "abstract"  # a required field left empty: never saved
            data = case_data(versie="nieuw", csrf_token=token, actie="opslaan", slug="invoer-toets", **{blank: ""})
            data[name] = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            status, _, body = client.post("/beheer/casussen/nieuw", data)
            tried += 1
            FIGURES.count("bad-input", _outcome(status))
            if status not in (400, 422) or "Traceback" in body:
                wrong.append(f"POST {name}={cls}: {status}")
    FIGURES.note("bad-input", "gevallen ingelogd in /beheer", tried)
    assert process.poll() is None
    assert content_digest(root) == before, "bad input changed the content"
    assert not wrong, "\n".join(wrong)


def _cookies(client) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def _outcome(status: int) -> str:
    return "5xx" if status >= 500 else f"{status // 100}xx"
