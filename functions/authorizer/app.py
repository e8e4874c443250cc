"""REQUEST authorizer: API key (Bearer or X-FileSpin-Api-Key) -> Allow policy with {tenant, scopes}."""
from functools import lru_cache

from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import REQUEST_ID_PATH, logger
from imagegraphics.service.auth import PrincipalCache, authorize
from imagegraphics.settings import get_settings
from imagegraphics.stores.keys import ApiKeyStore


@lru_cache(maxsize=1)
def principals() -> PrincipalCache:
    # Per container, like the clients: a warm container answers a known key without reading DynamoDB.
    # AUTH_CACHE_SECONDS=0 turns it off (a revoked key then stops working at once).
    return PrincipalCache(ttl=get_settings().auth_cache_seconds)


def _resolve(key: str):
    return principals().resolve(key, lambda k: ApiKeyStore.from_settings().resolve(k))


@logger.inject_lambda_context(clear_state=True, correlation_id_path=REQUEST_ID_PATH)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return authorize(event, _resolve)
