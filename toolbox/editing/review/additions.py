"""New knelpunten, themes and tools proposed by editors: one validated form per kind, kept as a draft,
published by a second editor through the same gate as a case (toolbox/editing/review/drafts.py).

A proposal becomes its own file, content/{folder}/{slug}.ttl, with only what the form asks: the names,
the texts the shapes require for that kind, the lists it belongs to, and where it comes from (a source
document of the City Deal or a link; the shapes refuse it without). Like every save it carries its author
(prov:wasAttributedTo), its date and, once approved, its approver. Richer fields (remedies, usage, roles
in weighing) are added in the file afterwards, as for the existing content.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from toolbox.config import CANONICAL_BASE
from toolbox.editing.editor import CaseEditor, SaveResult, remove_stale_temporaries
from toolbox.editing.form import (
    MAX_SLUG,
    Conflict,
    EditError,
    Field,
    Invalid,
    Prepared,
    account_iri,
    add_field_values,
    clean_text,
    empty_values,
    slugify,
    token_of,
)
from toolbox.editing.review.approval import add_approval
from toolbox.editing.validation import shacl_errors
from toolbox.editing.write_errors import WriteFailed
from toolbox.files import atomic_write
from toolbox.graph.content import SLUG_RE, parse_turtle, rebase_graph
from toolbox.graph.standards import NL_SBB
from toolbox.graph.standards import shapes_graph as nl_sbb_shapes
from toolbox.namespaces import SCHEMA, TOR
from toolbox.publishing.gate import approve

THEMES = URIRef(f"{CANONICAL_BASE}/id/lijst/themas")

_SLUG = Field("slug", "Adres (slug)", "slug", max_length=MAX_SLUG,
              hint="Kleine letters, cijfers en losse streepjes. Leeg laten: afgeleid van de naam. Ligt vast na "
                   "publiceren.")
_NAME = Field("naam", "Naam", "label", SKOS.prefLabel, required=True, max_length=300,
              hint="De naam waaronder het op de site en in de keuzelijsten staat: kort en herkenbaar.")
_OTHER_NAMES = Field("andere_namen", "Andere namen", "lines", SKOS.altLabel, max_length=300,
                     hint="Eén per regel: afkortingen en andere namen. De kiezer in het casusformulier vindt het "
                          "ook daarop.")
_SOURCES = [
    Field("bron", "Bron", "many", DCTERMS.source, ("bron",),
          hint="Het document van de City Deal waarin het staat. Staat het daar niet in, vul dan hieronder een "
               "link in: een bron of een link is verplicht."),
    Field("bron_links", "Herkomst (link)", "urls", DCTERMS.source, max_length=500,
          hint="Eén per regel: een link naar de plek waar het beschreven staat (https://…)."),
]


def _description(what: str, hint: str) -> Field:
    return Field("omschrijving", "Omschrijving", "text", DCTERMS.description, required=True, max_length=8000,
                 hint=hint or f"Wat {what} inhoudt, in je eigen woorden (minstens tien tekens).")


@dataclass(frozen=True)
class Kind:
    """One kind of thing an editor can propose: where its file goes, its class and its form."""

    name: str        # the URI segment and draft kind: knelpunt, thema, tool
    label: str       # in Dutch, for headings: "knelpunt"
    folder: str      # under content/
    cls: URIRef
    fields: tuple[Field, ...]
    new: str = ""    # "nieuw knelpunt", "nieuwe tool": the Dutch adjective follows the noun's gender

    def uri(self, slug: str) -> URIRef:
        return URIRef(f"{CANONICAL_BASE}/id/{self.name}/{slug}")


KINDS = {
    "knelpunt": Kind("knelpunt", "knelpunt", "knelpunten", TOR.Knelpunt, fields=(
        _SLUG, _NAME, _OTHER_NAMES,
        _description("het knelpunt", "Wat het knelpunt is en hoe het integraal werken in de weg zit, in je eigen "
                                     "woorden."),
        Field("dimensie", "Dimensies", "many", TOR.dimension, ("dimensie",), required=True,
              hint="Op welk vlak het knelpunt speelt (de dimensies A tot en met F van de probleemanalyse); "
                   "minstens één."),
        *_SOURCES), new="nieuw knelpunt"),
    "thema": Kind("thema", "thema", "themas", TOR.Theme, fields=(
        _SLUG, _NAME, _OTHER_NAMES,
        Field("definitie", "Definitie", "short", SKOS.definition, required=True, max_length=500,
              hint="Eén zin die zegt wat het thema betekent, zoals bij de andere thema's: ‘Opgave om …’ "
                   "(de definitie van het begrip volgens NL-SBB)."),
        _description("het thema", "Welke opgave in de openbare ruimte het thema omvat, in je eigen woorden."),
        *_SOURCES), new="nieuw thema"),
    "tool": Kind("tool", "tool", "tools", TOR.Tool, fields=(
        _SLUG, _NAME, _OTHER_NAMES,
        Field("tegeltekst", "Tegeltekst", "short", TOR.blurb, required=True, max_length=300,
              hint="Eén zin over wat je met de tool doet; die staat op de tegel in het overzicht van tools."),
        Field("in_het_kort", "In het kort", "text", TOR.summary, required=True, max_length=4000,
              hint="Een korte omschrijving van de tool: wat het is en wat het oplevert."),
        Field("categorie", "Categorie", "many", TOR.category, ("toolcategorie",), required=True,
              hint="Het soort tool; minstens één categorie."),
        Field("niveau", "Geschikt voor niveau", "many", TOR.suitableLevel, ("niveau",), required=True,
              hint="Op welk niveau van het proces de tool helpt: strategisch (stad), tactisch (gebied of wijk) "
                   "of uitvoering (project); minstens één."),
        Field("links", "Links", "urls", SCHEMA.url, max_length=500,
              hint="Eén per regel: waar de tool te vinden is (https://…)."),
        *_SOURCES), new="nieuwe tool"),
}


def kind_of(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise EditError("Dit soort onderdeel kan niet worden voorgesteld.")
    return kind


def addition_graph(kind: Kind, values: dict, slug: str, author: str, modified: str,
                   approver: str | None = None) -> tuple[Graph, dict[str, list[str]]]:
    """The proposal as it will be published (canonical IRIs), plus errors for input that is not RDF."""
    uri = kind.uri(slug)
    graph = Graph()
    errors: dict[str, list[str]] = {}
    graph.add((uri, RDF.type, kind.cls))
    if kind.name == "thema":  # a theme is a concept of the list of themes, like the ten in content/lijsten
        graph.add((uri, RDF.type, SKOS.Concept))
        graph.add((uri, SKOS.inScheme, THEMES))
        graph.add((uri, SKOS.topConceptOf, THEMES))
    add_field_values(graph, uri, values, list(kind.fields), errors)
    graph.add((uri, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    graph.add((uri, PROV.wasAttributedTo, account_iri(author)))
    if approver:
        add_approval(graph, uri, approver, modified)
    return graph, errors


def _missing(kind: Kind, values: dict) -> dict[str, list[str]]:
    """Required fields left empty, with a Dutch message at the field (before the shapes run)."""
    errors: dict[str, list[str]] = {}
    for f in kind.fields:
        if not f.required:
            continue
        value = values.get(f.name)
        empty = not value if f.kind == "many" else not clean_text(value or "", f.kind == "text")
        if empty:
            errors[f.name] = [f"Kies minstens één {f.label.lower()}." if f.kind == "many"
                              else f"Vul {f.label.lower()} in."]
    if not values.get("bron") and not clean_text(values.get("bron_links") or "", True):
        errors["bron"] = ["Vermeld waar het vandaan komt: kies een bron of vul een link in."]
    return errors


def prepare(editor: CaseEditor, kind: Kind, values: dict, author: str, approver: str | None = None) -> Prepared:
    """Check a proposal like a save: its own address, the required fields, the project's shapes; `text` is
    the file to write, set only when there are no problems."""
    modified = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    values = empty_values(list(kind.fields)) | {k: v for k, v in values.items() if v is not None}
    errors = _missing(kind, values)
    slug = clean_text(values.get("slug") or "", False) or slugify(clean_text(values.get("naam") or "", False))
    if not slug or len(slug) > MAX_SLUG or not SLUG_RE.match(slug):
        errors.setdefault("slug", []).append("Geef een adres van kleine letters, cijfers en losse streepjes "
                                             "(of een naam waaruit het kan worden afgeleid).")
        slug = slug if slug and SLUG_RE.match(slug) and len(slug) <= MAX_SLUG else "nieuw"
    graph, input_errors = addition_graph(kind, values, slug, author, modified, approver)
    for name, messages in input_errors.items():
        errors.setdefault(name, []).extend(messages)
    uri = kind.uri(slug)
    settings = editor.settings
    local_graph = graph if settings.base_uri == CANONICAL_BASE else rebase_graph(graph, settings.base_uri)
    local = URIRef(f"{settings.base_uri}/id/{kind.name}/{slug}")
    path = path_for(editor, kind, slug)
    data, taken = editor._with_linked_classes(local_graph, path, local)
    general: list[str] = []
    if taken or path.exists():
        errors.setdefault("slug", []).append(f"Het adres ‘{slug}’ is al in gebruik"
                                             + (f" door {taken}." if taken else "."))
    if not errors:  # the shapes' messages name what is wrong in Dutch; their fields are the case form's
        for shapes in (None, nl_sbb_shapes(NL_SBB)) if kind.name == "thema" else (None,):  # a theme is a concept
            by_case_field, found = shacl_errors(settings, data, local, local_graph, shapes=shapes)
            for message in [m for ms in by_case_field.values() for m in ms] + found:
                if message not in general:
                    general.append(message)
    prepared = Prepared(slug, uri, graph, None, errors, general, local_graph)
    if not errors and not general:
        prepared.text = serialize(graph, uri)
    return prepared


def serialize(graph: Graph, uri: URIRef) -> str:
    """The proposal as Turtle with the project's prefixes; checked to read back as the same graph."""
    out = Graph()
    out += graph
    for prefix, segment in (("knelpunt", "knelpunt"), ("thema", "thema"), ("tool", "tool"), ("bron", "bron"),
                            ("dimensie", "dimensie"), ("categorie", "toolcategorie"), ("niveau", "niveau"),
                            ("lijst", "lijst"), ("account", "account")):
        out.bind(prefix, f"{CANONICAL_BASE}/id/{segment}/")
    out.bind("tor", str(TOR))
    out.bind("schema", str(SCHEMA))
    text = out.serialize(format="turtle")
    check, problem = parse_turtle(text, str(uri), CANONICAL_BASE)
    if problem or not isomorphic(check, graph):
        raise ValueError("De Turtle van het voorstel komt niet overeen met de graaf (fout in de schrijver).")
    return text


def path_for(editor: CaseEditor, kind: Kind, slug: str) -> Path:
    return Path(editor.settings.content_dir) / kind.folder / f"{slug}.ttl"


def publish_new_file(editor: CaseEditor, prepared: Prepared, path: Path, action: str, what: str,
                     on_saved=None) -> SaveResult:
    """Write a valid new content file under the editor's lock, approved for the refresh gate; never over
    an existing file (a conflict: someone published the same address meanwhile)."""
    started = time.monotonic()
    if not prepared.ok:
        raise Invalid(prepared.errors, prepared.general)
    with editor.locked():
        if path.exists():
            raise Conflict(f"Intussen is er al {what} met het adres ‘{prepared.slug}’.", None, "nieuw")
        data = prepared.text.encode("utf-8")
        try:
            remove_stale_temporaries(path.parent)
            approve(data)  # checked by prepare(): the refresh publishes it without a second look
            atomic_write(path, data)
        except OSError as exc:
            if not path.exists() or path.read_bytes() != data:
                raise WriteFailed(exc) from exc
        result = SaveResult(prepared.slug, token_of(data), 0.0, action)
        if on_saved is not None:
            on_saved(result)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def publish(editor: CaseEditor, kind: Kind, prepared: Prepared, on_saved=None) -> SaveResult:
    return publish_new_file(editor, prepared, path_for(editor, kind, prepared.slug), f"{kind.name}_aangemaakt",
                            f"een {kind.label}", on_saved=on_saved)
