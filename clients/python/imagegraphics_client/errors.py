"""What can go wrong, each with the exit status the command line gives it."""
from __future__ import annotations

EXIT_OK = 0  # every asset succeeded
EXIT_FAILED = 1  # some asset failed (rejected upload, failed render) or was still running at the timeout
EXIT_REFUSED = 2  # the API refused the request, or the command line itself was wrong
EXIT_UNREACHABLE = 3  # the key was refused, or the service could not be reached or answered nonsense
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it): a rerun resumes from the manifest


class ClientError(Exception):
    """An error the command line reports as plain lines on stderr, never as a traceback."""

    exit_status = EXIT_UNREACHABLE

    def lines(self) -> list[str]:
        return [str(self)]


class UsageError(ClientError):
    """A bad argument or a local file that cannot be read: nothing was sent."""

    exit_status = EXIT_REFUSED


class ApiRefused(ClientError):
    """A 4xx answer: the request breaks one of the API's rules, each listed with its location."""

    exit_status = EXIT_REFUSED

    def __init__(self, what: str, status: int, message: str, errors: list[dict] | None = None,
                 request_id: str | None = None):
        self.what, self.status, self.message = what, status, message
        self.errors, self.request_id = errors or [], request_id
        self.notes: list[str] = []  # what the caller knows that the API does not, e.g. which file assets.0 is
        super().__init__(f"{what}: {status} {message}")

    def lines(self) -> list[str]:
        head = f"{self.what} was refused ({self.status}): {self.message}"
        if self.request_id:
            head += f" [request id {self.request_id}]"
        return [head] + [f"  at {format_loc(e.get('loc'))}: {e.get('msg', '')}" for e in self.errors] + self.notes


class AuthError(ClientError):
    """401 (no such key) or 403 (the key lacks the scope of the route)."""


class TransportError(ClientError):
    """No answer (connection refused, DNS, timeout), a 429/5xx after every retry, or a body that is not the API's."""


class NoRoute(TransportError):
    """API Gateway's answer for a path it has no route for: a wrong endpoint, or an older deployment."""


def format_loc(loc: object) -> str:
    """["assets", 0, "abc", "options", "crop"] -> assets.0.abc.options.crop, as the API's docs write it."""
    if isinstance(loc, (list, tuple)):
        return ".".join(str(part) for part in loc) or "(request)"
    return str(loc) if loc else "(request)"


class Interrupted(ClientError):
    """The command was stopped (Ctrl-C) while this call waited to be retried."""

    exit_status = EXIT_INTERRUPTED
