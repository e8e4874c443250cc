"""The crop_to_subject margin: 20, "20px" or "10%", kept as written and read as pixels or a percentage."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from imagegraphics.request.types import limits_of

_MARGIN = re.compile(r"([0-9]{1,6})px|([0-9]{1,3}(?:\.[0-9]{1,2})?)%")
MAX_MARGIN_PERCENT = 100  # of the subject's side, on each side: at most triples the subject's box


@dataclass(frozen=True)
class MarginValue:
    """A margin as the client wrote it (kept, so a stored request dumps the same) and what it means."""

    written: int | str
    pixels: int | None = None  # "20px" or 20
    percent: float | None = None  # "10%": of the subject's width (left, right) or height (top, bottom)

    def on(self, subject_width: int, subject_height: int) -> tuple[int, int]:
        """(horizontal, vertical) margin in pixels around a subject box of this size."""
        if self.pixels is not None:
            return self.pixels, self.pixels
        # Halves round up (2.5 px is 3), not to even as round() does.
        return (math.floor(subject_width * self.percent / 100 + 0.5),
                math.floor(subject_height * self.percent / 100 + 0.5))


def parse_margin(value: Any, info: ValidationInfo) -> MarginValue:
    """20, "20px" or "10%"; pixels at most the deployment's largest side, percent at most 100."""
    if isinstance(value, MarginValue):
        return value
    max_side = limits_of(info).max_side
    rule = ("must be a number of pixels (20 or \"20px\", at most {max_side}) or a percentage of the "
            "subject's size (\"10%\", at most {max_percent}%)")
    ctx = {"max_side": max_side, "max_percent": MAX_MARGIN_PERCENT}
    match = _MARGIN.fullmatch(value) if isinstance(value, str) else None
    if type(value) is int:
        pixels, percent = value, None
    elif match:
        pixels = int(match.group(1)) if match.group(1) is not None else None
        percent = float(match.group(2)) if match.group(2) is not None else None
    else:
        raise PydanticCustomError("margin", rule, ctx)
    if (pixels is not None and not 0 <= pixels <= max_side) or (
            percent is not None and percent > MAX_MARGIN_PERCENT):
        raise PydanticCustomError("margin", rule, ctx)
    return MarginValue(value, pixels, percent)


Margin = Annotated[
    MarginValue,
    PlainValidator(parse_margin),
    PlainSerializer(lambda margin: margin.written),
    WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 0},
                              {"type": "string", "pattern": f"^(?:{_MARGIN.pattern})$"}]}),
]
