"""Each content file once as N-Triples plus its typed IRIs, re-read only when it changes.

After a save the refresh child (toolbox.refresh) needs all content as N-Triples. Parsing the
11,000 Turtle files of 100x content takes half a minute, so the cache is kept in build/ between
saves and between server starts: a save re-parses only the files whose mtime or size changed.
The site itself does not read the content folder per save: under 200 clients each of those
thousands of file calls waited for the interpreter lock, and a save took minutes.
"""

from __future__ import annotations

import contextlib
import pickle
import threading
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from toolbox.config import Settings
from toolbox.files import atomic_write, file_digest
from toolbox.graph.content import content_files, parse_turtle

CACHE_FILE = "content-cache.pickle"
_FORMAT = 2


@dataclass(frozen=True, slots=True)
class _Parsed:
    key: tuple[int, int]  # (mtime_ns, size) of the file it was read from
    digest: bytes  # of its bytes, for the content version
    nt: bytes
    types: tuple[tuple[URIRef, URIRef], ...]
    problem: str | None  # a file that does not parse is left out (`toolbox validate` reports it)


class ContentCache:
    """N-Triples and types per content file; no parsed graphs (at 100x they held 600 MB)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._files: dict[Path, _Parsed] = {}
        self._lock = threading.Lock()

    # -- kept in build/ -------------------------------------------------------
    @classmethod
    def kept(cls, settings: Settings) -> ContentCache:
        """The cache as the last save or warm-up left it in build/ (empty if missing, old or damaged)."""
        cache = cls(settings)
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
                                 AttributeError, KeyError):
            payload = pickle.loads(cls.path(settings).read_bytes())  # written by us, in our build folder
            if payload["format"] == _FORMAT and payload["base"] == settings.base_uri \
                    and payload["content"] == str(settings.content_dir.resolve()):
                cache._files = {Path(p): entry for p, entry in payload["files"].items()}
        return cache

    def keep(self) -> None:
        """Write the cache to build/ (atomically: a killed writer leaves the previous one)."""
        with self._lock:
            payload = {"format": _FORMAT, "base": self.settings.base_uri,
                       "content": str(self.settings.content_dir.resolve()),
                       "files": {str(p): entry for p, entry in self._files.items()}}
        atomic_write(self.path(self.settings), pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def path(settings: Settings) -> Path:
        return settings.build_dir / CACHE_FILE

    # -- reading --------------------------------------------------------------
    def content_nt(self, exclude: Path | None = None) -> bytes:
        """All content as N-Triples, without one file (blank nodes stay distinct per file)."""
        with self._lock:
            skip = exclude.resolve() if exclude is not None else None
            return b"".join(e.nt for path, e in self._parsed() if path != skip)

    def neighbourhood(self, graph: Graph, exclude: Path | None = None) -> tuple[Graph, dict[URIRef, Path]]:
        """The graph plus the types of every IRI it links to, from the other files; and who defines what.

        Enough to validate one case (its shapes check its own statements and the class of what it
        links to), without the whole content.
        """
        with self._lock:
            wanted = {o for o in graph.objects() if isinstance(o, URIRef)}
            out = Graph()
            out += graph
            defined: dict[URIRef, Path] = {}
            skip = exclude.resolve() if exclude is not None else None
            for path, entry in self._parsed():
                own = path == skip
                for s, t in entry.types:
                    defined.setdefault(s, path)
                    if s in wanted and not own:
                        out.add((s, RDF.type, t))
            return out, defined

    def digests(self) -> list[tuple[str, bytes]]:
        """(place in content/, hash) of every content file, for toolbox.build.content_version."""
        with self._lock:
            root = self.settings.content_dir.resolve()
            return [(path.relative_to(root).as_posix(), entry.digest) for path, entry in self._entries()]

    def _parsed(self) -> list[tuple[Path, _Parsed]]:
        return [(path, entry) for path, entry in self._entries() if entry.problem is None]

    def _entries(self) -> list[tuple[Path, _Parsed]]:
        files = content_files(self.settings.content_dir.resolve())  # comparable with a resolved exclude
        for gone in set(self._files) - set(files):
            del self._files[gone]
        return [(path, self._entry(path)) for path in files]

    def _entry(self, path: Path) -> _Parsed:
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        cached = self._files.get(path)
        if cached and cached.key == key:
            return cached
        data = path.read_bytes()
        try:
            graph, problem = parse_turtle(data.decode("utf-8"), str(path), self.settings.base_uri)
        except UnicodeDecodeError as exc:
            graph, problem = None, exc
        if graph is None:
            why = getattr(problem, "message", None) or str(problem or "onleesbaar")
            entry = _Parsed(key, file_digest(data), b"", (), why)
        else:
            types = tuple((s, t) for s, t in graph.subject_objects(RDF.type) if isinstance(s, URIRef))
            entry = _Parsed(key, file_digest(data), graph.serialize(format="nt", encoding="utf-8"), types, None)
        self._files[path] = entry
        return entry
