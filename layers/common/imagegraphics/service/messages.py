"""The jobs queue message: which asset of which job to render."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class JobMessage:
    job_id: int
    tenant: str
    index: int
    asset_id: str

    @classmethod
    def parse(cls, body: str | dict) -> "JobMessage":
        """Raises ValueError for a body that is not a job message (it then goes to the DLQ)."""
        data = json.loads(body) if isinstance(body, str) else body
        try:
            message = cls(int(data["job_id"]), str(data["tenant"]), int(data["index"]), str(data["asset_id"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a job message: {exc}") from exc
        if message.index < 0:
            raise ValueError("not a job message: negative index")
        return message

    def as_dict(self) -> dict:
        return asdict(self)
