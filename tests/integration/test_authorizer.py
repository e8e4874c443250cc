"""The REQUEST authorizer: which keys pass, what context the handlers get, what API Gateway sees."""
from __future__ import annotations

import pytest

from imagegraphics.service import auth
from local import apigw
from local.template import load_template

KEY = "local-dev-key"


@pytest.fixture
def keyed(stack):
    stack.key("dev", KEY, scopes=("jobs:read", "jobs:write"))
    return stack


@pytest.mark.parametrize("event", ["authorizer_request_bearer", "authorizer_request_filespin_header"])
def test_known_key_is_allowed_with_tenant_and_scopes(keyed, event):
    answer = keyed.invoke("authorizer", keyed.event(event))
    assert answer["principalId"] == "dev"
    assert answer["context"] == {"tenant": "dev", "scopes": "jobs:read jobs:write"}
    # One answer serves every route: what a key may do depends only on the key.
    for method, path in [("GET", "/api/v1/assets/abc"), ("POST", "/api/v1/assets/addons/image_graphics")]:
        arn = f"arn:aws:execute-api:us-east-1:123456789012:abc123defg/prod/{method}{path}"
        assert apigw.evaluate_policy(answer, arn) == (True, False)


def test_header_names_are_case_insensitive(keyed):
    event = keyed.event("authorizer_request_filespin_header")
    event["headers"] = {"x-filespin-api-key": KEY}
    assert keyed.invoke("authorizer", event)["context"]["tenant"] == "dev"
    event["headers"] = {"AUTHORIZATION": f"bearer {KEY}"}
    assert keyed.invoke("authorizer", event)["context"]["tenant"] == "dev"


def test_unknown_key_is_unauthorized(keyed):
    with pytest.raises(Exception, match="^Unauthorized$"):
        keyed.invoke("authorizer", keyed.event("authorizer_request_unknown_key"))


@pytest.mark.parametrize("headers", [{}, None, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"},
                                     {"X-FileSpin-Api-Key": ""}])
def test_missing_key_is_unauthorized(keyed, headers):
    event = keyed.event("authorizer_request_bearer")
    event["headers"] = headers
    with pytest.raises(Exception, match="^Unauthorized$"):
        keyed.invoke("authorizer", event)


def test_context_is_what_the_gateway_passes_to_handlers(keyed):
    answer = keyed.invoke("authorizer", keyed.event("authorizer_request_bearer"))
    assert apigw.authorizer_context(answer) == {"tenant": "dev", "scopes": "jobs:read jobs:write",
                                                "principalId": "dev"}


def test_the_authorizer_says_what_the_template_caches():
    [authorizer] = load_template()["Resources"]["Api"]["Properties"]["Auth"]["Authorizers"].values()
    assert authorizer["Identity"]["ReauthorizeEvery"] == 0  # no gateway cache: only PrincipalCache
    assert "ReauthorizeEvery: 0" in auth.authorize.__doc__ and "caches the answer per key" not in auth.authorize.__doc__
