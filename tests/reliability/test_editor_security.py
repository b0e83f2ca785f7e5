"""Item 3: the editor's security against the real server: CSRF on every state-changing request,
cookie flags, a new session at login, a disabled account out at once, security headers on every
response, throttling that cannot lock a real editor out, no open redirect through next=, and XSS
payloads in every editable field shown as text (HTML and JSON-LD here; in Chromium in
test_editor_xss_browser.py)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from markupsafe import escape

from tests.conftest import MINIMAL
from tests.webapp.browser_support import toolbox_command
from toolbox.accounts.registry import AccountStore
from toolbox.config import REPO_ROOT, Settings

from .support import FIGURES, raw_request, real_server, server_env

PASSWORD = "veilig-wachtwoord-2026"
XSS = {
    "title": "<script>window.__xss=1;alert('titel')</script>Zonnestraat",
    "alt_labels": "<img src=x onerror=\"window.__xss=2;alert('naam')\">",
    "notation": "<b>A1</b>",
    "task_type": "\"><svg onload=alert('opgave')>",
    "abstract": "Samenvatting </p><script>window.__xss=3;alert('tekst')</script> met <iframe src=javascript:alert(4)>",
    "what_is_new": "- <a href=\"javascript:alert('lijst')\">klik</a>\n- {{ 7*7 }} ${7*7}",
    "lessons": "</textarea><script>alert('les')</script>",
    "challenges": "\"'><img src=x onerror=alert('uitdaging')>",
    "methods": "<style>body{display:none}</style>Werkwijze",
}
# Links and the case's file name (its slug) cannot carry markup at all: they are refused.
BAD_LINKS = ["javascript:alert(1)", "https://example.org/\"><script>alert(1)</script>", "data:text/html,<script>"]
BAD_SLUGS = ["<script>alert(1)</script>", "../../etc/passwd", "a\"onmouseover=alert(1)", "x.ttl/../../y"]
SLUG = "xss-toets"
BASE_URI = "https://toolbox-openbare-ruimte.nl"


class Client:
    """A browser-like client from one loopback address, with its own cookies."""

    def __init__(self, base: str, source: str = "127.0.0.1"):
        self.base, self.source, self.cookies = base, source, {}
        self.last_set_cookie = ""

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        hdrs = {"Accept": "text/html", **(headers or {})}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = b""
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        status, got, raw = raw_request(self.base, method, path.encode(), hdrs, body, source=self.source)
        self.last_set_cookie = got.get("set-cookie", "")
        for line in self.last_set_cookie.split("\n"):
            if line:
                cookie = SimpleCookie()
                cookie.load(line)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        return status, got, raw.decode("utf-8", "replace")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data, **kw):
        return self.request("POST", path, data=data, **kw)

    def login(self, name="redacteur", password=PASSWORD, next_url=None):
        _, _, page = self.get("/beheer/inloggen")
        data = {"csrf_token": csrf_of(page), "naam": name, "wachtwoord": password}
        if next_url is not None:
            data["next"] = next_url
        return self.post("/beheer/inloggen", data)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def version_of(page: str) -> str:
    return html.unescape(re.search(r'name="versie" value="([^"]*)"', page).group(1))


def case_data(**changes) -> dict:
    data = {"title": "Toetsstraat", "slug": SLUG, "municipality": ["gemeente/toetsstad"], "scale": "schaal/wijk",
            "theme": ["thema/klimaatadaptatie"], "abstract": "Een toetscasus.", "source": ["bron/toets"]}
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability-editor")
    shutil.copytree(MINIMAL, root / "content")
    settings = Settings(instance_dir=root / "instance")
    AccountStore(settings).add("redacteur", "editor", PASSWORD)
    AccountStore(settings).add("tweede", "editor", PASSWORD)
    env = server_env(root / "content", root / "build", root / "instance", TOOLBOX_SECRET_KEY="reliability")
    with real_server(env, root / "server.log") as (base, process):
        yield base, root, env


def content_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((root / "content").rglob("*.ttl")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def saved_case(site):
    """A case saved through the form with an XSS payload in every free-text field."""
    base, root, _ = site
    client = Client(base, "127.0.0.10")
    assert client.login()[0] == 303
    _, _, page = client.get("/beheer/casussen/nieuw")
    data = case_data(**XSS, csrf_token=csrf_of(page), versie="nieuw", actie="opslaan")
    status, headers, body = client.post("/beheer/casussen/nieuw", data)
    assert status == 303, body[:2000]
    return client


def test_every_state_changing_request_needs_the_csrf_token_and_own_origin(site, saved_case):
    base, root, _ = site
    client = saved_case
    _, _, form = client.get(f"/beheer/casussen/{SLUG}")
    # One real edit first, so the case has an earlier version to restore (the restore POST is tested too).
    status, _, _ = client.post(f"/beheer/casussen/{SLUG}", case_data(
        **XSS, csrf_token=csrf_of(form), versie=version_of(form), actie="opslaan", start_year="2021"))
    assert status == 303
    _, _, form = client.get(f"/beheer/casussen/{SLUG}")
    token, version = csrf_of(form), version_of(form)
    _, _, history = client.get(f"/beheer/casussen/{SLUG}/geschiedenis")
    stamps = re.findall(rf"/beheer/casussen/{SLUG}/geschiedenis/([0-9TZ]+)", history)
    posts = {
        "/beheer/casussen/nieuw": case_data(slug="csrf-nieuw", versie="nieuw"),
        f"/beheer/casussen/{SLUG}": case_data(title="Gewijzigd", versie=version),
        f"/beheer/casussen/{SLUG}/status": {"status": "gearchiveerd", "versie": version},
        "/beheer/uitloggen": {},
    }
    assert stamps, "no earlier version to restore"
    posts[f"/beheer/casussen/{SLUG}/geschiedenis/{stamps[0]}/herstellen"] = {"versie": version}
    before = content_digest(root)
    wrong = []
    for path, data in posts.items():
        for name, extra, headers in (("no token", {}, {}), ("wrong token", {"csrf_token": "x" * 43}, {}),
                                     ("token of another session", {"csrf_token": token[::-1]}, {}),
                                     ("foreign Origin", {"csrf_token": token}, {"Origin": "https://evil.example"}),
                                     ("foreign Referer", {"csrf_token": token},
                                      {"Referer": "https://evil.example/beheer/"})):
            status, _, body = client.post(path, {**data, **extra}, headers=headers)
            FIGURES.count("editor-csrf", f"{status}")
            if status != 403 or "Traceback" in body:
                wrong.append(f"{path} {name}: {status}")
    # The login form has its own token (cookie + field).
    other = Client(base, "127.0.0.11")
    other.get("/beheer/inloggen")
    status, _, _ = other.post("/beheer/inloggen", {"naam": "redacteur", "wachtwoord": PASSWORD})
    FIGURES.count("editor-csrf", f"{status}")
    if status != 403:
        wrong.append(f"login without token: {status}")
    FIGURES.note("editor-csrf", "routes die iets veranderen", len(posts) + 1)
    assert not wrong, wrong
    assert content_digest(root) == before, "a refused request changed the content"
    assert client.get("/beheer/")[0] == 200  # still logged in: nothing was done


def test_session_cookie_flags_and_secure_behind_a_proxy(site):
    base, _, _ = site
    client = Client(base, "127.0.0.12")
    status, _, _ = client.login()
    assert status == 303
    flags = client.last_set_cookie
    line = next(x for x in flags.split("\n") if x.startswith("toolbox_beheer="))
    assert "HttpOnly" in line and "SameSite=Strict" in line and "Path=/beheer" in line
    assert "Secure" not in line  # plain HTTP on loopback (local use)
    # Behind a TLS proxy the cookie is Secure.
    proxied = Client(base, "127.0.0.13")
    _, _, page = proxied.get("/beheer/inloggen", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in proxied.last_set_cookie
    FIGURES.count("editor-session", "cookievlaggen gecontroleerd")


def test_new_login_ends_the_previous_session(site):
    base, _, _ = site
    client = Client(base, "127.0.0.14")
    assert client.login()[0] == 303
    first = client.cookies["toolbox_beheer"]
    _, _, page = client.get("/beheer/inloggen")  # logged in: redirected, so ask a fresh form elsewhere
    fresh = Client(base, "127.0.0.14")
    _, _, page = fresh.get("/beheer/inloggen")
    fresh.cookies["toolbox_beheer"] = first
    status, _, _ = fresh.post("/beheer/inloggen", {"csrf_token": csrf_of(page), "naam": "redacteur",
                                                   "wachtwoord": PASSWORD})
    assert status == 303
    assert fresh.cookies["toolbox_beheer"] != first
    old = Client(base, "127.0.0.14")
    old.cookies["toolbox_beheer"] = first
    assert old.get("/beheer/")[0] == 302, "an old session survived a new login"
    FIGURES.count("editor-session", "nieuwe sessie bij inloggen gecontroleerd")


def test_a_disabled_account_is_logged_out_at_once(site):
    base, root, env = site
    client = Client(base, "127.0.0.15")
    assert client.login("tweede")[0] == 303
    assert client.get("/beheer/")[0] == 200
    subprocess.run([*toolbox_command(), "user", "disable", "tweede"], env=env, cwd=REPO_ROOT, check=True,
                   capture_output=True, timeout=60)
    status, headers, _ = client.get("/beheer/")
    assert status == 302 and "/beheer/inloggen" in headers["location"]
    _, _, page = client.get("/beheer/casussen/nieuw")
    # issue 29: a form posted without a (valid) session goes back to the login; nothing is saved
    status, headers, _ = client.post("/beheer/casussen/nieuw", case_data(slug="na-uitschakelen", csrf_token="x"))
    assert status == 303 and headers["location"].startswith("/beheer/inloggen?")
    assert client.login("tweede")[0] == 401
    FIGURES.count("editor-session", "uitgeschakeld account meteen uitgelogd")


def test_security_headers_on_every_response(site):
    base, _, _ = site
    paths = ["/", "/tools", "/doc/tool/ambitieweb", "/doc/tool/ambitieweb.ttl", "/id/tool/ambitieweb", "/def/tor",
             "/sparql", "/sparql?query=ASK%20%7B%7D", "/data/", "/data/toolbox-openbare-ruimte.ttl",
             "/static/css/site.css", "/static/js/beheer.js", "/favicon.ico", "/bestaat-niet",
             "/beheer/inloggen", "/beheer/", "/zoeken?q=%zz", "/gids?format=png"]
    wrong = []
    for path in paths:
        for method in ("GET", "HEAD", "PUT"):
            status, headers, _ = raw_request(base, method, path.encode(), {"Accept": "*/*"})
            csp = headers.get("content-security-policy", "")
            script = re.search(r"script-src([^;]*)", csp)
            problems = []
            if not script or "unsafe-inline" in script.group(1) or "unsafe-eval" in script.group(1):
                problems.append("CSP script-src")
            if "frame-ancestors" not in csp and "x-frame-options" not in headers:
                problems.append("framing")
            if headers.get("x-content-type-options") != "nosniff":
                problems.append("nosniff")
            if not headers.get("referrer-policy"):
                problems.append("Referrer-Policy")
            FIGURES.count("security-headers", "compleet" if not problems else "ontbreekt")
            if problems:
                wrong.append(f"{method} {path} ({status}): {problems}")
    assert not wrong, wrong


def test_templates_have_no_inline_scripts_or_handlers():
    """What the CSP forbids must not be needed: no inline <script> and no on…= attributes."""
    found = []
    for path in (REPO_ROOT / "webapp/templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: inline script" for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text)]
        found += [f"{path.name}: {m.group()}" for m in re.finditer(r"\son[a-z]+\s*=", text)]
    assert not found, found


def test_login_throttling_cannot_lock_out_the_real_editor(site):
    base, _, _ = site
    editor = Client(base, "127.0.0.20")
    assert editor.login()[0] == 303  # the editor's usual address
    attacker = Client(base, "127.0.0.21")
    statuses = [attacker.login(password="fout-wachtwoord-1")[0] for _ in range(8)]
    FIGURES.note("editor-throttle", "statussen van de aanvaller", statuses)
    assert statuses[:4] == [401] * 4 and 429 in statuses  # the name is locked for the attacker
    assert Client(base, "127.0.0.22").login()[0] == 303  # not for an address never seen (issue 24)
    assert Client(base, "127.0.0.20").login()[0] == 303  # nor for the editor's own address
    # The address limit: one address cannot go on trying other names either.
    flood = Client(base, "127.0.0.23")
    codes = [flood.login(name=f"naam{i}", password="fout")[0] for i in range(22)]
    assert codes[-1] == 429
    FIGURES.count("editor-throttle", "redacteur logt in ondanks de blokkade")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "/beheer//evil.example", "/beheer/\t/evil.example", "/beheerder.evil",
                                    "/beheer/../../evil", "/beheer/%2f%2fevil.example", "javascript:alert(1)",
                                    "/beheer/\r\nSet-Cookie: x=1"])
def test_no_open_redirect_through_next(site, target):
    base, _, _ = site
    index = sum(map(ord, target)) % 200 + 30
    client = Client(base, f"127.0.1.{index}")
    status, headers, _ = client.login(next_url=target)
    location = headers.get("location", "")
    FIGURES.count("editor-open-redirect", f"{status} naar {location.split('?')[0] or '-'}")
    assert status == 303
    assert location in ("/beheer/", f"{base}/beheer/"), location
    assert "set-cookie: x" not in "\n".join(headers).lower()


def test_next_inside_the_editor_is_followed(site):
    base, _, _ = site
    client = Client(base, "127.0.0.40")
    status, headers, _ = client.login(next_url="/beheer/casussen/nieuw")
    assert status == 303 and headers["location"].endswith("/beheer/casussen/nieuw")


def test_links_and_file_names_with_markup_are_refused(site, saved_case):
    base, root, _ = site
    client = saved_case
    before = content_digest(root)
    for link in BAD_LINKS:
        _, _, page = client.get("/beheer/casussen/nieuw")
        status, _, body = client.post("/beheer/casussen/nieuw", case_data(
            slug="link-toets", url=link, csrf_token=csrf_of(page), versie="nieuw"))
        FIGURES.count("editor-xss", f"link geweigerd {status}")
        assert status == 422 and "geen geldige link" in body
    for slug in BAD_SLUGS:
        _, _, page = client.get("/beheer/casussen/nieuw")
        status, _, body = client.post("/beheer/casussen/nieuw", case_data(slug=slug, csrf_token=csrf_of(page),
                                                                          versie="nieuw"))
        FIGURES.count("editor-xss", f"bestandsnaam geweigerd {status}")
        assert status == 422, slug
        assert "<script>alert(1)</script>" not in body
    assert content_digest(root) == before


def xss_pages() -> list[str]:
    return [f"/doc/casus/{SLUG}", "/casussen", "/zoeken?q=Zonnestraat", "/doc/stap/opdracht",
            f"/beheer/casussen/{SLUG}", "/beheer/", f"/beheer/casussen/{SLUG}/geschiedenis", "/doc/gemeente/toetsstad",
            "/sparql?query=" + quote(f"SELECT ?t WHERE {{ <{BASE_URI}/id/casus/{SLUG}> ?p ?t }}")]


def test_xss_payloads_are_text_in_html_and_jsonld(site, saved_case):
    base, _, _ = site
    client = saved_case
    wrong = []
    for path in xss_pages():
        status, headers, body = client.get(path, headers={"Accept": "text/html"})
        assert status == 200, (path, status)
        for field, payload in XSS.items():
            for dangerous in re.findall(r"<(?:script|img|svg|iframe|style|a |b>)[^<]*", payload):
                if dangerous in body:
                    wrong.append(f"{path}: {field} unescaped: {dangerous[:40]}")
        FIGURES.count("editor-xss", "HTML-pagina's gecontroleerd")
    assert str(escape(XSS["title"])) in client.get(f"/doc/casus/{SLUG}")[2]  # shown, as text
    status, headers, body = client.get(f"/doc/casus/{SLUG}?format=jsonld")
    assert headers["content-type"].startswith("application/ld+json")
    assert headers["x-content-type-options"] == "nosniff"
    text = json.dumps(json.loads(body), ensure_ascii=False)
    assert "window.__xss=1" in text  # the payload is there, as a string value
    FIGURES.count("editor-xss", "JSON-LD gecontroleerd")
    assert not wrong, wrong
