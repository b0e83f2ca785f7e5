"""Accounts of content editors: argon2 password hashes, sessions and the audit log.

Everything lives in ``settings.instance_dir`` (never in content/, never committed):

* ``accounts.json``  accounts with an opaque id (``acc-3f2a9c1b``), login name, role, argon2 hash;
* ``sessions.json``  server-side sessions, keyed by the SHA-256 of the cookie token;
* ``throttle.json``  failed login attempts per login name and per client address;
* ``audit.log``      one JSON object per line: logins, logouts, lockouts and every change.

Login throttling is in toolbox.login_throttle, the `toolbox user` command in toolbox.user_cli.

The opaque account id, not the login name, is what ends up in the content as
``prov:wasAttributedTo``: a login name may well be a person's name.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from toolbox.config import Settings
from toolbox.files import atomic_write

ROLES = ("editor", "admin")
ROLE_LABELS = {"editor": "redacteur", "admin": "beheerder"}
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
ACCOUNT_ID_RE = re.compile(r"^acc-[0-9a-f]{8}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024

# Defaults; each can be overridden through Settings.extra (tests use short windows).
DEFAULTS = {
    "login_max_failures": 5,        # failures per login name before a temporary lockout
    "login_lockout_seconds": 900,   # how long that lockout lasts
    "login_window_seconds": 900,    # failures older than this are forgotten
    "login_max_per_ip": 20,         # attempts per client address per window (rate limit)
    "session_idle_seconds": 2 * 3600,
    "session_max_seconds": 12 * 3600,
}

_lock = threading.RLock()


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; the message is Dutch and shown as is."""


def setting(settings: Settings, key: str):
    return settings.extra.get(key, DEFAULTS[key])


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# Small JSON files, written atomically and only by one thread or process at a time

def instance_path(settings: Settings, name: str) -> Path:
    folder = Path(settings.instance_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / name


@contextlib.contextmanager
def locked(settings: Settings, name: str = "accounts"):
    """Thread lock plus an advisory file lock, so several server processes can share instance_dir."""
    with _lock:
        path = instance_path(settings, f".{name}.lock")
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except ValueError as exc:
        raise AccountError(f"Het bestand {path.name} is beschadigd: {exc}") from exc


def write_json(path: Path, data) -> None:
    """Only the owner may read these files (password hashes, session digests)."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    atomic_write(path, text.encode("utf-8"), mode=0o600)


# ---------------------------------------------------------------------------
# Accounts

@dataclass
class Account:
    id: str
    name: str
    role: str
    hash: str
    disabled: bool = False
    created: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD} tekens lang zijn.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Het wachtwoord mag hooguit {MAX_PASSWORD} tekens lang zijn.")
    if not password.strip():
        raise AccountError("Het wachtwoord mag niet alleen uit spaties bestaan.")


def normalise_name(name: str) -> str:
    return (name or "").strip().lower()


class _InstanceFile:
    """One JSON file in the instance folder (TOOLBOX_INSTANCE), named by the subclass's FILE."""

    FILE = ""

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def path(self) -> Path:
        return instance_path(self.settings, self.FILE)


class AccountStore(_InstanceFile):
    FILE = "accounts.json"

    def _load(self) -> list[Account]:
        data = read_json(self.path, {"accounts": []})
        return [Account(**row) for row in data.get("accounts", [])]

    def _save(self, accounts: list[Account]) -> None:
        write_json(self.path, {"accounts": [asdict(a) for a in accounts]})

    def all(self) -> list[Account]:
        return sorted(self._load(), key=lambda a: a.name)

    def by_name(self, name: str) -> Account | None:
        name = normalise_name(name)
        return next((a for a in self._load() if a.name == name), None)

    def by_id(self, account_id: str) -> Account | None:
        return next((a for a in self._load() if a.id == account_id), None)

    def add(self, name: str, role: str, password: str) -> Account:
        name = normalise_name(name)
        if not NAME_RE.match(name):
            raise AccountError(
                "Een accountnaam heeft 2 tot 64 tekens: kleine letters, cijfers en . _ @ -, "
                "en begint met een letter of cijfer."
            )
        if role not in ROLES:
            raise AccountError(f"Onbekende rol '{role}': kies editor of admin.")
        check_password_policy(password)
        with locked(self.settings):
            accounts = self._load()
            if any(a.name == name for a in accounts):
                raise AccountError(f"Er bestaat al een account met de naam '{name}'.")
            taken = {a.id for a in accounts}
            account_id = _new_id(taken)
            account = Account(id=account_id, name=name, role=role, hash=_hasher().hash(password), created=now_iso())
            accounts.append(account)
            self._save(accounts)
        audit(self.settings, "account_aangemaakt", account=account, detail={"rol": role})
        return account

    def set_disabled(self, name: str, disabled: bool = True) -> Account:
        with locked(self.settings):
            accounts = self._load()
            account = next((a for a in accounts if a.name == normalise_name(name)), None)
            if account is None:
                raise AccountError(f"Geen account met de naam '{normalise_name(name)}'.")
            account.disabled = disabled
            self._save(accounts)
        if disabled:
            SessionStore(self.settings).drop_account(account.id)
        audit(self.settings, "account_uitgeschakeld" if disabled else "account_ingeschakeld", account=account)
        return account

    def verify(self, name: str, password: str) -> Account | None:
        """The account when name and password match and it is enabled; None otherwise (same cost either way)."""
        account = self.by_name(name)
        hasher = _hasher()
        if account is None:
            # Spend the same time as a real check, so response times do not reveal which names exist.
            with contextlib.suppress(VerificationError, InvalidHashError):
                hasher.verify(_dummy_hash(), password)
            return None
        try:
            hasher.verify(account.hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if account.disabled:
            return None
        if hasher.check_needs_rehash(account.hash):
            with locked(self.settings):
                accounts = self._load()
                for a in accounts:
                    if a.id == account.id:
                        a.hash = hasher.hash(password)
                self._save(accounts)
        return account


def _new_id(taken: set[str]) -> str:
    while True:
        candidate = "acc-" + secrets.token_hex(4)
        if candidate not in taken:
            return candidate


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_hasher().hash(secrets.token_hex(16)))
    return _DUMMY[0]


# ---------------------------------------------------------------------------
# Server-side sessions: the cookie holds a random token; the store keeps only its hash

@dataclass
class Session:
    account: Account
    csrf: str
    token_hash: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore(_InstanceFile):
    FILE = "sessions.json"

    def _load(self, now: float) -> dict:
        idle = setting(self.settings, "session_idle_seconds")
        longest = setting(self.settings, "session_max_seconds")
        rows = read_json(self.path, {})
        return {k: v for k, v in rows.items() if now - v["seen"] < idle and now - v["created"] < longest}

    def create(self, account: Account) -> tuple[str, str]:
        """A new session (new token: no fixation); returns (cookie token, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        with locked(self.settings, "sessions"):
            rows = self._load(now)
            rows[_token_hash(token)] = {"account": account.id, "csrf": csrf, "created": now, "seen": now}
            write_json(self.path, rows)
        return token, csrf

    def get(self, token: str | None) -> Session | None:
        if not token or len(token) > 200:
            return None
        now = time.time()
        key = _token_hash(token)
        rows = self._load(now)
        row = rows.get(key)
        if row is None:
            return None
        account = AccountStore(self.settings).by_id(row["account"])
        if account is None or account.disabled:
            return None
        if now - row["seen"] > 60:  # refresh the idle timer at most once a minute
            with locked(self.settings, "sessions"):
                rows = self._load(now)
                if key in rows:
                    rows[key]["seen"] = now
                    write_json(self.path, rows)
        return Session(account=account, csrf=row["csrf"], token_hash=key)

    def drop(self, token: str | None) -> None:
        if not token:
            return
        with locked(self.settings, "sessions"):
            rows = self._load(time.time())
            if rows.pop(_token_hash(token), None) is not None:
                write_json(self.path, rows)

    def drop_account(self, account_id: str) -> None:
        with locked(self.settings, "sessions"):
            rows = self._load(time.time())
            kept = {k: v for k, v in rows.items() if v["account"] != account_id}
            if len(kept) != len(rows):
                write_json(self.path, kept)


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


# ---------------------------------------------------------------------------
# Audit log

def audit(settings: Settings, event: str, account: Account | None = None, ip: str | None = None,
          detail: dict | None = None) -> None:
    """Append one line to instance_dir/audit.log; never passwords, never content texts."""
    row = {"tijd": now_iso(), "gebeurtenis": event}
    if account is not None:
        row["account"] = account.id
        row["naam"] = account.name
    if ip:
        row["adres"] = ip
    if detail:
        row.update(detail)
    line = json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
    with locked(settings, "audit"):
        path = instance_path(settings, "audit.log")
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)


def read_audit(settings: Settings, limit: int = 200) -> list[dict]:
    path = Path(settings.instance_dir) / "audit.log"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in reversed(lines[-limit:]):
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


