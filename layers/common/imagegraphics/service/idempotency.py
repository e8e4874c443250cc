"""Powertools idempotency for job messages: one (job_id, index) is processed once.

Built on first use, so the table name comes from the settings at run time, not at import. The job
store's conditional record_item is the second line of defence (after the idempotency record expires).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from imagegraphics.settings import get_settings

# Longer than a message can live in the jobs queue and its retries take.
EXPIRES_AFTER_SECONDS = 24 * 3600


@lru_cache(maxsize=1)
def _idempotent(handler: Callable[[dict], dict]) -> tuple[IdempotencyConfig, Callable[..., dict]]:
    config = IdempotencyConfig(event_key_jmespath="[job_id, index]", raise_on_no_idempotency_key=True,
                               expires_after_seconds=EXPIRES_AFTER_SECONDS)
    persistence = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table_name)

    @idempotent_function(data_keyword_argument="message", persistence_store=persistence, config=config)
    def once(message: dict) -> dict:
        return handler(message)

    return config, once


def run_once(handler: Callable[[dict], dict], message: dict, lambda_context: Any) -> dict:
    """handler(message), unless the same (job_id, index) already completed: then its stored answer."""
    config, once = _idempotent(handler)
    # Lets an in-progress record expire with this invocation if the function times out.
    config.register_lambda_context(lambda_context)
    return once(message=message)


def reset() -> None:
    """Forget the persistence layer (its table name), e.g. after the settings changed."""
    _idempotent.cache_clear()
