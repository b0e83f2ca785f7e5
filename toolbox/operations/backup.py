"""`toolbox backup FILE` and `toolbox restore FILE`: content/ plus the lasting part of instance/.

The archive is a tar.gz with `backup.json` first: format, date, content version and, per file, its
path, size and SHA-256. It holds every file of content/ (not the hidden temporaries of an interrupted
write) and of instance/ the accounts, the audit log, the case history, the drafts and readers' reports.
Sessions and login throttling are left out on purpose: a restore logs everybody out and starts with clean counters.

Consistent while the site runs: the backup holds the editor's save lock (`instance/.edit.lock`, also
across processes) while it reads content/ and the history, so no save falls half inside it; the
accounts and the audit log are read under their own locks (they are written atomically or line by
line). The archive itself is written to a temporary file next to FILE and renamed when complete.

`restore` checks the whole archive before it touches anything: the format, every member a plain file
at a safe relative path, listed in the manifest with the right size and checksum, nothing missing and
nothing extra. Then, under the save lock, the current content/ and instance/ are moved aside as
`{folder}.voor-herstel-{stamp}` (nothing is deleted) and the restored ones renamed into place; if the
second rename fails the first is undone. A refused archive changes nothing. Restart the site after a
restore (it rebuilds, because the content version changed).

A backup always restores, also one taken while the content was not valid (issue 24: such a backup
could not be restored at all). The restored content is validated and its problems are reported with
file and line; build/ is left alone, so a restarted site serves the last good build until the content
is fixed, and a running one keeps what it had (toolbox/publishing/gate.py holds back the files that
make it invalid): a restore never leaves the site with less than it had.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from toolbox.config import Settings

FORMAT = "toolbox-openbare-ruimte-backup"
FORMAT_VERSION = 1
MANIFEST = "backup.json"
INSTANCE_FILES = ("accounts.json", "audit.log")
INSTANCE_FOLDERS = ("history", "drafts", "meldingen")  # drafts (written atomically, file by file); readers' reports
MAX_MEMBERS = 200_000
MAX_BYTES = 4 * 1024**3


class BackupError(Exception):
    """Refused or failed; message in Dutch. exit_code for the command line."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Summary:
    path: Path
    files: int
    bytes: int
    content_version: str
    problems: list = field(default_factory=list)  # of the restored content (toolbox.graph.content.Problem)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _visible_files(folder: Path) -> list[Path]:
    """Regular files under folder, no hidden names anywhere in the path (temporaries, locks)."""
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file() or path.is_symlink():
            continue
        out.append(path)
    return out


def _collect(settings: Settings) -> list[tuple[str, bytes, int]]:
    """(archive path, data, mode) of everything backed up, read while the site may run."""
    from toolbox.accounts.registry import locked
    from toolbox.editing.editor import CaseEditor

    content = Path(settings.content_dir)
    instance = Path(settings.instance_dir)
    if not content.is_dir():
        raise BackupError(f"Map met inhoud niet gevonden: {content}", exit_code=2)
    members: list[tuple[str, bytes, int]] = []
    with CaseEditor(settings).locked():  # no save can fall half inside the backup
        for path in _visible_files(content):
            members.append(("content/" + path.relative_to(content).as_posix(), path.read_bytes(), 0o644))
        for folder in INSTANCE_FOLDERS:
            if (instance / folder).is_dir():
                for path in _visible_files(instance / folder):
                    members.append((f"instance/{folder}/" + path.relative_to(instance / folder).as_posix(),
                                    path.read_bytes(), 0o600))
        for name in INSTANCE_FILES:
            lock = "audit" if name == "audit.log" else "accounts"
            with locked(settings, lock):
                try:
                    data = (instance / name).read_bytes()
                except FileNotFoundError:
                    continue
            if name == "audit.log" and data and not data.endswith(b"\n"):
                data = data[: data.rfind(b"\n") + 1]  # a line being appended: not yet part of the log
            members.append((f"instance/{name}", data, 0o600))
    return members


def backup(settings: Settings, target: Path) -> Summary:
    from toolbox.build.pipeline import content_version

    target = Path(target)
    members = _collect(settings)
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "content_version": content_version(settings),
        "files": [{"path": name, "size": len(data), "sha256": _sha256(data)} for name, data, _ in members],
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add(tar, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"), 0o600)
            for name, data, mode in members:
                _add(tar, name, data, mode)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)  # password hashes inside
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Summary(target, len(members), sum(len(d) for _, d, _ in members), manifest["content_version"])


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


# --------------------------------------------------------------------------- restore
def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts and len(path.parts) >= 2
            and path.parts[0] in ("content", "instance") and not any(p.startswith(".") for p in path.parts)
            and "\\" not in name and "\0" not in name)


def read_archive(archive: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and the files of an archive, every check done; BackupError (Dutch) when refused."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Reservekopie niet gevonden: {archive}", exit_code=2)
    refused = f"Herstellen geweigerd: {archive.name} is geen geldige, complete reservekopie van deze toolbox"
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = tar.getmembers()
            if not members or members[0].name != MANIFEST or len(members) > MAX_MEMBERS:
                raise BackupError(f"{refused} (geen {MANIFEST} vooraan). Er is niets veranderd.")
            files: dict[str, bytes] = {}
            total = 0
            manifest = None
            for member in members:
                if not member.isreg():
                    raise BackupError(f"{refused} ({member.name!r} is geen gewoon bestand). Er is niets veranderd.")
                total += member.size
                if total > MAX_BYTES:
                    raise BackupError(f"{refused} (groter dan {MAX_BYTES // 1024**3} GB). Er is niets veranderd.")
                data = tar.extractfile(member).read()
                if member.name == MANIFEST and manifest is None:
                    manifest = json.loads(data.decode("utf-8"))
                    continue
                if not _safe_name(member.name) or member.name in files:
                    raise BackupError(f"{refused} (onveilig of dubbel pad {member.name!r}). Er is niets veranderd.")
                files[member.name] = data
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{refused} (beschadigd: {type(exc).__name__}). Er is niets veranderd.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{refused} (onbekend formaat). Er is niets veranderd.")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{refused} (formaatversie {manifest.get('version')!r}, verwacht {FORMAT_VERSION}). "
                          "Er is niets veranderd.")
    listed = {f.get("path"): f for f in manifest.get("files", []) if isinstance(f, dict)}
    if set(listed) != set(files):
        missing, extra = sorted(set(listed) - set(files)), sorted(set(files) - set(listed))
        raise BackupError(f"{refused} (ontbrekend: {missing[:3]}, niet in de lijst: {extra[:3]}). "
                          "Er is niets veranderd.")
    for name, data in files.items():
        if listed[name].get("size") != len(data) or listed[name].get("sha256") != _sha256(data):
            raise BackupError(f"{refused} (controlesom klopt niet voor {name}). Er is niets veranderd.")
    if not any(name.startswith("content/") and name.endswith(".ttl") for name in files):
        raise BackupError(f"{refused} (geen inhoud). Er is niets veranderd.")
    return manifest, files


def _stage(files: dict[str, bytes], top: str, folder: Path) -> Path:
    """The archive's files under top/ written to a new hidden folder next to folder."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.herstel-"))
    for name, data in files.items():
        if not name.startswith(top + "/"):
            continue
        path = staged / name[len(top) + 1:]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if top == "instance":
            os.chmod(path, 0o600)
    if top == "instance":
        os.chmod(staged, 0o700)
    else:
        os.chmod(staged, 0o755)
    return staged


def restore(settings: Settings, archive: Path) -> Summary:
    """Replace content/ and instance/ with the archive's, all or nothing (the old ones are kept aside)."""
    from toolbox.editing.editor import CaseEditor
    from toolbox.graph.validate import validate_content

    manifest, files = read_archive(archive)
    content, instance = Path(settings.content_dir), Path(settings.instance_dir)
    staged_content = _stage(files, "content", content)
    staged_instance = None
    try:
        report = validate_content(replace(settings, content_dir=staged_content), owl=False)
        for problem in report.problems:  # named as they will be after the rename
            problem.file = problem.file.replace(staged_content.name, content.name, 1)
        staged_instance = _stage(files, "instance", instance)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside_content = content.with_name(f"{content.name}.voor-herstel-{stamp}")
        aside_instance = instance.with_name(f"{instance.name}.voor-herstel-{stamp}")
        instance.mkdir(parents=True, exist_ok=True)
        with CaseEditor(settings).locked():  # no save of a running site lands in between
            moved_content = content.exists()
            if moved_content:
                content.rename(aside_content)
            try:
                staged_content.rename(content)
            except OSError:
                if moved_content:
                    aside_content.rename(content)
                raise
            try:
                # The lock file stays with the folder being replaced; the new instance gets its own.
                instance.rename(aside_instance)
                staged_instance.rename(instance)
            except OSError:
                with contextlib.suppress(OSError):
                    if not instance.exists() and aside_instance.exists():
                        aside_instance.rename(instance)
                content.rename(staged_content)
                if moved_content:
                    aside_content.rename(content)
                raise
    except BaseException:
        for folder in (staged_content, staged_instance):
            if folder is not None and folder.exists() and folder not in (content, instance):
                shutil.rmtree(folder, ignore_errors=True)
        raise
    summary = Summary(Path(archive), len(files), sum(len(d) for d in files.values()),
                      manifest.get("content_version", ""), list(report.problems))
    from toolbox.accounts.registry import audit

    audit(settings, "hersteld", detail={"reservekopie": Path(archive).name, "bestanden": summary.files,
                                        "problemen": [p.line_text() for p in summary.problems[:20]]})
    return summary


# --------------------------------------------------------------------------- command line
def _command(action, settings: Settings, args, failed: str) -> int:
    try:
        summary = action(settings, Path(args.file))
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"{failed}: {exc.strerror or exc} ({exc.filename or args.file}).", file=sys.stderr)
        return 1
    return summary


def backup_command(settings: Settings, args) -> int:
    summary = _command(backup, settings, args, "Reservekopie niet gemaakt")
    if isinstance(summary, int):
        return summary
    print(f"Reservekopie gemaakt: {summary.path} ({summary.files} bestanden, {summary.bytes} bytes, "
          f"inhoudsversie {summary.content_version}).")
    return 0


def restore_command(settings: Settings, args) -> int:
    summary = _command(restore, settings, args, "Herstellen mislukt; de vorige inhoud staat er nog")
    if isinstance(summary, int):
        return summary
    print(f"Hersteld uit {summary.path}: {summary.files} bestanden (inhoudsversie {summary.content_version}). "
          "De vorige mappen staan ernaast als *.voor-herstel-*. Herstart de site.")
    if summary.problems:
        for problem in summary.problems:
            print(problem.line_text())
        print(f"Let op: de teruggezette inhoud is niet geldig ({len(summary.problems)} probleem/problemen, hierboven). "
              "De site blijft de laatste goede versie tonen tot die bestanden zijn hersteld; `toolbox validate` "
              "geeft ze opnieuw.", file=sys.stderr)
    return 0
