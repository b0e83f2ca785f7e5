"""The background refresher: saves during a refresh are folded into the next one, waits are bounded,
a failed refresh is reported to the saves it covered and not to later ones."""

from __future__ import annotations

import threading
import time

import pytest

from webapp.beheer.refresher import BUSY, FAILED, READY, Refresher


class Work:
    """A refresh that blocks until the test lets it finish, and fails when told to."""

    def __init__(self):
        self.runs = 0
        self.started = threading.Semaphore(0)
        self.go = threading.Semaphore(0)
        self.fail = False

    def __call__(self):
        self.runs += 1
        self.started.release()
        assert self.go.acquire(timeout=10)
        if self.fail:
            raise OSError(28, "No space left on device")


@pytest.fixture
def work():
    return Work()


def test_saves_during_a_refresh_are_covered_by_one_more_refresh(work):
    refresher = Refresher(work)
    first = refresher.request()
    assert work.started.acquire(timeout=10)  # the first refresh runs
    later = [refresher.request() for _ in range(5)]  # five saves meanwhile
    assert refresher.wait(first, 0.05) == BUSY
    work.go.release()
    assert refresher.wait(first, 10) == READY
    assert refresher.wait(later[0], 0.05) == BUSY  # written after the first refresh started
    assert work.started.acquire(timeout=10)
    work.go.release()
    assert all(refresher.wait(t, 10) == READY for t in later)
    assert refresher.idle(10)
    assert work.runs == 2  # not six


def test_a_failed_refresh_is_reported_to_its_saves_and_the_next_one_can_succeed(work):
    refresher = Refresher(work)
    work.fail = True
    failing = refresher.request()
    assert work.started.acquire(timeout=10)
    work.go.release()
    assert refresher.wait(failing, 10) == FAILED
    assert refresher.idle(10)
    work.fail = False
    fine = refresher.request()
    assert work.started.acquire(timeout=10)
    work.go.release()
    assert refresher.wait(fine, 10) == READY
    assert refresher.wait(failing, 0) == FAILED  # still known as failed: that save was not shown then
    assert refresher.idle(10)


def test_a_wait_never_outlasts_its_timeout(work):
    refresher = Refresher(work)
    ticket = refresher.request()
    assert work.started.acquire(timeout=10)
    assert refresher.wait(ticket, 0.1) == BUSY
    work.go.release()
    assert refresher.wait(ticket, 10) == READY


def test_no_wait_when_the_last_refresh_says_it_would_be_in_vain(work):
    """A refresh took longer than the editor would wait: the next save hears at once that the pages
    follow (a wait that would block for an hour must return while the refresh is still held)."""
    refresher = Refresher(work)
    first = refresher.request()
    assert work.started.acquire(timeout=10)
    time.sleep(0.3)
    work.go.release()
    assert refresher.wait(first, 10) == READY  # it took 0.3 s or more
    second = refresher.request()
    assert work.started.acquire(timeout=10)
    assert refresher.wait(second, 0.1) == BUSY
    answer = {}
    waiting = threading.Thread(target=lambda: answer.update(outcome=refresher.wait(refresher.request(), 0.2)))
    waiting.start()  # made while `second` runs: the one after it covers this save
    waiting.join(5)
    assert answer.get("outcome") == BUSY
    long_wait = threading.Thread(target=lambda: answer.update(long=refresher.wait(second, 3600)))
    long_wait.start()  # worth waiting an hour for: it does wait (until the refresh ends)
    time.sleep(0.2)
    assert long_wait.is_alive()
    work.go.release()
    long_wait.join(10)
    assert answer["long"] == READY
    assert work.started.acquire(timeout=10)
    work.go.release()
    assert refresher.idle(10)
