"""Client of the imagegraphics API: the `imagegraphics-client` command and the `Client` class."""
from imagegraphics_client.client import Client
from imagegraphics_client.errors import ApiRefused, AuthError, ClientError, TransportError, UsageError

__version__ = "0.1.0"
__all__ = ["ApiRefused", "AuthError", "Client", "ClientError", "TransportError", "UsageError", "__version__"]
