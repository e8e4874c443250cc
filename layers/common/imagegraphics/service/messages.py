"""The jobs queue message: which asset of which job to render, and for which API request."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class JobMessage:
    job_id: int
    tenant: str
    index: int
    asset_id: str
    # API Gateway's id of the submit request: the processor logs under it (the correlation id).
    # Absent from messages queued before it was carried (a recipe's job carries its own: see recipe_runs).
    request_id: str | None = None

    @classmethod
    def parse(cls, body: str | dict) -> "JobMessage":
        """Raises ValueError for a body that is not a job message (it then goes to the DLQ)."""
        data = json.loads(body) if isinstance(body, str) else body
        try:
            message = cls(int(data["job_id"]), str(data["tenant"]), int(data["index"]), str(data["asset_id"]),
                          request_id_of(data))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a job message: {exc}") from exc
        if message.index < 0:
            raise ValueError("not a job message: negative index")
        return message

    def as_dict(self) -> dict:
        """The message body; without `request_id` when there is none."""
        body = asdict(self)
        if body["request_id"] is None:
            del body["request_id"]
        return body


def request_id_of(body: str | dict | None) -> str | None:
    """The request id a job or webhook message carries, or None (also for a body that is neither):
    read before the message is parsed, so even the lines about a malformed one carry it."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    value = body.get("request_id") if isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None
