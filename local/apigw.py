"""API Gateway REST (payload 1.0) shapes: proxy and REQUEST-authorizer events, policy evaluation."""
from __future__ import annotations

import base64
import fnmatch
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl

from local.runtime import ACCOUNT, REGION

API_ID = "local"


@dataclass
class HttpRequest:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"


def _single_and_multi(pairs: list[tuple[str, str]]) -> tuple[dict | None, dict | None]:
    if not pairs:
        return None, None
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        multi.setdefault(key, []).append(value)
    return {k: v[-1] for k, v in multi.items()}, multi


def method_arn(stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{stage}/{method}{path}"


def new_request_id() -> str:
    """A request id in API Gateway's form (a UUID): requestContext.requestId and X-Request-Id."""
    return str(uuid.uuid4())


def _request_context(req: HttpRequest, resource: str, stage: str, request_id: str) -> dict:
    now = time.time()
    user_agent = next((v for k, v in req.headers if k.lower() == "user-agent"), None)
    return {
        "accountId": ACCOUNT,
        "apiId": API_ID,
        "domainName": "localhost",
        "domainPrefix": "localhost",
        "extendedRequestId": request_id,
        "httpMethod": req.method,
        "identity": {"sourceIp": req.source_ip, "userAgent": user_agent, "accessKey": None,
                     "accountId": None, "apiKey": None, "caller": None, "user": None, "userArn": None},
        "path": f"/{stage}{req.path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, resource).hex[:6],
        "resourcePath": resource,
        "stage": stage,
    }


def base_event(req: HttpRequest, resource: str, path_params: dict, stage: str, request_id: str | None = None) -> dict:
    headers, multi_headers = _single_and_multi(req.headers)
    query, multi_query = _single_and_multi(parse_qsl(req.query, keep_blank_values=True))
    return {
        "resource": resource,
        "path": req.path,
        "httpMethod": req.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": _request_context(req, resource, stage, request_id or new_request_id()),
    }


def authorizer_event(event: dict, stage: str) -> dict:
    auth = {k: v for k, v in event.items() if k not in ("body", "isBase64Encoded")}
    auth["type"] = "REQUEST"
    auth["methodArn"] = method_arn(stage, event["httpMethod"], event["path"])
    return auth


def proxy_event(event: dict, body: bytes, authorizer: dict | None) -> dict:
    proxy = dict(event)
    if not body:
        proxy["body"], proxy["isBase64Encoded"] = None, False
    else:
        try:
            proxy["body"], proxy["isBase64Encoded"] = body.decode("utf-8"), False
        except UnicodeDecodeError:
            proxy["body"], proxy["isBase64Encoded"] = base64.b64encode(body).decode(), True
    if authorizer is not None:
        proxy["requestContext"] = {**proxy["requestContext"], "authorizer": authorizer}
    return proxy


class AuthorizerError(Exception):
    """The authorizer's answer is not something API Gateway accepts (it answers 500)."""


def _statements(policy: dict) -> list[dict]:
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def evaluate_policy(response: dict, arn: str) -> tuple[bool, bool]:
    """(allowed, explicitly_denied) for this method ARN, the way IAM reads the returned policy."""
    if not isinstance(response, dict) or "policyDocument" not in response or "principalId" not in response:
        raise AuthorizerError("authorizer response needs principalId and policyDocument")
    allowed = denied = False
    for statement in _statements(response["policyDocument"]):
        if "execute-api:Invoke" not in _as_list(statement.get("Action")) and \
                "*" not in _as_list(statement.get("Action")):
            continue
        if any(fnmatch.fnmatchcase(arn, pattern) for pattern in _as_list(statement.get("Resource"))):
            if statement.get("Effect") == "Deny":
                denied = True
            elif statement.get("Effect") == "Allow":
                allowed = True
    return allowed and not denied, denied


def authorizer_context(response: dict) -> dict:
    """requestContext.authorizer: the returned context (values as strings, as API Gateway passes them)."""
    context = {}
    for key, value in (response.get("context") or {}).items():
        if isinstance(value, (dict, list)):
            raise AuthorizerError(f"authorizer context value {key!r} must be a string, number or boolean")
        context[key] = str(value).lower() if isinstance(value, bool) else str(value)
    context["principalId"] = str(response["principalId"])
    return context
