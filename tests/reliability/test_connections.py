"""More keep-alive clients than server threads: every client is answered, none waits for ever.

Found by the soak (bench/soak.py, 200 clients): Granian's `backpressure` limits the connections a
worker holds, and `toolbox serve` had set it to the number of Python threads (64). The 64 keep-alive
connections that got in were served again and again; the other 136 clients got nothing until their
120 s timeout (544 time-outs in 10 minutes), and an editor could not even open the login page.
"""

from __future__ import annotations

import http.client
import threading
import time

import pytest

from .live_site import Site

pytestmark = [pytest.mark.reliability, pytest.mark.server]

THREADS = 4
CLIENTS = 12


def test_more_keep_alive_clients_than_threads_are_all_answered(tmp_path):
    site = Site(tmp_path / "site", editors=0, env={"TOOLBOX_SERVER_THREADS": str(THREADS)})
    site.start()
    try:
        port = int(site.base.rsplit(":", 1)[1])
        answered = [0] * CLIENTS
        timeouts = [0] * CLIENTS
        ready = threading.Barrier(CLIENTS)
        deadline = time.monotonic() + 8

        def client(i):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
            ready.wait()
            while time.monotonic() < deadline:
                try:
                    conn.request("GET", "/", headers={"Accept": "text/html"})
                    response = conn.getresponse()
                    response.read()
                    answered[i] += response.status == 200
                except (OSError, http.client.HTTPException):
                    timeouts[i] += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
            conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert all(answered), f"clients without any answer: {answered}"
        assert not any(timeouts), timeouts
    finally:
        site.stop()
