"""The case model of the editor: its form fields, form values <-> graph, and the errors an editor is told.

Only the case as subject and only the case's own properties: editors cannot touch the
ontology, the shapes or other things. The form values become the case's graph with
canonical IRIs; `graph_to_values` reads a case file back into form values. A `Prepared` case is
one that went through all of that and the validation, ready to save.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from toolbox.config import CANONICAL_BASE
from toolbox.graph.content import SLUG_RE
from toolbox.graph.text_links import link_problems
from toolbox.namespaces import SCHEMA, TOR

CASES = "casussen"
MAX_SLUG = 80
MAX_VALUES = 200      # values per multiple-choice field
MAX_LINES = 30        # lines in a one-per-line field (other names, links)
ACCOUNT_SEGMENT = "account"
STATUS_ACTIVE, STATUS_RETIRED = "actief", "gearchiveerd"
STAMP_RE = re.compile(r"^\d{8}T\d{12}Z$")
IRI_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _id(segment: str) -> str:
    return f"{CANONICAL_BASE}/id/{segment}/"


@dataclass(frozen=True)
class Field:
    """One form field of the case model."""

    name: str
    label: str
    kind: str  # slug, label, short, text, year, one, many, lines, urls
    predicate: URIRef | None = None
    segments: tuple[str, ...] = ()
    required: bool = False
    max_length: int = 300
    hint: str = ""
    lang: bool = True


FIELDS: list[Field] = [
    Field("slug", "Adres (slug)", "slug", max_length=MAX_SLUG,
          hint="Kleine letters, cijfers en losse streepjes. Leeg laten: afgeleid van de titel. Ligt vast na opslaan."),
    Field("title", "Titel", "label", SKOS.prefLabel, required=True, max_length=300,
          hint="De naam waaronder de casus op de site staat: kort en herkenbaar, meestal het gebied of project."),
    Field("alt_labels", "Andere namen", "lines", SKOS.altLabel, max_length=300,
          hint="Eén per regel: namen waaronder de casus in de bronnen voorkomt."),
    Field("notation", "Code", "short", SKOS.notation, max_length=20, lang=False,
          hint="De code van de casus in het werkboek van de City Deal: de letter van het cluster en een "
               "volgnummer, bijvoorbeeld A1. Leeg laten als de casus geen code heeft."),
    Field("municipality", "Gemeente", "many", TOR.municipality, ("gemeente",), required=True,
          hint="De gemeente waar de casus speelt; minstens één. Typ een deel van de naam en kies uit de lijst."),
    Field("cluster", "Cluster", "one", TOR.cluster, ("cluster",),
          hint="De leergroep uit het werkboek van de City Deal waarin casussen met een vergelijkbare opgave "
               "ervaringen deelden. A: centrumgebieden waar stedelijke groei druk zet op de openbare ruimte. "
               "B: een stadsbrede, methodische of vernieuwende aanpak van beheer en inrichting. C: vernieuwing "
               "van een verouderde woonwijk, fysiek en sociaal tegelijk. D: een dringende vervanging in een "
               "volle ondergrond benutten om ook de openbare ruimte te verbeteren. Leeg laten als de casus "
               "in geen cluster zat."),
    Field("scale", "Schaal", "one", TOR.scale, ("schaal",), required=True,
          hint="Hoe groot het gebied van de casus is, van klein naar groot: straat (één straat, plein of kade), "
               "buurt, wijk, gebied (bijvoorbeeld een binnenstad), stad (de hele gemeente) of regio "
               "(meer gemeenten samen)."),
    Field("task_type", "Type opgave", "short", TOR.taskType, max_length=300,
          hint="Wat voor opgave het is, in de woorden van de casus, bijvoorbeeld ‘Gebiedsontwikkeling’."),
    Field("project_type", "Projecttype", "many", TOR.projectType, ("projecttype",),
          hint="Waar het project uit voortkomt: beheer en onderhoud (beheergestuurd), een transitie zoals energie "
               "of klimaat (transitiegestuurd), een nieuwe ontwikkeling (ontwikkelinggestuurd), het opnieuw "
               "inrichten van een bestaand gebied (herstructurering) of een agenda per wijk met ook sociale "
               "doelen (wijkgericht). Meer dan één mag."),
    Field("start_year", "Beginjaar", "year", TOR.startYear, max_length=4, lang=False, hint="Vier cijfers (mag leeg)."),
    Field("end_year", "Eindjaar", "year", TOR.endYear, max_length=4, lang=False,
          hint="Jaar waarin de casus afliep of naar verwachting afloopt; niet vóór het beginjaar (mag leeg)."),
    Field("theme", "Thema's", "many", TOR.theme, ("thema",), required=True,
          hint="De opgaven waar de casus over gaat, zoals klimaatadaptatie of mobiliteit; minstens één."),
    Field("abstract", "Samenvatting", "text", DCTERMS.abstract, required=True, max_length=10000,
          hint="Waar de casus over gaat en wat er gebeurt, in een paar alinea’s. Lege regel = nieuwe alinea; "
               "regels die met ‘- ’ beginnen worden een lijst; een link schrijf je als [tekst](https://…)."),
    Field("what_is_new", "Wat is nieuw", "text", TOR.whatIsNew, max_length=10000,
          hint="Wat deze casus anders of voor het eerst doet; opmaak en links als bij de samenvatting."),
    Field("lessons", "Lessen", "text", TOR.lessons, max_length=10000,
          hint="Wat de betrokkenen geleerd hebben: wat werkte, wat ze een volgende keer anders doen. "
               "Een lijst met ‘- ’ leest vaak het prettigst."),
    Field("challenges", "Uitdagingen", "text", TOR.challengesText, max_length=10000,
          hint="Wat nog lastig is of openstaat, in eigen woorden. Wat overeenkomt met een bekend knelpunt, "
               "kies je ook hieronder bij de knelpunten."),
    Field("methods", "Werkwijzen", "text", TOR.methods, max_length=10000,
          hint="Werkwijzen en instrumenten die de casus gebruikt en die geen tool uit de bibliotheek zijn; "
               "tools uit de bibliotheek kies je bij ‘Gebruikte tools en hulpmiddelen’."),
    Field("knelpunt", "Gemelde knelpunten", "many", TOR.reportsKnelpunt, ("knelpunt",),
          hint="Problemen die de casus tegenkwam en die in de lijst van knelpunten staan. Typ een woord "
               "(bijvoorbeeld ‘budget’ of ‘beheer’); onder elke keuze staat wat het knelpunt inhoudt."),
    Field("top_knelpunt", "Top-3-knelpunten", "many", TOR.topKnelpunt, ("knelpunt",),
          hint="De drie knelpunten die voor deze casus het zwaarst wegen, het belangrijkste eerst; hooguit "
               "drie. Een top-3-knelpunt telt ook als gemeld knelpunt."),
    Field("used_tool", "Gebruikte tools en hulpmiddelen", "many", TOR.usedTool, ("tool", "hulpmiddel"),
          hint="Tools uit de bibliotheek en andere hulpmiddelen die de casus gebruikte. Zoeken kan ook op een "
               "afkorting of andere naam, zoals ‘MKBA’."),
    Field("used_step", "Doorlopen stappen", "many", TOR.usedStep, ("stap",),
          hint="De processtappen die de casus doorliep; achter elke stap staat het niveau."),
    Field("development_team", "Ontwikkelteams", "many", TOR.developmentTeam, ("ontwikkelteam",),
          hint="De ontwikkelteams van de City Deal (OT1 tot en met OT6) die met deze casus werkten."),
    Field("stakeholder_type", "Betrokken partijen", "many", TOR.stakeholderType, ("organisatietype",),
          hint="Soorten organisaties die meedoen, zoals een waterschap of netbeheerder; geen namen van personen."),
    Field("source", "Bronnen", "many", DCTERMS.source, ("bron",),
          hint="Waar de gegevens vandaan komen; minstens één bron: een brondocument hier of hieronder een link."),
    Field("source_urls", "Bronnen op internet", "urls", DCTERMS.source, max_length=2000,
          hint="Eén link per regel, beginnend met https:// of http://."),
    Field("url", "Links", "urls", SCHEMA.url, max_length=2000,
          hint="Websites over de casus; één link per regel, beginnend met https:// of http://."),
]
FIELD_BY_NAME = {f.name: f for f in FIELDS}
# Which form field a SHACL result path belongs to (dcterms:source is split by value).
PATH_FIELD = {str(f.predicate): f.name for f in FIELDS if f.predicate is not None and f.name != "source_urls"}
MANAGED = {URIRef(p) for p in PATH_FIELD} | {RDF.type, TOR.status, DCTERMS.modified, PROV.wasAttributedTo,
                                             PROV.qualifiedAttribution, DCTERMS.dateAccepted}


class EditError(Exception):
    """Something the editor must be told; message in Dutch."""

    status = 400


class NotEditable(EditError):
    status = 404


class Conflict(EditError):
    """The file changed since the form was opened (or a new case's slug was taken meanwhile)."""

    status = 409

    def __init__(self, message: str, current_text: str | None, current_token: str):
        super().__init__(message)
        self.current_text = current_text
        self.current_token = current_token


class Invalid(EditError):
    def __init__(self, errors: dict[str, list[str]], general: list[str]):
        super().__init__("De casus is niet opgeslagen: los eerst de gemelde problemen op.")
        self.errors = errors
        self.general = general


# ---------------------------------------------------------------------------
# Helpers

def token_of(data: bytes | None) -> str:
    """The version token of a file's content: what the form was based on."""
    if data is None:
        return "nieuw"
    return hashlib.sha256(data).hexdigest()[:32]


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    slug = slug[:MAX_SLUG].rstrip("-")
    return slug


def clean_text(value: str | None, multiline: bool) -> str:
    """Normalised newlines, no control characters, no trailing spaces; single-line fields on one line."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_RE.sub("", text)
    if not multiline:
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n").strip()


def account_iri(account_id: str, base: str = CANONICAL_BASE) -> URIRef:
    return URIRef(f"{base}/id/{ACCOUNT_SEGMENT}/{account_id}")


# ---------------------------------------------------------------------------
# Form values <-> graph

def empty_values(fields: list[Field] | None = None) -> dict:
    values: dict = {}
    for f in fields or FIELDS:
        values[f.name] = [] if f.kind in ("many",) else ""
    return values


def values_from_form(get, getlist, fields: list[Field] | None = None) -> dict:
    """Form values as submitted (strings and lists of strings); nothing else is read from the form.
    `fields`: another form's fields (a new knelpunt, tool or theme); the case form's by default."""
    values = empty_values(fields)
    for f in fields or FIELDS:
        if f.kind == "many":
            values[f.name] = [v for v in getlist(f.name) if v]
        else:
            values[f.name] = get(f.name, "") or ""
    return values


def size_errors(values: dict, fields: list[Field] | None = None) -> dict[str, list[str]]:
    """Oversized fields: refused before anything else happens (the limits match the shapes)."""
    errors: dict[str, list[str]] = {}
    for f in fields or FIELDS:
        value = values.get(f.name)
        if f.kind == "many":
            if len(value) > MAX_VALUES:
                errors.setdefault(f.name, []).append(f"Te veel keuzes: hooguit {MAX_VALUES}.")
            if any(len(v) > 200 for v in value):
                errors.setdefault(f.name, []).append("Een gekozen waarde is te lang.")
            continue
        if f.kind in ("lines", "urls"):
            lines = [line for line in clean_text(value, True).split("\n") if line.strip()]
            if len(lines) > MAX_LINES:
                errors.setdefault(f.name, []).append(f"Te veel regels: hooguit {MAX_LINES}.")
            too_long = [line for line in lines if len(line.strip()) > f.max_length]
            if too_long:
                errors.setdefault(f.name, []).append(
                    f"Een regel is te lang: hooguit {f.max_length} tekens per regel.")
            continue
        length = len(clean_text(value, f.kind == "text"))
        if length > f.max_length:
            errors.setdefault(f.name, []).append(
                f"Deze tekst is te lang: hooguit {f.max_length} tekens (nu {length}).")
    return errors


def _link(value: str, f: Field) -> tuple[URIRef | None, str | None]:
    """A chosen value 'segment/slug' as the canonical IRI, or a Dutch error."""
    segment, _, slug = value.partition("/")
    if segment not in f.segments or not SLUG_RE.match(slug) or len(slug) > 120:
        return None, f"Onbekende keuze ‘{value[:60]}’."
    return URIRef(_id(segment) + slug), None


def values_to_graph(values: dict, slug: str, status: str, modified: str, account_id: str,
                    extras: list[tuple] | None = None) -> tuple[Graph, dict[str, list[str]]]:
    """The case as a graph with canonical IRIs, plus errors for input that cannot become RDF at all."""
    graph = Graph()
    errors: dict[str, list[str]] = {}
    uri = URIRef(_id("casus") + slug)
    graph.add((uri, RDF.type, TOR.Case))
    add_field_values(graph, uri, values, FIELDS, errors)
    graph.add((uri, TOR.status, Literal(status)))
    graph.add((uri, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    graph.add((uri, PROV.wasAttributedTo, account_iri(account_id)))
    for p, o in extras or []:
        graph.add((uri, p, o))
    return graph, errors


def add_field_values(graph: Graph, uri: URIRef, values: dict, fields: list[Field], errors: dict) -> None:
    """Each field's value as statements about `uri`; input that cannot become RDF goes to `errors`."""
    for f in fields:
        if f.predicate is None:
            continue
        value = values.get(f.name)
        if f.kind == "many":
            top = set(values.get("top_knelpunt", [])) if f.name == "knelpunt" else set()
            for item in dict.fromkeys(value):
                if item in top:
                    continue  # a top-3 knelpunt is a reported knelpunt already (sub-property)
                iri, error = _link(item, f)
                if error:
                    errors.setdefault(f.name, []).append(error)
                else:
                    graph.add((uri, f.predicate, iri))
        elif f.kind == "one":
            if value:
                iri, error = _link(value, f)
                if error:
                    errors.setdefault(f.name, []).append(error)
                else:
                    graph.add((uri, f.predicate, iri))
        elif f.kind in ("lines", "urls"):
            for line in dict.fromkeys(line.strip() for line in clean_text(value, True).split("\n")):
                if not line:
                    continue
                if f.kind == "urls":
                    if not IRI_RE.match(line):
                        errors.setdefault(f.name, []).append(
                            f"‘{line[:80]}’ is geen geldige link: begin met https:// of http:// "
                            "en gebruik geen spaties.")
                        continue
                    graph.add((uri, f.predicate, URIRef(line)))
                else:
                    graph.add((uri, f.predicate, Literal(line, lang="nl")))
        elif f.kind == "year":
            text = clean_text(value, False)
            if text:
                graph.add((uri, f.predicate, Literal(text, datatype=XSD.gYear)))
        else:
            text = clean_text(value, f.kind == "text")
            problems = link_problems(text) if f.kind == "text" else []  # [tekst](…) only to http(s)
            if problems:
                errors.setdefault(f.name, []).extend(problems)
            if text:
                graph.add((uri, f.predicate, Literal(text, lang="nl") if f.lang else Literal(text)))


def graph_to_values(graph: Graph, uri: URIRef) -> tuple[dict, str, list[tuple]]:
    """Form values, status and unmanaged statements of a case read from its file (canonical IRIs)."""
    values = empty_values()
    extras = []
    for f in FIELDS:
        if f.predicate is None:
            continue
        objects = sorted(graph.objects(uri, f.predicate), key=str)
        if f.kind in ("many", "one"):
            chosen = []
            for o in objects:
                if not isinstance(o, URIRef):
                    continue
                segment_slug = _segment_slug(str(o))
                if segment_slug and segment_slug.split("/")[0] in f.segments:
                    chosen.append(segment_slug)
            values[f.name] = chosen if f.kind == "many" else (chosen[0] if chosen else "")
        elif f.kind == "urls":
            if f.name == "source_urls":
                objects = [o for o in objects if not _segment_slug(str(o))]
            values[f.name] = "\n".join(str(o) for o in objects if isinstance(o, URIRef))
        elif f.kind == "lines":
            values[f.name] = "\n".join(str(o) for o in objects if isinstance(o, Literal))
        else:
            values[f.name] = str(objects[0]) if objects else ""
    values["top_knelpunt"] = top_in_rank_order(graph, uri, values["top_knelpunt"])
    # Show top-3 knelpunten among the reported ones too, so the picker lists all of them.
    values["knelpunt"] = sorted(set(values["knelpunt"]) | set(values["top_knelpunt"]))
    status = str(graph.value(uri, TOR.status) or STATUS_ACTIVE)
    for p, o in graph.predicate_objects(uri):
        if p not in MANAGED:
            extras.append((p, o))
    values["slug"] = str(uri).rsplit("/", 1)[-1]
    return values, status, sorted(extras, key=lambda po: (str(po[0]), str(po[1])))


def rank_of(graph: Graph, uri: URIRef, knelpunt: URIRef) -> int:
    """The top-3 place of a knelpunt of the case, from tor:rank on its report (4: none)."""
    for report in graph.subjects(TOR.reportedKnelpunt, knelpunt):
        found = graph.value(report, TOR.rank) if (report, TOR.reportingCase, uri) in graph else None
        if found is not None and str(found).isdigit():
            return int(str(found))
    return 4


def top_in_rank_order(graph: Graph, uri: URIRef, chosen: list[str]) -> list[str]:
    """The top-3 choices ('knelpunt/slug') in rank order; unranked ones last, by name."""
    return sorted(chosen, key=lambda v: (rank_of(graph, uri, URIRef(_id("knelpunt") + v.partition("/")[2])), v))


def _segment_slug(iri: str) -> str | None:
    prefix = CANONICAL_BASE + "/id/"
    if not iri.startswith(prefix):
        return None
    rest = iri[len(prefix):]
    segment, _, slug = rest.partition("/")
    if not slug or "/" in slug:
        return None
    return f"{segment}/{slug}"


@dataclass
class Prepared:
    slug: str
    uri: URIRef
    graph: Graph           # canonical IRIs, as written
    text: str | None       # Turtle, None when invalid
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    case_graph: Graph | None = None  # the case with the configured base (CaseEditor.preview_model adds the rest)

    @property
    def ok(self) -> bool:
        return self.text is not None and not self.errors and not self.general

