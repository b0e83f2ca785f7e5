"""The import layers of docs/architecture.md, checked on the code's own imports.

Walks the AST of every module in toolbox/ and webapp/ and collects every import, also those
inside functions (lazy imports count). Two rules:

* the core (`toolbox`) never imports `webapp`, Flask or Werkzeug, with one stated exception:
  the `toolbox serve` command in toolbox/cli.py reaches the server start in webapp/serve.py by
  an import inside its function (ALLOWED_CORE_TO_WEB; docs/architecture.md says the same);
* no import circle among the modules of both packages;
* each package (a room: `toolbox.graph`, `webapp.pages`, ...) imports only the rooms below it in
  LAYERS: the graph knows nothing of SPARQL over HTTP, editing or accounts; the guide reads the graph
  and search; editing uses the build, the guide and the graph; the web families do not import each
  other; nothing in toolbox/ imports the web side.

The checker is tested on synthetic module graphs too, so it is known to report a violation.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from toolbox.config import REPO_ROOT

PACKAGES = ("toolbox", "webapp")
CORE = "toolbox"
WEB = ("webapp", "flask", "werkzeug")
# (importer, imported): allowed from the core to the web side, and only inside a function.
ALLOWED_CORE_TO_WEB = {("toolbox.cli", "webapp.serve")}
MAX_LINES = 400

# Room -> the rooms it may import (besides itself). A room is a subpackage, or the base modules at
# the top of a package. docs/architecture.md draws the same picture.
_BASE = {"toolbox.base"}
_CORE_ROOMS = {"toolbox.base", "toolbox.graph", "toolbox.sparql", "toolbox.accounts", "toolbox.search",
               "toolbox.guide", "toolbox.build", "toolbox.publishing", "toolbox.editing", "toolbox.operations",
               "toolbox.readers"}
LAYERS = {
    "toolbox.base": set(),
    "toolbox.graph": _BASE,
    "toolbox.sparql": _BASE,
    "toolbox.accounts": _BASE,
    "toolbox.search": _BASE | {"toolbox.graph"},
    "toolbox.guide": _BASE | {"toolbox.graph", "toolbox.search"},
    "toolbox.build": _BASE | {"toolbox.graph", "toolbox.search", "toolbox.guide"},
    "toolbox.publishing": _BASE | {"toolbox.graph", "toolbox.search", "toolbox.guide", "toolbox.build"},
    "toolbox.editing": _BASE | {"toolbox.graph", "toolbox.search", "toolbox.guide", "toolbox.build",
                                "toolbox.publishing"},
    "toolbox.readers": _BASE | {"toolbox.graph", "toolbox.accounts"},
    "toolbox.operations": _CORE_ROOMS - {"toolbox.operations"},
    "toolbox.cli": _CORE_ROOMS,
    "webapp.support": _CORE_ROOMS,
    "webapp.pages": _CORE_ROOMS | {"webapp.support"},
    "webapp.sparql": _CORE_ROOMS | {"webapp.support"},
    "webapp.beheer": _CORE_ROOMS | {"webapp.support"},
    "webapp.top": _CORE_ROOMS | {"webapp.support", "webapp.pages", "webapp.sparql", "webapp.beheer"},
}
# Top-level modules that are not base modules.
_TOP_ROOMS = {"toolbox.cli": "toolbox.cli", "webapp": "webapp.top", "webapp.app": "webapp.top",
              "webapp.serve": "webapp.top"}
ARCHITECTURE_DOC = REPO_ROOT / "docs" / "architecture.md"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    lazy: bool  # inside a function or method


def module_names(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the packages under root."""
    names = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names[".".join(parts)] = path
    return names


def _imports(tree: ast.AST, name: str, is_package: bool, known) -> list[tuple[str, int, bool]]:
    found = []

    def visit(node, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, lazy) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                for alias in child.names:  # `from pkg import submodule` imports the submodule
                    sub = f"{module}.{alias.name}"
                    found.append((sub if sub in known else module, child.lineno, lazy))
            visit(child, inner)

    visit(tree, False)
    return found


def import_graph(root: Path = REPO_ROOT, packages=PACKAGES) -> dict[str, list[Edge]]:
    """Module -> its imports (internal and external, deduplicated per target and laziness)."""
    names = module_names(root, packages)
    graph = {}
    for name, path in names.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = {}
        for target, line, lazy in _imports(tree, name, path.name == "__init__.py", names):
            if target != name:
                edges.setdefault((target, lazy), Edge(name, target, line, lazy))
        graph[name] = list(edges.values())
    return graph


def _within(module: str, roots) -> bool:
    return any(module == r or module.startswith(r + ".") for r in roots)


def room(module: str) -> str:
    """The package a module lives in (`toolbox.sparql.pool` -> `toolbox.sparql`); top-level modules
    are the base of their package (`toolbox.config` -> `toolbox.base`, `webapp.state` -> `webapp.support`)."""
    if module in _TOP_ROOMS:
        return _TOP_ROOMS[module]
    parts = module.split(".")
    if len(parts) >= 3 or f"{parts[0]}.{parts[-1]}" in LAYERS:
        return ".".join(parts[:2])
    return "toolbox.base" if parts[0] == "toolbox" else "webapp.support"


def upward_imports(graph: dict[str, list[Edge]]) -> list[Edge]:
    """Imports between rooms that LAYERS does not allow (the lazy `toolbox serve` import excepted)."""
    wrong = []
    for edges in graph.values():
        for edge in edges:
            if edge.target not in graph or (edge.lazy and (edge.source, edge.target) in ALLOWED_CORE_TO_WEB):
                continue
            source, target = room(edge.source), room(edge.target)
            if source != target and target not in LAYERS[source]:
                wrong.append(edge)
    return wrong


def core_to_web(graph: dict[str, list[Edge]]) -> list[Edge]:
    """Imports from the core to the web side that the layer rule forbids."""
    return [edge for edges in graph.values() for edge in edges
            if _within(edge.source, (CORE,)) and _within(edge.target, WEB)
            and not (edge.lazy and (edge.source, edge.target) in ALLOWED_CORE_TO_WEB)]


def import_circles(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round about (strongly connected components)."""
    adjacent = {m: sorted({e.target for e in edges if e.target in graph}) for m, edges in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def connect(v: str) -> None:  # Tarjan; the module graph is shallow enough for recursion
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in adjacent[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(adjacent):
        if module not in index:
            connect(module)
    return circles


# --------------------------------------------------------------------------- the real code
@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_the_core_imports_no_web(graph):
    assert core_to_web(graph) == [], "toolbox/ imports the web side (docs/architecture.md)"


def test_no_import_circles(graph):
    assert import_circles(graph) == []


def test_every_package_imports_only_the_layers_below_it(graph):
    wrong = [f"{e.source} -> {e.target} (line {e.line}): {room(e.source)} may not use {room(e.target)}"
             for e in upward_imports(graph)]
    assert wrong == [], "docs/architecture.md, Layers"


def test_every_module_sits_in_a_known_room(graph):
    assert {room(m) for m in graph} <= set(LAYERS)


def test_no_folder_holds_more_than_a_dozen_modules():
    crowded = {str(folder.relative_to(REPO_ROOT)): n for package in PACKAGES
               for folder in [REPO_ROOT / package, *(p.parent for p in (REPO_ROOT / package).rglob("__init__.py"))]
               if (n := len([f for f in folder.glob("*.py") if f.name != "__init__.py"])) > 12}
    assert crowded == {}


def test_every_package_says_what_it_owns():
    silent = [str(p.relative_to(REPO_ROOT)) for package in PACKAGES for p in (REPO_ROOT / package).rglob("__init__.py")
              if len(ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "") < 40]
    assert silent == []


def test_the_cli_exception_is_lazy_and_still_needed(graph):
    cli = [e for e in graph["toolbox.cli"] if _within(e.target, WEB)]
    assert [(e.target, e.lazy) for e in cli] == [("webapp.serve", True)]


def test_modules_stay_small_or_say_why():
    """No module over MAX_LINES lines in toolbox/, webapp/ or bench/ unless docs/architecture.md names it."""
    doc = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    allowed = set(re.findall(r"^- `([\w/]+\.py)` \(\d+ lines\)", doc.split("## Larger modules", 1)[-1], re.M))
    big = {str(path.relative_to(REPO_ROOT)) for package in ("toolbox", "webapp", "bench")
           for path in (REPO_ROOT / package).rglob("*.py")
           if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES}
    assert big <= allowed, f"over {MAX_LINES} lines without a reason in docs/architecture.md: {sorted(big - allowed)}"


def test_the_architecture_doc_names_every_module():
    doc = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    missing = [str(p.relative_to(REPO_ROOT)) for p in module_names(REPO_ROOT).values()
               if f"`{p.relative_to(REPO_ROOT)}`" not in doc]
    assert missing == []


# --------------------------------------------------------------------------- the checker itself
def _synthetic(tmp_path: Path, files: dict[str, str]) -> dict[str, list[Edge]]:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return import_graph(tmp_path)


def test_checker_reports_a_circle(tmp_path):
    graph = _synthetic(tmp_path, {
        "toolbox/__init__.py": "",
        "toolbox/build.py": "from .search import build_index\n",
        "toolbox/search.py": "from toolbox import store\n",
        "toolbox/store.py": "def open_store():\n    from .build import ensure_built\n",  # lazy counts too
        "webapp/__init__.py": "",
    })
    assert import_circles(graph) == [["toolbox.build", "toolbox.search", "toolbox.store"]]


def test_checker_reports_a_circle_across_the_layers(tmp_path):
    graph = _synthetic(tmp_path, {
        "toolbox/__init__.py": "",
        "toolbox/endpoint.py": "from .serve import limit\n",
        "toolbox/serve.py": "from webapp import create_app\n",
        "webapp/__init__.py": "from .app import create_app\n",
        "webapp/app.py": "import toolbox.endpoint\n",
    })
    assert import_circles(graph) == [["toolbox.endpoint", "toolbox.serve", "webapp", "webapp.app"]]
    assert [(e.source, e.target) for e in core_to_web(graph)] == [("toolbox.serve", "webapp")]


@pytest.mark.parametrize("text", [
    "import flask\n",
    "from werkzeug.http import parse_accept_header\n",
    "def later():\n    from webapp.pages import bp\n",
    "class Later:\n    def run(self):\n        import webapp.serve\n",
])
def test_checker_reports_core_to_web(tmp_path, text):
    graph = _synthetic(tmp_path, {"toolbox/__init__.py": "", "toolbox/store.py": text, "webapp/__init__.py": ""})
    assert [e.source for e in core_to_web(graph)] == ["toolbox.store"]


def test_checker_allows_only_the_stated_lazy_cli_import(tmp_path):
    graph = _synthetic(tmp_path, {
        "toolbox/__init__.py": "",
        "toolbox/cli.py": "def cmd_serve(args):\n    from webapp.serve import serve\n",
        "webapp/__init__.py": "",
        "webapp/serve.py": "",
    })
    assert core_to_web(graph) == []
    (tmp_path / "toolbox/cli.py").write_text("from webapp.serve import serve\n", encoding="utf-8")
    assert [e.target for e in core_to_web(import_graph(tmp_path))] == ["webapp.serve"]


@pytest.mark.parametrize("importer, text", [
    ("toolbox/graph/model.py", "from toolbox.sparql.endpoint import get_endpoint\n"),   # graph -> SPARQL
    ("toolbox/graph/store.py", "def later():\n    from toolbox.editing import editor\n"),  # lazy counts too
    ("toolbox/search/searching.py", "from toolbox.guide.ranker import SituationRanker\n"),  # upward
    ("toolbox/config.py", "from toolbox.graph import model\n"),                        # base -> a room
    ("webapp/pages/views.py", "from webapp.beheer.views import bp\n"),                # family -> family
    ("webapp/state.py", "from webapp.pages import views\n"),                          # support -> family
])
def test_checker_reports_an_upward_import(tmp_path, importer, text):
    files = {f: "" for f in ("toolbox/__init__.py", "toolbox/config.py", "toolbox/graph/__init__.py",
                             "toolbox/graph/model.py", "toolbox/graph/store.py", "toolbox/sparql/__init__.py",
                             "toolbox/sparql/endpoint.py", "toolbox/editing/__init__.py", "toolbox/editing/editor.py",
                             "toolbox/search/__init__.py", "toolbox/search/searching.py", "toolbox/guide/__init__.py",
                             "toolbox/guide/ranker.py", "webapp/__init__.py", "webapp/state.py",
                             "webapp/pages/__init__.py", "webapp/pages/views.py", "webapp/beheer/__init__.py",
                             "webapp/beheer/views.py")}
    assert upward_imports(_synthetic(tmp_path, files)) == []
    files[importer] = text
    assert [e.source for e in upward_imports(_synthetic(tmp_path, files))] == [importer[:-3].replace("/", ".")]


def test_checker_allows_the_layers_downward(tmp_path):
    graph = _synthetic(tmp_path, {
        "toolbox/__init__.py": "", "toolbox/config.py": "",
        "toolbox/graph/__init__.py": "", "toolbox/graph/model.py": "from toolbox.config import X\n",
        "toolbox/guide/__init__.py": "", "toolbox/guide/ranker.py": "from toolbox.graph.model import GraphModel\n",
        "toolbox/editing/__init__.py": "", "toolbox/editing/editor.py": "from toolbox.guide import ranker\n",
        "webapp/__init__.py": "", "webapp/state.py": "from toolbox.editing.editor import CaseEditor\n",
        "webapp/beheer/__init__.py": "", "webapp/beheer/views.py": "from webapp.state import state\n",
    })
    assert upward_imports(graph) == []


def test_a_package_importing_its_own_submodules_is_no_circle(tmp_path):
    graph = _synthetic(tmp_path, {
        "toolbox/__init__.py": "",
        "webapp/__init__.py": "from .app import create_app\n",
        "webapp/app.py": "from . import pages\n",
        "webapp/pages.py": "from . import plate\n",
        "webapp/plate.py": "",
    })
    assert import_circles(graph) == []
