"""Service configuration, read from the environment the first time it is asked for.

Reading lazily (not at import) lets tests and the local stack set variables before the first use;
`get_settings.cache_clear()` makes the next call read them again.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    table_name: str = ""
    idempotency_table_name: str = ""
    bucket_name: str = ""
    jobs_queue_url: str = ""
    webhook_queue_url: str = ""
    webhook_max_attempts: int = 5  # the webhook queue's maxReceiveCount: the last attempt marks FAILED
    fetch_queue_url: str = ""
    fetch_max_attempts: int = 3  # the fetch queue's maxReceiveCount: the last attempt decides the asset
    url_fetch_seconds: int = 30  # one deadline for fetching an asset's url: resolving, redirects, the body
    # The local stack lets webhooks reach http://127.0.0.1 and localhost; never a deployed function.
    webhook_loopback: bool = False
    # The same allowance for an asset's `url` (fetched server side): the local stack only.
    url_loopback: bool = False
    endpoint_url: str | None = None  # moto or another local endpoint; None on AWS
    upload_endpoint_url: str | None = None  # the local stack's form-upload endpoint; None on AWS
    region: str = "us-east-1"
    max_upload_bytes: int = 50 * MIB
    max_pixels: int = 50_000_000
    max_side: int = 10_000
    url_expiry_seconds: int = 900
    job_ttl_days: int = 30
    auth_cache_seconds: int = 60  # how long an authorizer container remembers a known key; 0: never
    models_dir: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        models_dir = env.get("MODELS_DIR") or env.get("IMAGEGRAPHICS_MODELS_DIR")
        return cls(
            table_name=env.get("TABLE_NAME", ""),
            idempotency_table_name=env.get("IDEMPOTENCY_TABLE_NAME", ""),
            bucket_name=env.get("BUCKET_NAME", ""),
            jobs_queue_url=env.get("JOBS_QUEUE_URL", ""),
            webhook_queue_url=env.get("WEBHOOK_QUEUE_URL", ""),
            webhook_max_attempts=_int(env, "WEBHOOK_MAX_ATTEMPTS", 5),
            # Only read beside a local AWS endpoint, like LOCAL_UPLOAD_ENDPOINT_URL.
            webhook_loopback=env.get("LOCAL_WEBHOOK_LOOPBACK") == "1" and bool(env.get("AWS_ENDPOINT_URL")),
            url_loopback=env.get("LOCAL_URL_LOOPBACK") == "1" and bool(env.get("AWS_ENDPOINT_URL")),
            fetch_queue_url=env.get("FETCH_QUEUE_URL", ""),
            fetch_max_attempts=_int(env, "FETCH_MAX_ATTEMPTS", 3),
            url_fetch_seconds=_int(env, "URL_FETCH_SECONDS", 30),
            endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            # The local stack checks upload forms itself (moto ignores the POST policy). Only read
            # beside a local AWS endpoint, so a deployed function can never hand out such a URL.
            upload_endpoint_url=(env.get("LOCAL_UPLOAD_ENDPOINT_URL") or None) if env.get("AWS_ENDPOINT_URL") else None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", 50 * MIB),
            max_pixels=_int(env, "MAX_PIXELS", 50_000_000),
            max_side=_int(env, "MAX_SIDE", 10_000),
            url_expiry_seconds=_int(env, "URL_EXPIRY_SECONDS", 900),
            job_ttl_days=_int(env, "JOB_TTL_DAYS", 30),
            auth_cache_seconds=_int(env, "AUTH_CACHE_SECONDS", 60, minimum=0),
            models_dir=Path(models_dir) if models_dir else None,
        )


def _int(env: dict[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"environment variable {name} must be at least {minimum}, got {value}")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
