"""Write the figures of items 4-7 of docs/reliability.md from the suite's and the soak's own JSON output.

    python -m tests.reliability.report         # runs the suite, writes docs/reliability-results.json, calls this
    python -m bench.soak --clients 200 --duration 600
    python -m bench.reliability_doc            # docs/reliability-results.json and the newest soak-*.json

Only the part between the two markers is replaced; the rest of the file is left as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from toolbox.config import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results"
SUITE = REPO_ROOT / "docs" / "reliability-results.json"  # written by python -m tests.reliability.report
DOC = REPO_ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- figures items 4-7: begin (python -m bench.reliability_doc) -->", "<!-- figures items 4-7: end -->"


def _newest(pattern: str) -> Path | None:
    found = sorted(RESULTS.glob(pattern))
    return found[-1] if found else None


def _suite() -> Path | None:
    """The report's JSON once it holds the fault tests' sections; before that the older files in bench/results/."""
    if SUITE.exists() and "sigkill_during_saves" in json.loads(SUITE.read_text(encoding="utf-8")):
        return SUITE
    return _newest("reliability-*.json")


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def suite_section(data: dict, source: Path) -> list[str]:
    kill = data.get("sigkill_during_saves", {})
    pair = data.get("two_editors_one_case", {})
    crowd = data.get("twenty_editors_twenty_cases", {})
    sparql = data.get("sparql_worker_killed", {})
    backup = data.get("backup_restore", {})
    rows = [
        "| meting | uitkomst |",
        "| --- | --- |",
        f"| opslagen met SIGKILL van de hele server op willekeurige momenten (seed {kill.get('seed')}) | "
        f"{kill.get('saves')} opslagen, {kill.get('kills')} keer gedood: {kill.get('interrupted')} opslagen echt "
        f"onderbroken ({kill.get('landed_new')} nieuwe versie, {kill.get('kept_old')} oude versie), "
        f"{kill.get('completed_before_kill')} al klaar vóór de kill |",
        f"| daarna ongeldig / verloren | {kill.get('invalid_files')} ongeldige bestanden, {kill.get('lost_versions')} "
        f"verloren versies; `toolbox validate` (met OWL) exit {kill.get('validate_exit')}; "
        f"{kill.get('temporary_files_left')} tijdelijke bestanden over |",
        f"| herstart na een kill (s) | {', '.join(str(s) for s in kill.get('restart_s', []))} |",
        f"| twee redacteuren, dezelfde casus, tegelijk ({pair.get('rounds')} rondes) | "
        f"{pair.get('one_303_one_409')}× één 303 en één 409, {pair.get('other')}× iets anders; "
        f"{pair.get('conflict_pages_with_diff_and_input')} conflictpagina's met verschil en eigen invoer; "
        f"{pair.get('resaved_after_409')}× bewust opnieuw opgeslagen; "
        f"{pair.get('lost_updates')} verloren wijzigingen |",
        f"| {crowd.get('editors')} redacteuren, {crowd.get('editors')} casussen, tegelijk | "
        f"{crowd.get('created')} aangemaakt, {crowd.get('edited')} bewerkt, geschiedenis compleet bij "
        f"{crowd.get('history_complete')}, op de site {crowd.get('served')}; "
        f"validate exit {crowd.get('validate_exit')} |",
        f"| SPARQL-werker gedood midden in queries | {sparql.get('queries')} queries, "
        f"{sparql.get('non_200')} niet-200, "
        f"{sparql.get('after_kill')} beantwoord na de kill, werker vervangen: "
        f"{'ja' if sparql.get('replaced') else 'nee'} |",
        f"| reservekopie terwijl een redacteur opslaat | {backup.get('backups_while_saving')} kopieën tijdens "
        f"{backup.get('saves_during_backups')} opslagen, {backup.get('archives_consistent')} consistent; "
        f"teruggezet in een nieuwe map: zelfde graaf ({backup.get('triples')} triples) "
        f"{'ja' if backup.get('restored_graph_same') else 'nee'}, zelfde geschiedenis "
        f"{'ja' if backup.get('restored_history_same') else 'nee'} |",
    ]
    return [f"Uit `{_rel(source)}` (de suite zelf, {data.get('date')}):", ""] + rows


def soak_section(data: dict, source: Path) -> list[str]:
    cfg = data.get("config", {})
    lines = [f"Uit `{_rel(source)}` ({data.get('date')}): {cfg.get('factor')}x inhoud ({data.get('triples')} triples), "
             f"{cfg.get('clients')} clients, {cfg.get('duration'):g} s per fase, geheugen elke {cfg.get('sample'):g} s "
             f"(na {cfg.get('warmup'):g} s opwarmen), {data.get('workload')} URL's (pagina's, zoeken met woorden en "
             f"zinnen, de SPARQL-mix).", "",
             "| fase | verzoeken | 5xx | andere fouten | p50 | p95 | p99 | RSS begin → eind (max) | "
             "webserver alleen | max met kindprocessen | redacteur |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |"]
    for name, phase in data.get("phases", {}).items():
        editor = phase.get("editor")
        who = "–" if not editor else (f"{editor['saves']} opslagen {editor['statuses']}, "
                                      f"mediaan {editor['median_s']} s, max {editor['max_s']} s")
        lines.append(f"| {name} | {phase['requests']} | {phase['status_5xx']} | {phase['failures']} "
                     f"{phase['failure_kinds'] or ''} | {phase['p50_ms']} ms | {phase['p95_ms']} ms | "
                     f"{phase['p99_ms']} ms | {phase['rss_start_mb']} → {phase['rss_end_mb']} MB "
                     f"({phase['rss_max_mb']} MB, {phase['rss_growth_pct']:+}%) | "
                     f"{_web(phase)} | {_tree_max(phase)} | {who} |")
    return lines


def _web(phase: dict) -> str:
    if phase.get("web_start_mb") is None:  # soaks before the web server was told apart from the SPARQL workers
        return "–"
    return f"{phase['web_start_mb']} → {phase['web_end_mb']} MB ({phase['web_max_mb']} MB)"


def _tree_max(phase: dict) -> str:
    if phase.get("rss_tree_max_mb") is None:  # soaks before the split measured the whole tree only
        return "(RSS links is de hele boom)"
    return f"{phase['rss_tree_max_mb']} MB"


def render(suite: Path | None, soak: Path | None) -> str:
    out = [BEGIN, ""]
    if suite:
        out += suite_section(json.loads(suite.read_text(encoding="utf-8")), suite) + [""]
    if soak:
        out += ["Soak (`python -m bench.soak`):", ""]
        out += soak_section(json.loads(soak.read_text(encoding="utf-8")), soak) + [""]
    out.append(END)
    return "\n".join(out)


def write(doc: Path, block: str) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.reliability_doc", description=__doc__.splitlines()[0])
    p.add_argument("--suite", help="JSON van de suite (standaard docs/reliability-results.json)")
    p.add_argument("--soak", help="JSON van de soak (standaard de nieuwste bench/results/soak-*.json)")
    p.add_argument("--doc", default=str(DOC))
    args = p.parse_args(argv)
    suite = Path(args.suite) if args.suite else _suite()
    soak = Path(args.soak) if args.soak else _newest("soak-*.json")
    if not suite and not soak:
        print("Geen resultaten gevonden in bench/results/.", file=sys.stderr)
        return 1
    write(Path(args.doc), render(suite, soak))
    print(f"{args.doc} bijgewerkt uit {suite} en {soak}.", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
