"""What the picker searches and shows per option (webapp/beheer/choices.py), on the real content."""

from __future__ import annotations

import pytest

from toolbox.graph.model import GraphModel
from webapp.beheer.choices import details, first_sentence


@pytest.fixture(scope="module")
def model(real_store, real_settings):
    return GraphModel.from_store(real_store, real_settings.base_uri)



def test_a_tool_brings_its_alternative_names_and_its_blurb(model, real_settings):
    tool = next(u for u in model.instances("Tool") if u.endswith("/tool/mkba"))
    found = details(model, tool)
    assert "MKBA" in found["alt"].split(" · ") and "MKBA" not in found["hidden"]
    assert "welvaart" in found["description"] and len(found["description"]) <= 162


def test_every_knelpunt_has_a_short_description(model):
    knelpunten = model.instances("Knelpunt", include_archived=True)
    assert len(knelpunten) > 50
    missing = [k for k in knelpunten if not details(model, k)["description"]]
    assert not missing, missing[:5]


def test_first_sentence_cuts_at_the_sentence_or_a_word():
    assert first_sentence("Eerste zin. Tweede zin.") == "Eerste zin."
    assert first_sentence("Zie [de kaart](https://example.nl/k). Meer.") == "Zie de kaart."
    long = "woord " * 60
    cut = first_sentence(long, 40)
    assert cut.endswith(" …") and len(cut) <= 42 and "  " not in cut


def test_an_option_is_kept_across_versions_until_its_thing_or_its_level_changes(minimal_settings):
    """The case form's options are made again only for what a save touched (0.6 s at 100x content
    otherwise, on every form the editor opens after a save), and always equal a fresh making."""
    import pyoxigraph as ox

    from toolbox.graph.store import EmbeddedStore
    from webapp.beheer.choices import OptionMemo, make_option

    tor, skos = "https://toolbox-openbare-ruimte.nl/def/tor#", "http://www.w3.org/2004/02/skos/core#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode(skos + "prefLabel")
    base = minimal_settings.base_uri
    a, b, step, level = (ox.NamedNode(f"{base}/id/{kind}/{slug}") for kind, slug in
                         (("tool", "a"), ("tool", "b"), ("stap", "s"), ("niveau", "n")))
    store = ox.Store()
    for thing, cls, name in ((a, "Tool", "Tool A"), (b, "Tool", "Tool B"), (step, "ProcessStep", "Stap"),
                             (level, "Level", "Niveau")):
        store.add(ox.Quad(thing, rdf_type, ox.NamedNode(tor + cls)))
        store.add(ox.Quad(thing, label, ox.Literal(name, language="nl")))
    store.add(ox.Quad(step, ox.NamedNode(tor + "level"), level))
    model = GraphModel.from_store(EmbeddedStore(minimal_settings, store), base)
    memo = OptionMemo()
    first = {uri: memo.option(model, segment, uri) for segment, uri in
             (("tool", a.value), ("tool", b.value), ("stap", step.value))}
    assert first[step.value]["group"] == "Niveau"

    def relabel(thing, old, new):
        store.remove(ox.Quad(thing, label, ox.Literal(old, language="nl")))
        store.add(ox.Quad(thing, label, ox.Literal(new, language="nl")))
        return model.patched(store, {thing}, set())

    model = relabel(a, "Tool A", "Tool A, hernoemd")
    assert memo.option(model, "tool", a.value)["label"] == "Tool A, hernoemd"
    assert memo.option(model, "tool", b.value) is first[b.value]  # untouched: kept
    assert memo.option(model, "stap", step.value) is first[step.value]
    model = relabel(level, "Niveau", "Ander niveau")  # a step's group is its level's name
    assert memo.option(model, "stap", step.value)["group"] == "Ander niveau"
    for segment, uri in (("tool", a.value), ("tool", b.value), ("stap", step.value)):
        assert memo.option(model, segment, uri) == make_option(model, segment, uri)


TAG = ('<option value="{{ o.value }}"{{ data_attributes(o) }}{% if o.value in v.chosen %} selected{% endif %}>'
       '{{ o.label }}</option>')
OLD_LOOP = """{% macro options(v) %}
{% set grouped = v.groups | reject('equalto', '') | list %}
{% if grouped %}
{% for group in v.groups %}
<optgroup label="{{ group or 'Overig' }}">
{% for o in v.options if o.group == group %}TAG
{% endfor %}
</optgroup>
{% endfor %}
{% else %}
{% for o in v.options %}TAG
{% endfor %}
{% endif %}
{% endmacro %}{{ options(v) }}""".replace("TAG", TAG)


@pytest.mark.parametrize("segments", [("tool", "hulpmiddel"), ("stap",), ("knelpunt",), ("thema",)])
def test_the_option_tags_are_what_the_templates_loop_wrote(model, segments):
    """option_tags (one string per picker instead of a template loop over 18,000 options at 100x) gives
    the HTML the loop gave, byte for byte, grouped or not, with chosen and unknown values."""
    from webapp import create_app
    from webapp.beheer.choices import OptionMemo, data_attributes

    memo = OptionMemo()
    options = [memo.option(model, s, uri) for s in segments for uri in model.instances(
        {"tool": "Tool", "hulpmiddel": "OtherAid", "stap": "ProcessStep", "knelpunt": "Knelpunt",
         "thema": "Theme"}[s])]
    options.append({"value": "tool/<onbekend & \"raar\">", "label": "tool/<onbekend> (onbekend)", "group": ""})
    assert len(options) > 5
    chosen = {options[1]["value"], options[-1]["value"], options[-2]["value"]}
    groups = sorted({o["group"] for o in options}, key=[o["group"] for o in options].index)
    view = {"options": options, "chosen": chosen, "groups": groups}
    app = create_app()
    with app.app_context():
        old = app.jinja_env.from_string(OLD_LOOP).render(v=view, data_attributes=data_attributes)
        macro = app.jinja_env.get_template("beheer/_fields.html").module.options
        assert str(macro(view)) == old
    assert old.count(" selected") == 3 and "&lt;onbekend &amp; &#34;raar&#34;&gt;" in old
