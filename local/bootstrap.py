"""Environment, resources and keys for the handlers, as the deployed stack would give them."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from local.runtime import REGION
from local.template import ApiSpec

LOCAL_VALUES = {"POWERTOOLS_SERVICE_NAME": "imagegraphics-local"}


def aws_environment(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # No X-Ray daemon here.
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def create(endpoint: str, template: Path, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    from local.resources import create_resources

    return create_resources(endpoint_url=endpoint, template_path=template, parameters=parameters)


def _resolve(value: Any, api: ApiSpec, resources: dict[str, Any]) -> str | None:
    """A template environment value as the deployed function would see it (None when unknown)."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in resources.get("refs", {}):
        return resources["refs"][value["Ref"]]
    return api.literal(value)


def function_environment(api: ApiSpec, resources: dict[str, Any]) -> dict[str, str]:
    """Every function's variables merged, since they share this process's environment.

    A variable the functions set differently (POWERTOOLS_SERVICE_NAME) gets one local value instead.
    """
    env: dict[str, str] = {}
    conflicting: set[str] = set()
    for spec in api.functions.values():
        for key, value in spec.environment.items():
            resolved = _resolve(value, api, resources)
            if resolved is None:
                continue
            if env.setdefault(key, resolved) != resolved:
                conflicting.add(key)
    for key in conflicting:
        env[key] = LOCAL_VALUES.get(key, env[key])
    env.update(resources.get("environment", {}))
    return env


def reset_caches() -> None:
    """Settings and clients are cached on first use; the stack's variables must win over any read
    earlier, and no client may keep pointing at a stopped endpoint (a new one may reuse its port)."""
    try:
        from imagegraphics.settings import get_settings
        from imagegraphics.stores import aws
    except ImportError:
        return
    get_settings.cache_clear()
    aws.clear_clients()


def seed_keys(keys: dict[str, str]) -> None:
    from imagegraphics.stores import ApiKeyStore

    store = ApiKeyStore.from_settings()
    for key, tenant in keys.items():
        store.put(tenant=tenant, key=key)
