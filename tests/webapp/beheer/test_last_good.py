"""Issue 24, finding 2: a damaged file made a page vanish after an unrelated save while the editor read
that all was well. Now the site keeps the last good version, and says so in /beheer, the audit log
and /health."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.webapp.beheer.test_views import PASSWORD, client_for, login, post_new
from toolbox.accounts.registry import AccountStore, read_audit
from toolbox.build.pipeline import build
from toolbox.config import REPO_ROOT, Settings
from toolbox.publishing.publish import wait_for_publication
from toolbox.publishing.refresh import keep_content_cache
from webapp import create_app

CASE_FILE = "casussen/laakhavens.ttl"
TOOL_FILE = "tools/groenblauwe-netwerken.ttl"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("laatste-goede")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", build_dir=root / "build", instance_dir=root / "instance",
                        secret_key="test", sparql_endpoint=None, save_wait=120.0, four_eyes=False)
    build(settings, owl=False)
    AccountStore(settings).add("redacteur", "editor", PASSWORD)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    wait_for_publication()


def _damage(settings) -> int:
    """A syntax error in one case file and a tool file saved as Windows-1252; the line of the first."""
    case = settings.content_dir / CASE_FILE
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(i for i, line in enumerate(lines) if "tor:status" in line)
    lines[broken] = lines[broken].replace(" ;", " ;;; ]", 1)
    case.write_text("".join(lines), encoding="utf-8")
    tool = settings.content_dir / TOOL_FILE
    tool.write_bytes(tool.read_text(encoding="utf-8").replace("@nl", "@nl ", 1).replace("e", "é", 5).encode("cp1252"))
    return broken + 1


def _in_tool_list(client) -> bool:
    return any("/doc/tool/groenblauwe-netwerken" in client.get(f"/tools?page={n}").text for n in range(1, 4))


PUBLIC = ["/doc/casus/laakhavens", "/doc/tool/groenblauwe-netwerken"]


def test_a_damaged_file_keeps_its_page_and_the_site_says_so(site):
    settings = site.config["TOOLBOX"]
    editor = client_for(site)
    assert login(editor).status_code == 303
    reader = site.test_client()
    for path in PUBLIC:
        assert reader.get(path).status_code == 200
    assert _in_tool_list(reader)
    assert reader.get("/health").json["status"] == "ok"
    keep_content_cache(settings)  # what the editor's warm-up does after a start
    originals = {name: (settings.content_dir / name).read_bytes() for name in (CASE_FILE, TOOL_FILE)}
    line = _damage(settings)

    saved = post_new(editor, title="Ongerelateerde Casus Na Schade")
    assert saved.status_code == 303 and "melding=aangemaakt" in saved.headers["Location"]
    reader = site.test_client()
    assert "Ongerelateerde Casus Na Schade" in reader.get("/casussen").text  # the save is published
    for path in PUBLIC:  # and nothing was lost
        assert reader.get(path).status_code == 200, path
    assert _in_tool_list(reader)
    found = reader.get("/zoeken?q=groenblauwe&format=json").json["results"]
    assert any(r["uri"].endswith("/tool/groenblauwe-netwerken") for r in found)

    page = editor.get(saved.headers["Location"]).text
    banner = re.search(r'<div class="utrecht-alert utrecht-alert--warning" role="alert" id="inhoud-problemen">(.*?)'
                       r"</div>", page, re.S)
    assert banner, page[:3000]
    assert f"content/{CASE_FILE}:{line}" in banner.group(1)
    assert f"content/{TOOL_FILE}" in banner.group(1) and "geen geldige UTF-8" in banner.group(1)

    events = [r for r in read_audit(settings) if r["gebeurtenis"] == "inhoud_niet_gepubliceerd"]
    assert events and any(f"content/{CASE_FILE}:{line}" in p for p in events[0]["problemen"])

    health = reader.get("/health")
    assert health.status_code == 200 and health.headers["Cache-Control"] == "no-store"
    body = health.json
    assert body["status"] == "gedegradeerd"
    problems = body["controles"]["inhoud"]["problemen"]
    assert {(p["bestand"], p["regel"]) for p in problems} >= {(f"content/{CASE_FILE}", line)}
    assert {p["bestand"] for p in problems} == {f"content/{CASE_FILE}", f"content/{TOOL_FILE}"}
    assert body["controles"]["build"]["status"] == "ok" and body["controles"]["build"]["versie"]
    assert "sparql" in body["controles"]
    assert "secret" not in health.text.lower() and str(settings.instance_dir) not in health.text

    # repaired on disk: the next save publishes them, and the warning goes
    for name, data in originals.items():
        (settings.content_dir / name).write_bytes(data)
    assert post_new(editor, title="Tweede Casus Na Herstel").status_code == 303
    assert reader.get("/health").json["status"] == "ok"
    assert 'id="inhoud-problemen"' not in editor.get("/beheer/").text
    assert read_audit(settings)[0]["gebeurtenis"] in ("inhoud_weer_geldig", "casus_aangemaakt")
    assert any(r["gebeurtenis"] == "inhoud_weer_geldig" for r in read_audit(settings)[:3])


@pytest.fixture
def fresh_site(tmp_path):
    """A site just built, whose editors have not yet saved anything (no content cache in build/)."""
    shutil.copytree(REPO_ROOT / "content", tmp_path / "content")
    settings = Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build",
                        instance_dir=tmp_path / "instance", secret_key="test", sparql_endpoint=None, save_wait=120.0,
                        four_eyes=False)
    build(settings, owl=False)
    AccountStore(settings).add("redacteur", "editor", PASSWORD)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    wait_for_publication()


def test_without_a_known_good_version_of_a_damaged_file_the_editor_is_told_the_truth(fresh_site):
    """No last good version of the damaged file is known yet: the site keeps what it had (its pages
    stay), and the editor reads that the save is not on the site yet, instead of that all is well."""
    settings = fresh_site.config["TOOLBOX"]
    editor = client_for(fresh_site)
    assert login(editor).status_code == 303
    line = _damage(settings)
    saved = post_new(editor, title="Casus Op Een Vers Gestarte Site")
    assert saved.status_code == 303 and "melding=niet_ververst" in saved.headers["Location"], saved.headers
    reader = fresh_site.test_client()
    for path in PUBLIC:
        assert reader.get(path).status_code == 200, path
    page = editor.get(saved.headers["Location"]).text
    assert "staat nog niet op de site" in page and f"content/{CASE_FILE}:{line}" in page
    assert reader.get("/health").json["status"] == "gedegradeerd"
