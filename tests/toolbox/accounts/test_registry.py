"""Accounts: argon2 hashes outside content/, the `toolbox user` command, throttling, sessions, audit log."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolbox.accounts.login_throttle import LoginThrottle
from toolbox.accounts.registry import AccountError, AccountStore, SessionStore, audit, read_audit
from toolbox.cli import main
from toolbox.config import REPO_ROOT, Settings

PASSWORD = "een-lang-wachtwoord-42"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(content_dir=tmp_path / "content", build_dir=tmp_path / "build", instance_dir=tmp_path / "instance",
                    extra={"login_max_failures": 3, "login_lockout_seconds": 1, "login_window_seconds": 60,
                           "login_max_per_ip": 5})


def test_add_stores_an_argon2_hash_with_an_opaque_id(settings):
    account = AccountStore(settings).add("Redacteur.Utrecht", "editor", PASSWORD)
    assert account.name == "redacteur.utrecht"
    assert account.id.startswith("acc-") and len(account.id) == 12 and "redacteur" not in account.id
    path = settings.instance_dir / "accounts.json"
    text = path.read_text()
    assert PASSWORD not in text
    assert json.loads(text)["accounts"][0]["hash"].startswith("$argon2id$")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not str(path).startswith(str(settings.content_dir))


def test_instance_folder_is_not_committed():
    assert "instance/" in (REPO_ROOT / ".gitignore").read_text().split()


@pytest.mark.parametrize("name,role,password,message", [
    ("x", "editor", PASSWORD, "accountnaam"),
    ("met spatie", "editor", PASSWORD, "accountnaam"),
    ("goed", "baas", PASSWORD, "rol"),
    ("goed", "editor", "kort", "minstens"),
])
def test_add_refuses_bad_input(settings, name, role, password, message):
    with pytest.raises(AccountError, match=message):
        AccountStore(settings).add(name, role, password)


def test_duplicate_names_are_refused(settings):
    store = AccountStore(settings)
    store.add("redacteur-west", "editor", PASSWORD)
    with pytest.raises(AccountError, match="bestaat al"):
        store.add("REDACTEUR-WEST", "admin", PASSWORD)


def test_verify_and_disable_end_sessions(settings):
    store = AccountStore(settings)
    account = store.add("beheerder-cd", "admin", PASSWORD)
    assert store.verify("beheerder-cd", PASSWORD).id == account.id
    assert store.verify("beheerder-cd", PASSWORD + "x") is None
    assert store.verify("onbekend", PASSWORD) is None
    sessions = SessionStore(settings)
    token, csrf = sessions.create(account)
    assert sessions.get(token).account.id == account.id and sessions.get(token).csrf == csrf
    assert token not in (settings.instance_dir / "sessions.json").read_text()  # only its hash is stored
    store.set_disabled("beheerder-cd")
    assert store.verify("beheerder-cd", PASSWORD) is None
    assert sessions.get(token) is None


def test_session_expires_when_idle(settings):
    from dataclasses import replace

    short = replace(settings, extra={**settings.extra, "session_idle_seconds": 0.2})
    account = AccountStore(short).add("redacteur-oost", "editor", PASSWORD)
    token, _ = SessionStore(short).create(account)
    assert SessionStore(short).get(token) is not None
    time.sleep(0.3)
    assert SessionStore(short).get(token) is None


def test_lockout_after_repeated_failures_then_release(settings):
    throttle = LoginThrottle(settings)
    assert throttle.check("redacteur-west", "10.0.0.1").allowed
    assert throttle.record("redacteur-west", "10.0.0.1", False) is False
    assert throttle.record("redacteur-west", "10.0.0.1", False) is False
    assert throttle.record("redacteur-west", "10.0.0.1", False) is True  # third failure starts the lockout
    verdict = throttle.check("redacteur-west", "10.0.0.1")
    assert not verdict.allowed and verdict.reason == "account" and verdict.retry_after >= 1
    assert throttle.check("bert", "10.0.0.1").allowed  # other names are not affected
    assert throttle.check("redacteur-west", "10.0.0.4").allowed  # nor other addresses (issue 24)
    time.sleep(1.1)
    assert throttle.check("redacteur-west", "10.0.0.1").allowed


def test_rate_limit_per_address(settings):
    throttle = LoginThrottle(settings)
    for i in range(5):
        throttle.record(f"naam{i}", "10.9.9.9", False)
    verdict = throttle.check("wie-dan-ook", "10.9.9.9")
    assert not verdict.allowed and verdict.reason == "ip"
    assert throttle.check("wie-dan-ook", "10.9.9.8").allowed


def test_audit_log_is_json_lines_without_secrets(settings):
    account = AccountStore(settings).add("redacteur-west", "editor", PASSWORD)
    audit(settings, "ingelogd", account=account, ip="127.0.0.1")
    rows = read_audit(settings)
    assert rows[0]["gebeurtenis"] == "ingelogd" and rows[0]["account"] == account.id
    assert rows[1]["gebeurtenis"] == "account_aangemaakt"
    assert PASSWORD not in (settings.instance_dir / "audit.log").read_text()


def test_user_command_add_list_disable(settings, monkeypatch, capsys):
    monkeypatch.setenv("TOOLBOX_INSTANCE", str(settings.instance_dir))
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "marie", "--role", "admin"]) == 0
    assert "aangemaakt" in capsys.readouterr().out
    assert main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "marie\tadmin\tactief" in listing
    assert main(["user", "disable", "marie"]) == 0
    capsys.readouterr()
    main(["user", "list"])
    assert "marie\tadmin\tuitgeschakeld" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO("kort\n"))
    assert main(["user", "add", "jan"]) == 1
    assert "minstens" in capsys.readouterr().err


def test_user_command_as_a_program_reads_the_password_from_stdin(tmp_path):
    script = Path(sys.executable).parent / "toolbox"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "toolbox.cli"]
    env = dict(os.environ, TOOLBOX_INSTANCE=str(tmp_path / "instance"))
    done = subprocess.run([*command, "user", "add", "redactie", "--role", "editor"], input=PASSWORD + "\n",
                          capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    store = AccountStore(Settings(instance_dir=tmp_path / "instance"))
    assert store.verify("redactie", PASSWORD) is not None
