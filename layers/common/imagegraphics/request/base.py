"""Base model of every request object: strict types, and unknown keys refused with the valid ones listed."""
from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

_BUILTIN_ERROR_TYPES = frozenset(typing.get_args(core_schema.ErrorType))


class RequestObject(BaseModel):
    # strict: JSON clients send 100, not "100" or 100.0, and true, not "yes".
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="wrap")
    @classmethod
    def _name_valid_keys(cls, data: Any, handler: Any) -> Any:
        """Re-word pydantic's "Extra inputs are not permitted" so it lists the keys this object takes."""
        try:
            return handler(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            if not any(_is_own_unknown_key(e) for e in errors):
                raise
            raise ValidationError.from_exception_data(
                exc.title, [_reworded(cls, e) for e in errors]) from None


def _is_own_unknown_key(error: Any) -> bool:
    return error["type"] == "extra_forbidden" and len(error["loc"]) == 1


def _reworded(cls: type[BaseModel], error: Any) -> InitErrorDetails:
    if _is_own_unknown_key(error):
        valid = ", ".join(cls.model_fields)
        kind = PydanticCustomError("unknown_key", "unknown key; valid keys are {valid}", {"valid": valid})
        return InitErrorDetails(type=kind, loc=error["loc"], input=error["input"])
    if error["type"] in _BUILTIN_ERROR_TYPES and _rebuildable(error):
        return error  # type: ignore[return-value]
    # Our own errors (some named like pydantic's, "too_short", without its context): already
    # worded, passed on as they are with their context (e.g. "at").
    kind = PydanticCustomError(error["type"], error["msg"], error.get("ctx"))
    return InitErrorDetails(type=kind, loc=error["loc"], input=error["input"])


def _rebuildable(error: Any) -> bool:
    """Can pydantic rebuild this error from its type and context (its own errors can)?"""
    try:
        ValidationError.from_exception_data("check", [error])  # type: ignore[list-item]
    except (TypeError, KeyError, ValueError):
        return False
    return True
