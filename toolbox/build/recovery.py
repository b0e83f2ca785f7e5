"""Opening build/ at start-up, and building it again when it turns out damaged.

`ensure_built` trusts build/ when the manifest names the current content version. If a file in it is
damaged anyway (a disk error, a copy broken off halfway, someone editing it), opening the dataset or
the search index fails. Then the site says so in one line and builds again from content/, instead of
stopping with a traceback (under Granian: a crash loop).
"""

from __future__ import annotations

import gc
import logging
import shutil
import sys
from collections.abc import Callable
from typing import TypeVar

from toolbox.build.pipeline import Artefacts, BuildError, artefact_paths, build, ensure_built, last_good
from toolbox.config import Settings
from toolbox.process import release_freed_memory

log = logging.getLogger(__name__)
T = TypeVar("T")


def _say(message: str) -> None:
    log.warning(message)
    print(message, file=sys.stderr, flush=True)


def discard_build(settings: Settings) -> None:
    """Remove what a rebuild writes again (the manifest first, so nothing trusts the rest meanwhile)."""
    paths = artefact_paths(settings)
    paths.manifest.unlink(missing_ok=True)
    for folder in (settings.build_dir / "sparql-store", paths.index_dir):
        shutil.rmtree(folder, ignore_errors=True)


def open_built(settings: Settings, open_artefacts: Callable[[Artefacts], T]) -> T:
    """open_artefacts(ensure_built(settings)); when that fails on a damaged build/, rebuild once and retry.

    Invalid content (BuildError) is not a damaged build: the last good build in build/ is opened, with the
    problems on its artefacts (the site says so); without one the BuildError is raised, with its report.
    """
    try:
        artefacts = ensure_built(settings)
    except BuildError as exc:
        artefacts = last_good(settings, exc.report.problems)
        if artefacts is None:
            raise
        first = exc.report.problems[0] if exc.report.problems else None
        where = f" ({first.file}:{first.line or '-'}: {first.message})" if first else ""
        _say(f"De inhoud is niet geldig{where}; de site toont de laatste goede versie "
             f"({artefacts.version}) tot het is hersteld.")
        return open_artefacts(artefacts)
    _hand_back_memory()
    try:
        return open_artefacts(artefacts)
    except BuildError:
        raise
    except Exception as exc:  # whatever a damaged file makes the parser or the index raise
        reason = " ".join(str(exc).split())[:300]
        _say(f"De gebouwde bestanden in {settings.build_dir} zijn beschadigd ({type(exc).__name__}: {reason}); "
             "ze worden opnieuw gebouwd uit de inhoud.")
    discard_build(settings)
    artefacts = build(settings, progress=_say)
    _hand_back_memory()
    return open_artefacts(artefacts)


def _hand_back_memory() -> None:
    """A build in this process (content changed while the site was down) leaves cyclic garbage and
    freed heap: at 100x content 1243 MB, of which 770 MB go with a collection and malloc_trim.
    Without this the site served with it for as long as it ran. Cheap when nothing was built."""
    gc.collect()
    release_freed_memory()
