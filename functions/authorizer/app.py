"""REQUEST authorizer: API key (Bearer or X-FileSpin-Api-Key) -> Allow policy with {tenant, scopes}."""
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger
from imagegraphics.service.auth import authorize
from imagegraphics.stores.keys import ApiKeyStore


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return authorize(event, ApiKeyStore.from_settings().resolve)
