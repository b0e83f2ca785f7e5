"""Login throttling cannot be turned against a real editor (found by tests/reliability: five wrong
passwords from anywhere locked the name for everyone, and an attacker could renew that forever; issue
24: the fix still locked every address the site had not seen before)."""

from __future__ import annotations

import json
import time

import pytest

from toolbox.accounts.login_throttle import LoginThrottle
from toolbox.config import Settings


@pytest.fixture
def throttle(tmp_path):
    return LoginThrottle(Settings(instance_dir=tmp_path, extra={"login_max_failures": 3, "login_lockout_seconds": 60,
                                                                "login_window_seconds": 60, "login_max_per_ip": 50}))


def test_attacker_elsewhere_cannot_lock_out_a_known_address(throttle):
    throttle.record("redacteur", "10.0.0.1", success=True)  # the editor's usual address
    for _ in range(3):
        throttle.record("redacteur", "203.0.113.9", success=False)
    assert not throttle.check("redacteur", "203.0.113.9").allowed  # the attacker is locked out
    assert throttle.check("redacteur", "10.0.0.1").allowed  # the editor is not
    for _ in range(10):  # renewing the lockout changes nothing for the editor
        throttle.record("redacteur", "203.0.113.9", success=False)
    assert throttle.check("redacteur", "10.0.0.1").allowed


def test_an_editor_on_a_new_address_is_not_locked_out_by_an_attacker(throttle):
    """Issue 24: the lockout applies to the guessing address, not to every address never seen before."""
    for _ in range(10):  # an attacker renewing the lockout of the name, again and again
        throttle.record("redacteur", "203.0.113.9", success=False)
    assert not throttle.check("redacteur", "203.0.113.9").allowed
    for new in ("198.51.100.1", "2001:db8::7", "10.20.30.40"):  # home, a phone network, …
        assert throttle.check("redacteur", new).allowed
    throttle.record("redacteur", "198.51.100.1", success=True)
    assert throttle.check("redacteur", "198.51.100.1").allowed
    assert not throttle.check("redacteur", "203.0.113.9").allowed  # the attacker stays locked


def test_guesses_from_one_address_stay_throttled_for_every_name(throttle):
    for name in ("a", "b"):
        for _ in range(3):
            throttle.record(name, "203.0.113.9", success=False)
        assert not throttle.check(name, "203.0.113.9").allowed


def test_a_known_address_is_locked_by_its_own_failures(throttle):
    throttle.record("redacteur", "10.0.0.1", success=True)
    for _ in range(3):
        throttle.record("redacteur", "10.0.0.1", success=False)
    verdict = throttle.check("redacteur", "10.0.0.1")
    assert not verdict.allowed and verdict.reason == "account" and 0 < verdict.retry_after <= 61


def test_lockout_is_temporary(tmp_path):
    throttle = LoginThrottle(Settings(instance_dir=tmp_path, extra={"login_max_failures": 2, "login_lockout_seconds": 1,
                                                                    "login_window_seconds": 1, "login_max_per_ip": 50}))
    throttle.record("redacteur", "10.0.0.2", success=False)
    assert throttle.record("redacteur", "10.0.0.2", success=False) is True
    assert not throttle.check("redacteur", "10.0.0.2").allowed
    time.sleep(1.2)
    assert throttle.check("redacteur", "10.0.0.2").allowed


def test_old_throttle_files_are_read(throttle):
    old = {"names": {"redacteur": {"failures": [time.time()], "locked_until": 0}}, "ips": {}}
    throttle.path.write_text(json.dumps(old))
    assert throttle.check("redacteur", "10.0.0.1").allowed
    throttle.record("redacteur", "10.0.0.1", success=False)
