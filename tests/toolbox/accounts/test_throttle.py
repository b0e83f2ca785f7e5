"""Login throttling cannot be turned against a real editor (found by tests/reliability: five wrong
passwords from anywhere locked the name for everyone, and an attacker could renew that forever)."""

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
    assert not throttle.check("redacteur", "198.51.100.1").allowed  # so is every unknown address
    assert throttle.check("redacteur", "10.0.0.1").allowed  # the editor is not
    for _ in range(10):  # renewing the lockout changes nothing for the editor
        throttle.record("redacteur", "203.0.113.9", success=False)
    assert throttle.check("redacteur", "10.0.0.1").allowed


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
