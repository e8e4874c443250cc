"""REQUEST authorizer: API key (Bearer or X-FileSpin-Api-Key) -> Allow policy with {tenant, scopes}."""
import os

from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger
from imagegraphics.service.auth import PrincipalCache, authorize
from imagegraphics.stores.keys import ApiKeyStore

# Per container, like the clients: a warm container answers a known key without reading DynamoDB.
# AUTH_CACHE_SECONDS=0 turns it off (a revoked key then stops working at once).
principals = PrincipalCache(ttl=float(os.environ.get("AUTH_CACHE_SECONDS", "60")))


def _resolve(key: str):
    return principals.resolve(key, lambda k: ApiKeyStore.from_settings().resolve(k))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return authorize(event, _resolve)
