"""Settings, read once from the environment so every entry point (CLI, site, tests) agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
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
    query_queue_wait: float = 30.0
    server_threads: int = 64
    secret_key: str | None = None
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
            query_queue_wait=float(env.get("TOOLBOX_QUERY_QUEUE_WAIT", "30")),
            server_threads=_env_int("TOOLBOX_SERVER_THREADS", 64),
            secret_key=env.get("TOOLBOX_SECRET_KEY") or None,
        )
        return replace(settings, **overrides)

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "tor.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"
