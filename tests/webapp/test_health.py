"""GET /health: JSON for a load balancer and monitoring; one function per check (issue 24)."""

from __future__ import annotations

from webapp import health


def test_health_says_what_serves_and_nothing_secret(app):
    response = app.test_client().get("/health")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["status"] == "ok" and set(body["controles"]) >= {"inhoud", "build", "sparql"}
    assert body["controles"]["inhoud"] == {"status": "ok", "aantal_problemen": 0, "problemen": []}
    assert body["controles"]["build"]["versie"] == app.extensions["toolbox"].version
    settings = app.config["TOOLBOX"]
    for secret in (str(settings.build_dir), str(settings.instance_dir), app.config["SECRET_KEY"]):
        assert secret not in response.text


def test_a_new_check_is_one_function_and_a_failing_one_counts(app, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "externe_store", lambda app: {"status": "gedegradeerd", "traag": True})
    body = app.test_client().get("/health").json
    assert body["status"] == "gedegradeerd" and body["controles"]["externe_store"]["traag"] is True

    def broken(app):
        raise OSError("geheim pad /etc/x")

    monkeypatch.setitem(health.CHECKS, "externe_store", broken)
    response = app.test_client().get("/health")
    assert response.status_code == 200 and response.json["status"] == "fout"
    assert "geheim" not in response.text and response.json["controles"]["externe_store"]["status"] == "fout"


def test_a_site_that_cannot_serve_answers_503(app, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "build", lambda app: {"status": "fout", "melding": "geen build"})
    response = app.test_client().get("/health")
    assert response.status_code == 503 and response.json["status"] == "fout"


def test_the_external_store_is_checked_and_a_dead_one_is_reported(real_settings):
    """The documented health check no longer says all is well while the external store is down (issue 26)."""
    import http.server
    import socket
    import threading
    from dataclasses import replace
    from types import SimpleNamespace

    from webapp.health import check_store

    class Store(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server API)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head": {}, "boolean": true}')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Store)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    live = f"http://127.0.0.1:{server.server_port}/sparql"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/sparql"  # bound, never listening: refused
    try:
        app = lambda endpoint: SimpleNamespace(config={"TOOLBOX": replace(real_settings, sparql_endpoint=endpoint)})  # noqa: E731
        assert check_store(app(None))["status"] == "ok"
        assert check_store(app(live))["status"] == "ok"
        down = check_store(app(dead))
        assert down["status"] == "gedegradeerd" and "antwoordt niet" in down["melding"]
    finally:
        server.shutdown()
