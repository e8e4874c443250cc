"""S3's browser-form (POST) upload policy, checked as S3 checks it: moto stores whatever is posted.

A form carries a base64 JSON policy `{"expiration", "conditions"}` and its SigV4 signature
(HMAC chain of the secret key, date, region, "s3", "aws4_request", over the base64 text). S3 stores
the file only when the signature matches, the policy has not expired, every condition holds and
every form field is named by some condition (except policy, x-amz-signature, file and x-ignore-*).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from datetime import datetime, timezone
from typing import Mapping

ALGORITHM = "AWS4-HMAC-SHA256"
REQUIRED = ("key", "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature")
NOT_IN_POLICY = {"policy", "x-amz-signature", "file"}
_AMZ_DATE = re.compile(r"(\d{8})T\d{6}Z")


class PolicyError(Exception):
    """What S3 answers: HTTP status, its error code, and the form field at fault."""

    def __init__(self, status: int, code: str, loc: list, msg: str):
        super().__init__(msg)
        self.status, self.code, self.loc, self.msg = status, code, loc, msg


def _denied(loc: list, msg: str) -> PolicyError:
    return PolicyError(403, "AccessDenied", loc, f"Invalid according to Policy: {msg}")


def signing_key(secret: str, date: str, region: str, service: str = "s3") -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def verify(fields: Mapping[str, str], bucket: str, size: int, secrets: Mapping[str, str],
           region: str, now: datetime | None = None) -> None:
    """Raise PolicyError unless S3 would accept this form. `fields`: lower-case names, no file."""
    for name in REQUIRED:
        if name not in fields:
            raise PolicyError(400, "InvalidArgument", ["form", name], f"Bucket POST must contain a field named '{name}'")
    _check_signature(fields, secrets, region)
    policy = _decode(fields["policy"])
    _check_expiration(policy, now or datetime.now(timezone.utc))
    values = {**fields, "bucket": bucket}
    named = {"bucket"}
    for condition in policy["conditions"]:
        named.add(_check_condition(condition, values, size))
    extra = sorted(n for n in fields if n not in named | NOT_IN_POLICY and not n.startswith("x-ignore-"))
    if extra:
        raise _denied(["form", extra[0]], f"Extra input fields: {', '.join(extra)}")


def _check_signature(fields: Mapping[str, str], secrets: Mapping[str, str], region: str) -> None:
    if fields["x-amz-algorithm"] != ALGORITHM:
        raise PolicyError(400, "InvalidArgument", ["form", "x-amz-algorithm"],
                          f"x-amz-algorithm must be {ALGORITHM}, got {fields['x-amz-algorithm']!r}")
    parts = fields["x-amz-credential"].split("/")
    if len(parts) != 5 or parts[3:] != ["s3", "aws4_request"]:
        raise PolicyError(400, "InvalidArgument", ["form", "x-amz-credential"],
                          "x-amz-credential must be <access key>/<yyyymmdd>/<region>/s3/aws4_request")
    access_key, date, scope_region = parts[:3]
    if access_key not in secrets:
        raise PolicyError(403, "InvalidAccessKeyId", ["form", "x-amz-credential"],
                          "The AWS Access Key Id you provided does not exist in our records.")
    found = _AMZ_DATE.fullmatch(fields["x-amz-date"])
    if found is None or found.group(1) != date:
        raise PolicyError(400, "InvalidArgument", ["form", "x-amz-date"],
                          "x-amz-date must be yyyymmddThhmmssZ, on the day of the credential's scope")
    if scope_region != region:
        raise PolicyError(400, "AuthorizationHeaderMalformed", ["form", "x-amz-credential"],
                          f"the region {scope_region!r} is wrong; expecting {region!r}")
    expected = hmac.new(signing_key(secrets[access_key], date, region), fields["policy"].encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["x-amz-signature"].lower()):
        raise PolicyError(403, "SignatureDoesNotMatch", ["form", "x-amz-signature"],
                          "The request signature we calculated does not match the signature you provided.")


def _invalid_policy(msg: str) -> PolicyError:
    return PolicyError(400, "InvalidPolicyDocument", ["form", "policy"], f"Invalid Policy: {msg}")


def _decode(text: str) -> dict:
    try:
        policy = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise _invalid_policy("not base64-encoded JSON") from None
    if not isinstance(policy, dict) or not isinstance(policy.get("conditions"), list):
        raise _invalid_policy("a JSON object with a 'conditions' list is required")
    if not isinstance(policy.get("expiration"), str):
        raise _invalid_policy("Policy missing expiration.")
    return policy


def _check_expiration(policy: dict, now: datetime) -> None:
    try:
        expiration = datetime.fromisoformat(policy["expiration"])
    except ValueError:
        raise _invalid_policy(f"Invalid 'expiration' value: {policy['expiration']!r}") from None
    if expiration.tzinfo is None:
        raise _invalid_policy(f"Invalid 'expiration' value: {policy['expiration']!r} (no time zone)")
    if now >= expiration:
        raise _denied(["form", "policy"], f"Policy expired (at {policy['expiration']}).")


def _check_condition(condition, values: Mapping[str, str], size: int) -> str:
    """Check one condition; the field name it covers."""
    if isinstance(condition, dict) and len(condition) == 1:
        [(name, expected)] = condition.items()
        return _compare("eq", f"${name}", expected, values, condition)
    if isinstance(condition, list) and len(condition) == 3 and isinstance(condition[0], str):
        operator = condition[0].lower()
        if operator == "content-length-range":
            _check_size(condition, size)
            return ""
        if operator in ("eq", "starts-with"):
            return _compare(operator, condition[1], condition[2], values, condition)
    raise _invalid_policy(f"Invalid Policy condition: {json.dumps(condition)}")


def _compare(operator: str, target, expected, values: Mapping[str, str], condition) -> str:
    if not isinstance(target, str) or not target.startswith("$") or not isinstance(expected, str):
        raise _invalid_policy(f"Invalid Policy condition: {json.dumps(condition)}")
    name = target[1:].lower()
    value = values.get(name)
    if operator == "eq":
        holds = value == expected
    elif name == "content-type" and value is not None:
        holds = all(v.strip().startswith(expected) for v in value.split(","))  # S3 checks each listed type
    else:
        holds = value is not None and value.startswith(expected)
    if not holds:
        raise _denied(["form", name], f"Policy Condition failed: {json.dumps(condition)}")
    return name


def _check_size(condition: list, size: int) -> None:
    try:
        low, high = int(condition[1]), int(condition[2])
    except (TypeError, ValueError):
        raise _invalid_policy(f"Invalid Policy condition: {json.dumps(condition)}") from None
    if size < low:
        raise PolicyError(400, "EntityTooSmall", ["file"],
                          f"Your proposed upload ({size} bytes) is smaller than the minimum allowed size ({low} bytes)")
    if size > high:
        raise PolicyError(400, "EntityTooLarge", ["file"],
                          f"Your proposed upload ({size} bytes) exceeds the maximum allowed size ({high} bytes)")
