"""The page cache renders a page once when many readers ask for it at the same moment (right after a
save, every reader misses at once); the others get that answer."""

from __future__ import annotations

import threading
import time

from webapp.app import create_app


def _app_counting_renders(real_settings, endpoint: str, delay: float):
    app = create_app(real_settings)
    app.config["TESTING"] = True
    view = app.view_functions[endpoint]
    renders = []

    def slow_view(*args, **kwargs):
        renders.append(threading.current_thread().name)
        time.sleep(delay)  # a page that takes a while to render at 100x content
        return view(*args, **kwargs)

    app.view_functions[endpoint] = slow_view
    return app, renders


def _ask_at_once(app, path: str, readers: int) -> list:
    answers: list = []
    start = threading.Barrier(readers)

    def read():
        client = app.test_client()
        start.wait()
        answers.append(client.get(path))

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def test_readers_of_one_page_at_once_share_one_render(real_settings):
    app, renders = _app_counting_renders(real_settings, "search.search", delay=0.3)
    answers = _ask_at_once(app, "/zoeken?q=participatie", readers=8)
    assert len(answers) == 8 and {a.status_code for a in answers} == {200}
    assert len(renders) == 1
    assert len({a.get_data() for a in answers}) == 1
    assert sum(a.headers.get("X-Toolbox-Cache") == "hit" for a in answers) == 7


def test_an_answer_that_is_not_kept_lets_the_waiting_readers_render_it_themselves(real_settings):
    app, renders = _app_counting_renders(real_settings, "search.search", delay=0.2)
    answers = _ask_at_once(app, "/zoeken?q=participatie&pagina=999", readers=4)  # 404: never kept
    assert {a.status_code for a in answers} == {404}
    assert len(renders) == 4


def test_an_error_while_rendering_does_not_leave_the_page_claimed(real_settings):
    app, renders = _app_counting_renders(real_settings, "search.search", delay=0.0)
    view = app.view_functions["search.search"]

    def failing(*args, **kwargs):
        view(*args, **kwargs)
        raise RuntimeError("stuk")

    app.view_functions["search.search"] = failing
    app.config["TESTING"] = False  # the friendly 500, not the exception
    client = app.test_client()
    assert client.get("/zoeken?q=participatie").status_code == 500
    app.view_functions["search.search"] = view
    started = time.monotonic()
    assert client.get("/zoeken?q=participatie").status_code == 200
    assert time.monotonic() - started < 5  # nobody waits for a render that ended in an error
