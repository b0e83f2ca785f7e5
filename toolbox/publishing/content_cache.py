"""Each content file once as N-Triples plus its typed IRIs, re-read only when it changes.

After a save the refresh child (toolbox.publishing.refresh) needs all content as N-Triples. Parsing the
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
from toolbox.graph.content import Problem, content_files, decode, parse_turtle

CACHE_FILE = "content-cache.pickle"
_FORMAT = 3


@dataclass(frozen=True, slots=True)
class _Parsed:
    key: tuple[int, int] | None  # (mtime_ns, size) of the file it was read from; None: read it again
    digest: bytes  # of its bytes, for the content version
    nt: bytes  # what is published of the file: its last good version when it has a problem
    types: tuple[tuple[URIRef, URIRef], ...]
    problem: Problem | None  # why the file as it is now is not published (file, line, message)


class ContentCache:
    """N-Triples and types per content file; no parsed graphs (at 100x they held 600 MB)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._files: dict[Path, _Parsed] = {}
        self._lock = threading.Lock()
        # Read again since this cache was loaded: the entry before (None: a new file), and files gone.
        self._before: dict[Path, _Parsed | None] = {}
        self._gone: dict[Path, _Parsed] = {}
        self._held: set[Path] = set()  # held back in this session: their last good version stays
        self._look: list | None = None  # the folder as one_look() read it

    # -- kept in build/ -------------------------------------------------------
    @classmethod
    def kept(cls, settings: Settings) -> ContentCache:
        """The cache as the last save or warm-up left it in build/ (empty if missing, old or damaged)."""
        cache = cls(settings)
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
                                 AttributeError, KeyError, ImportError):  # ImportError: a cache of an older layout
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

    def published(self) -> dict[Path, bytes]:
        """Each content file's N-Triples as a publication holds them (its last good version if held back)."""
        with self._lock:
            return {path: entry.nt for path, entry in self._parsed()}

    @contextlib.contextmanager
    def one_look(self):
        """Read the folder once for all the questions of one publication (at 100x content each look
        is 11,000 file calls); holding a file back looks again."""
        with self._lock:
            self._look = self._read_entries()
        try:
            yield self
        finally:
            self._look = None

    def as_kept(self) -> tuple[list[tuple[str, bytes]], dict[Path, bytes]] | None:
        """(place, hash) and N-Triples of every file as the cache was kept, without reading the folder;
        None when it is empty or holds a file back (toolbox/publishing/publish.py starts from this)."""
        with self._lock:
            if not self._files or any(e.problem is not None for e in self._files.values()):
                return None
            root = self.settings.content_dir.resolve()
            try:
                digests = [(p.relative_to(root).as_posix(), e.digest) for p, e in self._files.items()]
            except ValueError:
                return None
            return digests, {p: e.nt for p, e in self._files.items() if e.nt or e.types}

    def settle(self) -> None:
        """What was read again is now published: the next `changed()` starts from here (a cache kept
        in the site between saves, toolbox/publishing/publish.py)."""
        with self._lock:
            self._before.clear()
            self._gone.clear()

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

    # -- what is not published, and why ------------------------------------------
    def problems(self) -> list[Problem]:
        """Every file whose current version is not published (its last good version is, if any)."""
        with self._lock:
            self._entries()
            return [entry.problem for _, entry in sorted(self._files.items()) if entry.problem is not None]

    def unpublishable(self) -> list[Problem]:
        """Problems of files of which no good version is known: publishing now would leave them out."""
        with self._lock:
            return [e.problem for e in self._files.values() if e.problem is not None and not e.nt and not e.types]

    def changed(self) -> dict[Path, bytes | None]:
        """Files read again since this cache was loaded that parse (path -> digest), and files gone (None)."""
        with self._lock:
            self._entries()
            out: dict[Path, bytes | None] = {p: self._files[p].digest for p in self._before
                                             if p in self._files and self._files[p].problem is None}
            out.update(dict.fromkeys(self._gone))
            return out

    def hold_back(self, paths, why: dict[Path, Problem]) -> None:
        """Publish the last good version of these files instead of what they hold now (a file that is
        gone comes back as it was); each keeps its problem and is read and checked again next time."""
        with self._lock:
            self._look = None
            for path in paths:
                if path in self._gone:
                    old = self._gone.pop(path)
                    self._files[path] = _Parsed(None, old.digest, old.nt, old.types, why[path])
                    self._held.add(path)
                    continue
                current = self._files.get(path)
                old = self._before.get(path)
                if current is None:
                    continue
                nt, types = (old.nt, old.types) if old is not None else (b"", ())
                self._files[path] = _Parsed(None, current.digest, nt, types, why[path])
                self._held.add(path)

    def display(self, path: Path) -> str:
        """The name of a content file as `toolbox validate` gives it (content/tools/x.ttl)."""
        root = self.settings.content_dir.resolve()
        try:
            return str(Path(root.name) / path.relative_to(root))
        except ValueError:
            return str(path)

    def _parsed(self) -> list[tuple[Path, _Parsed]]:
        return [(path, entry) for path, entry in self._entries() if entry.nt or entry.types]

    def _entries(self) -> list[tuple[Path, _Parsed]]:
        return self._look if self._look is not None else self._read_entries()

    def _read_entries(self) -> list[tuple[Path, _Parsed]]:
        files = content_files(self.settings.content_dir.resolve())  # comparable with a resolved exclude
        present = set(files)
        for gone in set(self._files) - present - self._held:
            entry = self._files.pop(gone)
            if entry.problem is None or entry.nt:
                self._gone[gone] = entry
        entries = [(path, self._entry(path)) for path in files]
        return entries + [(path, self._files[path]) for path in sorted(self._held - present) if path in self._files]

    def _entry(self, path: Path) -> _Parsed:
        cached = self._files.get(path)
        if path in self._held and cached is not None:
            return cached
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        if cached and cached.key == key:
            return cached
        data = path.read_bytes()
        name = self.display(path)
        text, problem = decode(data, name)
        graph = None
        if text is not None:
            graph, problem = parse_turtle(text, name, self.settings.base_uri)
        self._before.setdefault(path, cached)
        self._gone.pop(path, None)
        if graph is None:  # keep publishing what the file held when it last parsed (nothing if never)
            last = cached if cached is not None and (cached.nt or cached.types) else None
            entry = _Parsed(None, file_digest(data), last.nt if last else b"", last.types if last else (), problem)
        else:
            types = tuple((s, t) for s, t in graph.subject_objects(RDF.type) if isinstance(s, URIRef))
            entry = _Parsed(key, file_digest(data), graph.serialize(format="nt", encoding="utf-8"), types, None)
        self._files[path] = entry
        return entry
