"""The `toolbox` command: validate, format, build, stats, export, query, guide-eval, serve, user, backup, restore."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from toolbox.config import Settings


def _settings(args) -> Settings:
    overrides = {}
    if getattr(args, "content", None):
        overrides["content_dir"] = Path(args.content)
    return Settings.from_env(**overrides)


def cmd_validate(args) -> int:
    from toolbox.graph.validate import validate_content

    settings = _settings(args)
    if not settings.content_dir.is_dir():
        print(f"Map met inhoud niet gevonden: {settings.content_dir}", file=sys.stderr)
        return 2
    report = validate_content(settings, owl=not args.no_owl)
    if args.json:
        print(json.dumps({"valid": report.ok, "problems": [p.as_dict() for p in report.problems]},
                         ensure_ascii=False, indent=2))
    elif report.ok:
        n = len(report.loaded.files) if report.loaded else 0
        print(f"Geldig: {n} bestanden, {len(report.loaded.graph)} triples, geen problemen.")
    else:
        for problem in report.problems:
            print(problem.line_text())
        print(f"{len(report.problems)} probleem/problemen gevonden.", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_format(args) -> int:
    from toolbox.editing.turtle import format_cases

    results = format_cases(_settings(args).content_dir, write=not args.check)
    for r in results:
        if r.problem:
            print(f"{r.path.name}: {r.problem}", file=sys.stderr)
        elif r.changed:
            print(f"{r.path.name}: {'niet in de huisstijl' if args.check else 'herschreven'}")
    bad = [r for r in results if r.problem or (args.check and r.changed)]
    print(f"{len(results)} casusbestanden, {sum(r.changed for r in results)} "
          f"{'wijken af' if args.check else 'herschreven'}, {sum(bool(r.problem) for r in results)} met een probleem.")
    return 1 if bad else 0


def cmd_build(args) -> int:
    from toolbox.build.pipeline import BuildError, build, ensure_built

    settings = _settings(args)
    say = lambda m: print(m, file=sys.stderr)  # noqa: E731
    try:
        if args.force or args.no_owl:
            build(settings, progress=say, owl=not args.no_owl)
        else:
            artefacts = ensure_built(settings, progress=say)
            say(f"Inhoudsversie {artefacts.version} is gebouwd ({artefacts.dataset}).")
    except BuildError as exc:
        for problem in exc.report.problems:
            print(problem.line_text())
        print(str(exc), file=sys.stderr)
        return 1
    _keep_content_cache(settings, say)
    return 0


def _keep_content_cache(settings, say) -> None:
    """The content cache of this build, kept in build/: the site's first save after a start publishes in
    place at once, instead of reading every file again first (minutes at 100x content)."""
    from toolbox.publishing.refresh import fill_content_cache

    say("Inhoudscache bewaren …")
    try:
        fill_content_cache(settings)
    except (OSError, SystemExit) as exc:  # the build itself stands; the site fills the cache after its start
        say(f"Inhoudscache niet bewaard ({exc}); de site vult hem na het starten.")


def _store(args):
    from toolbox.build.built import open_store
    from toolbox.build.pipeline import BuildError

    try:
        return open_store(_settings(args))
    except BuildError as exc:
        for problem in exc.report.problems:
            print(problem.line_text(), file=sys.stderr)
        print(str(exc), file=sys.stderr)
        raise SystemExit(1) from exc


def cmd_stats(args) -> int:
    from toolbox.operations.stats import compute_stats, format_stats

    stats = compute_stats(_settings(args), _store(args))
    print(json.dumps(stats, ensure_ascii=False, indent=2) if args.json else format_stats(stats))
    return 0


def cmd_report(args) -> int:
    from toolbox.operations.report import content_report

    text = content_report(_settings(args), _store(args))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


def cmd_export(args) -> int:
    from toolbox.graph.export import export_bytes

    data = export_bytes(_store(args), args.format, _settings(args))
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_query(args) -> int:
    from toolbox.sparql.errors import QueryError
    from toolbox.sparql.query import run_cli_query

    try:
        print(run_cli_query(_store(args), args.sparql, as_json=args.json))
    except QueryError as exc:
        print(f"Fout in de query: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_guide_eval(args) -> int:
    """Development sets with their misses, held-out set as figures only (unless --toon-heldout-missers)."""
    from toolbox.graph.model import GraphModel
    from toolbox.guide.evaluation import DEFAULT_SET, DEV2_SET, HELDOUT_SET, evaluate, format_evaluation, load_set
    from toolbox.guide.ranker import SituationRanker

    settings = _settings(args)
    sets = [("ontwikkelset", Path(args.set) if args.set else DEFAULT_SET, True)]
    if not args.set:
        sets.append(("ontwikkelset 2", DEV2_SET, True))
    if not args.set and not args.alleen_ontwikkelset:
        sets.append(("held-out set", HELDOUT_SET, args.toon_heldout_missers))
    try:
        loaded = [(name, load_set(path), show) for name, path, show in sets]
    except (OSError, ValueError) as exc:
        print(f"Evaluatieset niet te lezen: {exc}", file=sys.stderr)
        return 2
    ranker = SituationRanker(GraphModel.from_store(_store(args), settings.base_uri))
    results = [(name, evaluate(ranker, items), show) for name, items, show in loaded]
    if args.json:
        out = {}
        for name, result, show in results:
            data = result.as_dict()
            if not show:
                data["misses"] = len(result.misses)
            out[name] = data
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(f"== {name} ==\n{format_evaluation(result, misses=show)}" for name, result, show in results))
    return 0


def cmd_serve(args) -> int:
    # The one place the core reaches the web side: the server start lives in webapp (docs/architecture.md).
    from webapp.serve import serve

    settings = _settings(args)
    if args.threads:
        settings = replace(settings, server_threads=args.threads)
    if settings.sparql_endpoint:  # refuse an external store that caps or widens the data before serving
        from toolbox.graph.remote_copy import StoreContractError, checked_quads
        from toolbox.graph.store import RemoteStore

        try:
            checked_quads(RemoteStore(settings, settings.sparql_endpoint))
        except StoreContractError as exc:
            print(exc, file=sys.stderr)
            return 1
    return serve(settings, host=args.host, port=args.port)


def cmd_user(args) -> int:
    from toolbox.accounts.commands import user_command

    return user_command(_settings(args), args)


def cmd_backup(args) -> int:
    from toolbox.operations.backup import backup_command

    return backup_command(_settings(args), args)


def cmd_restore(args) -> int:
    from toolbox.operations.backup import restore_command

    return restore_command(_settings(args), args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="toolbox", description="Toolbox Openbare Ruimte: kennisgraaf en website.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="SHACL- en OWL-controle van de inhoud")
    p.add_argument("--content", help="map met inhoud (standaard: content/)")
    p.add_argument("--json", action="store_true", help="problemen als JSON")
    p.add_argument("--no-owl", action="store_true", help="sla de OWL-redeneerder over")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("format", help="casusbestanden in de huisstijl zetten (zoals een opslag via de site schrijft)")
    p.add_argument("--content")
    p.add_argument("--check", action="store_true", help="alleen controleren, niets herschrijven")
    p.set_defaults(func=cmd_format)

    p = sub.add_parser("build", help="afleidingen, dataset en zoekindex bouwen (als de inhoud veranderde)")
    p.add_argument("--content")
    p.add_argument("--force", action="store_true", help="ook bouwen als er niets veranderde")
    p.add_argument("--no-owl", action="store_true")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("stats", help="aantallen per klasse, links per relatie, weesjes")
    p.add_argument("--content")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("report", help="inhoudsrapport (docs/content-report.md) genereren")
    p.add_argument("--content")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help="de hele graaf exporteren")
    p.add_argument("--content")
    p.add_argument("--format", choices=["ttl", "nt", "jsonld"], default="ttl")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("query", help="een SPARQL-query uitvoeren")
    p.add_argument("sparql")
    p.add_argument("--content")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("guide-eval", help="plaatsing van beschreven situaties meten (top-1/top-3 per niveau)")
    p.add_argument("--set", help="een eigen evaluatieset als JSON (standaard: ontwikkelset en held-out set)")
    p.add_argument("--alleen-ontwikkelset", action="store_true",
                   help="de held-out set overslaan (alleen de twee ontwikkelsets)")
    p.add_argument("--toon-heldout-missers", action="store_true",
                   help="ook de missers van de held-out set tonen (niet gebruiken om op af te stemmen)")
    p.add_argument("--content")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_guide_eval)

    p = sub.add_parser("serve", help="de website serveren (Granian)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--threads", type=int, default=None,
                   help="aantal serverthreads (standaard TOOLBOX_SERVER_THREADS of 64)")
    p.add_argument("--content")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("user", help="accounts voor redacteuren beheren")
    usub = p.add_subparsers(dest="user_command", required=True)
    u = usub.add_parser("add", help="account aanmaken (wachtwoord via prompt of stdin)")
    u.add_argument("name")
    u.add_argument("--role", choices=["editor", "admin"], default="editor")
    u = usub.add_parser("list", help="accounts tonen")
    u = usub.add_parser("disable", help="account uitschakelen")
    u.add_argument("name")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("backup", help="reservekopie van de inhoud en instance/ (accounts, logboek, geschiedenis)")
    p.add_argument("file", help="doelbestand (.tar.gz)")
    p.add_argument("--content")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="inhoud en instance/ terugzetten uit een reservekopie (alles of niets)")
    p.add_argument("file", help="reservekopie (.tar.gz) van `toolbox backup`")
    p.add_argument("--content")
    p.set_defaults(func=cmd_restore)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
