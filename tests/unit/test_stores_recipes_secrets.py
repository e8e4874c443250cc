"""Recipe and webhook-secret stores: per tenant by key, so no tenant reaches another's."""
from __future__ import annotations

import time

import pytest

from imagegraphics.errors import NotFound
from imagegraphics.stores.job_webhooks import JobWebhookStore
from imagegraphics.stores.jobs import JobStore
from imagegraphics.stores.recipes import RecipeStore
from imagegraphics.stores.secrets import WebhookSecretStore

BODY = {"operations": [{"bg_remove": {"options": {}}}], "options": {}}


def _names(store, tenant: str, limit: int = 100) -> list[str]:
    return [recipe.name for recipe, _ in store.page(tenant, limit)[0]]


def test_recipes_are_per_tenant(aws_resources):
    store = RecipeStore.from_settings()
    store.put("alpha", "white", BODY)
    store.put("beta", "white", {**BODY, "options": {"size": {"width": 10, "height": 10}}})
    time.sleep(0.002)  # creation times a millisecond apart: the list is newest first
    store.put("alpha", "black", BODY)
    assert store.get("alpha", "white").payload == BODY
    assert store.get("beta", "white").payload["options"] == {"size": {"width": 10, "height": 10}}
    assert _names(store, "alpha") == ["black", "white"]
    assert _names(store, "beta") == ["white"] and _names(store, "gamma") == []
    with pytest.raises(NotFound):
        store.get("gamma", "white")
    assert store.delete("beta", "black") is False
    assert store.delete("beta", "white") is True
    assert store.find("beta", "white") is None and store.find("alpha", "white") is not None


def test_pages_are_newest_first_and_follow_on_from_a_position(aws_resources):
    store = RecipeStore.from_settings()
    for name in ("one", "two", "three", "four", "five"):
        store.put("alpha", name, BODY)
        time.sleep(0.002)
    first, more = store.page("alpha", 2)
    assert [r.name for r, _ in first] == ["five", "four"] and more
    second, more = store.page("alpha", 2, first[-1][1])
    third, more_after = store.page("alpha", 2, second[-1][1])
    assert [r.name for r, _ in second] == ["three", "two"] and [r.name for r, _ in third] == ["one"]
    assert not more_after
    store.put("alpha", "four", {**BODY, "options": {}})  # replaced: keeps its place
    assert _names(store, "alpha") == ["five", "four", "three", "two", "one"]


def test_replacing_a_recipe_keeps_its_creation_time(aws_resources):
    store = RecipeStore.from_settings()
    first = store.put("alpha", "white", BODY)
    second = store.put("alpha", "white", {**BODY, "options": {"crop": {"left": 0, "top": 0, "right": 1, "bottom": 1}}})
    assert second.created_at == first.created_at and second.updated_at >= first.updated_at
    assert second.payload["options"]["crop"]["right"] == 1


def test_a_secret_is_made_once_per_tenant_and_rotation_replaces_only_that_one(aws_resources):
    store = WebhookSecretStore.from_settings()
    alpha, beta = store.get("alpha"), store.get("beta")
    assert alpha != beta and alpha.startswith("whsec_") and len(alpha) > 40
    assert store.get("alpha") == alpha
    rotated = store.rotate("alpha")
    assert rotated not in (alpha, beta) and store.get("alpha") == rotated and store.get("beta") == beta


def test_two_first_reads_at_once_agree_on_one_secret(aws_resources, monkeypatch):
    store = WebhookSecretStore.from_settings()
    other = WebhookSecretStore.from_settings()
    real_read = store._read
    calls = []

    def racing_read(tenant):
        calls.append(tenant)
        if len(calls) == 1:  # the other caller makes the secret between this read and the write
            other.get(tenant)
            return None
        return real_read(tenant)

    monkeypatch.setattr(store, "_read", racing_read)
    assert store.get("alpha") == other.get("alpha")


def test_webhook_attempts_are_counted_and_delivered_stays_delivered(aws_resources):
    jobs, webhooks = JobStore.from_settings(), JobWebhookStore.from_settings()
    job = jobs.create_job("alpha", {"assets": []}, total=1, webhook_url="https://hooks.example.com/x")
    assert (job.webhook_status, job.webhook_attempts) == ("PENDING", 0)
    failed = webhooks.record_attempt(job.job_id, status="PENDING", http_status=500, error="HTTP 500")
    assert (failed.webhook_attempts, failed.webhook_last_status, failed.webhook_last_error) == (1, 500, "HTTP 500")
    delivered = webhooks.record_attempt(job.job_id, status="DELIVERED", http_status=204, error=None)
    assert (delivered.webhook_status, delivered.webhook_attempts, delivered.webhook_last_error) == ("DELIVERED", 2, None)
    # A duplicate attempt that failed afterwards does not undo the delivery.
    assert webhooks.record_attempt(job.job_id, status="FAILED", http_status=None, error="timeout") is None
    assert jobs.find_job(job.job_id).webhook_status == "DELIVERED"
    assert webhooks.delivery_id(job.job_id, "first") == "first"
    assert webhooks.delivery_id(job.job_id, "second") == "first"


def test_a_job_without_a_webhook_records_no_attempt(aws_resources):
    job = JobStore.from_settings().create_job("alpha", {"assets": []}, total=1)
    assert job.webhook_url is None and job.webhook_status is None
    assert JobWebhookStore.from_settings().record_attempt(job.job_id, status="DELIVERED", http_status=200,
                                                          error=None) is None
