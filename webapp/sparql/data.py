"""The downloads (/data/, /data/{name}) and /.well-known/void, on the `sparql` blueprint (endpoints `sparql.*`)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_from_directory, url_for

from toolbox.graph.dataset import (
    DESCRIPTION_FILE,
    DUMP_FORMATS,
    DUMP_STEM,
    data_dir,
    dump_names,
    ensure_remote_dumps,
    media_type_for,
    read_summary,
)
from toolbox.negotiation import HTML_TYPES, RDF_MEDIA_TYPES, choose, rdf_or_html
from toolbox.sparql.service import examples
from webapp.sparql.views import bp, rdf_document
from webapp.state import state


# --------------------------------------------------------------------------- downloads
def _data_folder():
    s = state()
    if s.settings.sparql_endpoint:
        return ensure_remote_dumps(s.settings, s.store)
    return data_dir(s.settings)


@bp.route("/data/")
def data_index():
    folder = _data_folder()
    description = folder / DESCRIPTION_FILE
    if _wants_rdf():
        if not description.exists():
            abort(404)
        return rdf_document(description.read_text(encoding="utf-8"))
    summary = read_summary(folder)
    files = []
    for fmt, (ext, media, _, label) in DUMP_FORMATS.items():
        name = f"{DUMP_STEM}.{ext}"
        if (folder / name).exists():
            files.append({"format": fmt, "label": label, "media": media, "name": name,
                          "bytes": (folder / name).stat().st_size,
                          "gz": name + ".gz", "gz_bytes": (folder / (name + ".gz")).stat().st_size})
    s = state()
    return render_template("sparql/data.html", title="Downloads", breadcrumb=[{"label": "Downloads", "url": None}],
                           files=files, summary=summary, settings=s.settings, manifest=s.manifest,
                           description=DESCRIPTION_FILE, examples=examples())


def _wants_rdf() -> bool:
    """The description rather than the page: by `format=` or by the site's one negotiation rule."""
    fmt = (request.args.get("format") or "").strip().lower()
    if fmt:
        return fmt != "html"
    return rdf_or_html(request.headers.get("Accept")) is not None


@bp.route("/data/<name>")
def data_file(name: str):
    if name not in dump_names():
        abort(404)
    folder = _data_folder()
    if not (folder / name).exists():
        abort(404)
    mimetype = media_type_for(name)
    if not name.endswith(".gz") and not mimetype.startswith("text/"):  # werkzeug adds it to text/* itself
        mimetype += "; charset=utf-8"
    response = send_from_directory(folder, name, mimetype=mimetype, max_age=3600,
                                   as_attachment=name.endswith(".gz"), download_name=name)
    response.headers["Vary"] = "Accept-Encoding"
    return response


@bp.route("/.well-known/void")
def well_known_void():
    """VoID's well-known location: the dataset description in the format asked for (the site's one
    rule; here RDF is offered first, so `*/*` gets Turtle); a browser is sent to the downloads page."""
    fmt = (request.args.get("format") or "").strip().lower()
    offered = [*RDF_MEDIA_TYPES, *HTML_TYPES]
    if fmt == "html" or not fmt and choose(request.headers.get("Accept"), offered) in HTML_TYPES:
        return redirect(url_for("sparql.data_index"), code=303)
    description = _data_folder() / DESCRIPTION_FILE
    if not description.exists():
        abort(404)
    return rdf_document(description.read_text(encoding="utf-8"))
