"""OWL consistency with owlready2 (HermiT) and the rule-based materialisation of inferences.

The reasoner proves the model and content fit together; the inferences the site needs
are computed with the SPARQL rules in toolbox/queries/inference/, one file per rule.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from toolbox.config import QUERY_DIR

# Datatypes outside the OWL 2 datatype map: HermiT refuses them, so the reasoner sees
# their values as plain strings (and ranges as rdfs:Literal). SHACL checks them instead.
NON_OWL2_DATATYPES = {XSD.gYear, XSD.date, XSD.gYearMonth, XSD.duration}


def reasoner_view(graph: Graph) -> Graph:
    """A copy of graph the OWL 2 reasoner accepts."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in NON_OWL2_DATATYPES:
            o = Literal(str(o))
        elif p == RDFS.range and isinstance(o, URIRef) and o in NON_OWL2_DATATYPES:
            o = RDFS.Literal
        out.add((s, p, o))
    return out

INFERENCE_DIR = QUERY_DIR / "inference"


def check_consistency(ontology: Graph, content: Graph) -> tuple[bool, str]:
    """Run HermiT through owlready2 over ontology + content. Returns (consistent, Dutch explanation)."""
    if shutil.which("java") is None:
        return False, "OWL-controle kon niet draaien: Java ontbreekt (installeer een Java-runtime, zie README)."
    import owlready2

    combined = reasoner_view(ontology + content)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graph.nt"
        combined.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return False, "De inhoud is logisch tegenstrijdig met de ontologie (OWL-redeneerder HermiT)."
        except owlready2.base.OwlReadyJavaError as exc:  # pragma: no cover - depends on the JVM
            return False, f"OWL-controle mislukte in Java: {str(exc).splitlines()[-1] if str(exc) else exc}"
        finally:
            world.close()
    return True, ""


def inference_rules() -> list[tuple[str, str]]:
    """(name, SPARQL CONSTRUCT) for every rule, in file order."""
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(INFERENCE_DIR.glob("*.rq"))]
