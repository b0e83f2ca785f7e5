"""After saves: one refresh of the site state at a time, in the background, saves in between folded in.

At 100x content under 200 clients a refresh takes half a minute. An editor who saves every few
seconds should not wait for each one: the save asks for a refresh and waits a short while for
it, and not at all when the last refreshes say it will not be done in that while. A refresh
reads the content folder as it is when it starts, so saves that arrive while one runs are all
covered by the next one; states are swapped in the order the files were written, and the public
pages never go back to an older version.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

READY, BUSY, FAILED = "klaar", "bezig", "mislukt"


class Refresher:
    """Runs `work` (make and swap in a new state; raise if that failed) for every batch of requests."""

    def __init__(self, work: Callable[[], None], name: str = "toolbox-refresh"):
        self._work = work
        self._name = name
        self._changed = threading.Condition()
        self._asked = 0  # tickets handed out
        self._done = 0  # every ticket up to this one is covered by a finished refresh
        self._failed: set[int] = set()  # tickets whose refresh failed
        self._running = False
        self._current: tuple[int, float] | None = None  # (last ticket it covers, start) of the refresh running now
        self._last_seconds: float | None = None  # how long the last refresh took

    def request(self) -> int:
        """Ask for a refresh that covers everything written so far; returns the ticket to wait for."""
        with self._changed:
            self._asked += 1
            ticket = self._asked
            if not self._running:
                self._running = True
                threading.Thread(target=self._loop, name=self._name, daemon=True).start()
            return ticket

    def wait(self, ticket: int, timeout: float) -> str:
        """READY when a state with this ticket's save is on the site, FAILED when its refresh failed,
        BUSY when it is still being made after `timeout` seconds."""
        with self._changed:
            if self._done < ticket and self._expected_seconds(ticket) > timeout:
                return BUSY  # no use waiting: say at once that the pages follow
            self._changed.wait_for(lambda: self._done >= ticket, timeout)
            if self._done < ticket:
                return BUSY
            return FAILED if ticket in self._failed else READY

    def _expected_seconds(self, ticket: int) -> float:
        """Until this ticket is covered, going by the last refresh (0 when there was none yet)."""
        took = self._last_seconds or 0.0
        if self._current is None:
            return took
        covers, started = self._current
        left = max(0.0, started + took - time.monotonic())
        return left if covers >= ticket else left + took

    def idle(self, timeout: float) -> bool:
        """Wait until no refresh runs or is asked for (tests, shutdown)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._running, timeout)

    def _loop(self) -> None:
        while True:
            with self._changed:
                if self._done >= self._asked:
                    self._running = False
                    self._changed.notify_all()
                    return
                covers = self._asked
                started = time.monotonic()
                self._current = (covers, started)
            try:
                self._work()
                failed = False
            except Exception:  # the files are written; the site keeps the state it has
                logging.getLogger(__name__).exception("Verversen van de site na opslaan mislukt")
                failed = True
            with self._changed:
                self._current, self._last_seconds = None, time.monotonic() - started
                if failed:
                    self._failed.update(range(self._done + 1, covers + 1))
                else:
                    self._failed.difference_update(range(self._done + 1, covers + 1))
                self._done = covers
                self._changed.notify_all()
