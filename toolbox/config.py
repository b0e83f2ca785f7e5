"""Settings, read once from the environment so every entry point (CLI, site, tests) agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERY_DIR = Path(__file__).resolve().parent / "queries"  # the named .rq files of every package
CANONICAL_BASE = "https://toolbox-openbare-ruimte.nl"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    """Where content, ontology and build output live, and how the store is reached."""

    base_uri: str = CANONICAL_BASE
    content_dir: Path = REPO_ROOT / "content"
    ontology_dir: Path = REPO_ROOT / "ontology"
    build_dir: Path = REPO_ROOT / "build"
    instance_dir: Path = REPO_ROOT / "instance"
    sparql_endpoint: str | None = None
    query_timeout: float = 10.0
    result_limit: int = 10000
    max_query_length: int = 20000
    query_workers: int = 2
    query_threads: int = 8
    query_queue_wait: float = 30.0
    server_threads: int = 64
    save_wait: float = 5.0  # seconds a save in the editor waits for the public pages to show it
    secret_key: str | None = None
    max_body: int = 2 * 1024 * 1024  # bytes of a request body; larger gets 413
    secure_cookies: bool = False  # also mark cookies Secure over plain HTTP (TLS ends at a proxy)
    # Host names the site answers for besides the one of base_uri and the loopback names ("*.example.nl"
    # for every subdomain); another Host header gets 400 (absolute URLs never come from it).
    trusted_hosts: tuple[str, ...] = ()
    # Four eyes: a draft is published by another editor than its author (off: the author may publish it).
    four_eyes: bool = True
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        settings = cls(
            base_uri=env.get("TOOLBOX_BASE_URI", CANONICAL_BASE).rstrip("/"),
            content_dir=Path(env.get("TOOLBOX_CONTENT", REPO_ROOT / "content")),
            build_dir=Path(env.get("TOOLBOX_BUILD", REPO_ROOT / "build")),
            instance_dir=Path(env.get("TOOLBOX_INSTANCE", REPO_ROOT / "instance")),
            sparql_endpoint=env.get("TOOLBOX_SPARQL_ENDPOINT") or None,
            query_timeout=float(env.get("TOOLBOX_QUERY_TIMEOUT", "10")),
            result_limit=_env_int("TOOLBOX_RESULT_LIMIT", 10000),
            max_query_length=_env_int("TOOLBOX_MAX_QUERY_LENGTH", 20000),
            query_workers=_env_int("TOOLBOX_QUERY_WORKERS", 2),
            query_threads=_env_int("TOOLBOX_QUERY_THREADS", 8),
            query_queue_wait=float(env.get("TOOLBOX_QUERY_QUEUE_WAIT", "30")),
            server_threads=_env_int("TOOLBOX_SERVER_THREADS", 64),
            save_wait=float(env.get("TOOLBOX_SAVE_WAIT", "5")),
            secret_key=env.get("TOOLBOX_SECRET_KEY") or None,
            max_body=_env_int("TOOLBOX_MAX_BODY", 2 * 1024 * 1024),
            secure_cookies=env.get("TOOLBOX_SECURE_COOKIES", "").strip().lower() in ("1", "true", "ja", "yes", "on"),
            trusted_hosts=tuple(h.strip().lower() for h in env.get("TOOLBOX_TRUSTED_HOSTS", "").split(",")
                                if h.strip()),
            four_eyes=env.get("TOOLBOX_FOUR_EYES", "1").strip().lower() not in ("0", "false", "nee", "no", "uit"),
        )
        return replace(settings, **overrides)

    def to_env(self) -> dict[str, str]:
        """The environment from which `from_env` builds these settings again (for a server's worker process)."""
        env = {
            "TOOLBOX_BASE_URI": self.base_uri,
            "TOOLBOX_CONTENT": str(self.content_dir),
            "TOOLBOX_BUILD": str(self.build_dir),
            "TOOLBOX_INSTANCE": str(self.instance_dir),
            "TOOLBOX_SPARQL_ENDPOINT": self.sparql_endpoint or "",
            "TOOLBOX_QUERY_TIMEOUT": repr(self.query_timeout),
            "TOOLBOX_RESULT_LIMIT": str(self.result_limit),
            "TOOLBOX_MAX_QUERY_LENGTH": str(self.max_query_length),
            "TOOLBOX_QUERY_WORKERS": str(self.query_workers),
            "TOOLBOX_QUERY_THREADS": str(self.query_threads),
            "TOOLBOX_QUERY_QUEUE_WAIT": repr(self.query_queue_wait),
            "TOOLBOX_SERVER_THREADS": str(self.server_threads),
            "TOOLBOX_SAVE_WAIT": repr(self.save_wait),
            "TOOLBOX_MAX_BODY": str(self.max_body),
            "TOOLBOX_SECURE_COOKIES": "1" if self.secure_cookies else "",
            "TOOLBOX_TRUSTED_HOSTS": ",".join(self.trusted_hosts),
            "TOOLBOX_FOUR_EYES": "1" if self.four_eyes else "0",
        }
        if self.secret_key:
            env["TOOLBOX_SECRET_KEY"] = self.secret_key
        return env

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "tor.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    def host_is_trusted(self, host: str | None) -> bool:
        """Whether a request's Host (with or without port) is one the site answers for."""
        name = (host or "").strip().lower()
        name = name[1:].split("]")[0] if name.startswith("[") else name.rsplit(":", 1)[0] if ":" in name else name
        if not name:
            return False
        own = self.base_uri.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].lower()
        if name in (own, "localhost", "127.0.0.1", "::1"):
            return True
        return any(name == t or (t.startswith("*.") and name.endswith(t[1:])) for t in self.trusted_hosts)
