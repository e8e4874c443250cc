"""The webhook secret routes: the tenant's signing secret, and its replacement."""
from __future__ import annotations

from imagegraphics.api.recipes import WebhookSecretResponse
from imagegraphics.observability import logger
from imagegraphics.stores.secrets import WebhookSecretStore


def webhook_secret(tenant: str) -> dict:
    return WebhookSecretResponse(secret=WebhookSecretStore.from_settings().get(tenant)).body()


def rotate_webhook_secret(tenant: str) -> dict:
    secret = WebhookSecretStore.from_settings().rotate(tenant)
    # Never the secret itself: logs are read by more people than the tenant.
    logger.info("webhook secret rotated")
    return WebhookSecretResponse(secret=secret).body()
