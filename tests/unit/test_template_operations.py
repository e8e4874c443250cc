"""template.yaml gives operators access logs, CORS, traceable errors and one metric namespace."""
import json
import re
from pathlib import Path

from local.resources import ROOT, load_template
from local.template import parse_api

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
PARAMETERS = TEMPLATE["Parameters"]
API = RESOURCES["Api"]["Properties"]
VARIABLES = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]


def test_the_stage_writes_json_access_logs_with_the_request_id_caller_and_tenant():
    setting = API["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    # Every $context variable stands alone in a string, so the line stays JSON whatever its value.
    fields = json.loads(re.sub(r"\$context\.[A-Za-z.]+", "v", setting["Format"]))
    assert set(fields) >= {"requestId", "ip", "caller", "requestTime", "httpMethod", "resourcePath", "status",
                           "protocol", "responseLength", "principal", "tenant"}
    assert "$context.requestId" in setting["Format"] and "$context.authorizer.tenant" in setting["Format"]
    group = RESOURCES["ApiAccessLogGroup"]["Properties"]
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_account_logging_role_is_optional_retained_and_ordered_before_the_stage():
    assert PARAMETERS["CreateApiGatewayLoggingRole"]["AllowedValues"] == ["true", "false"]
    condition = TEMPLATE["Conditions"]["CreatesApiGatewayLoggingRole"]
    assert condition == {"Fn::Equals": [{"Ref": "CreateApiGatewayLoggingRole"}, "true"]}
    role, account = RESOURCES["ApiGatewayLoggingRole"], RESOURCES["ApiGatewayAccount"]
    for resource in (role, account):
        assert resource["Condition"] == "CreatesApiGatewayLoggingRole"
        # Account-wide: deleting the stack must not leave the account naming a deleted role.
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"}
    assert "AmazonAPIGatewayPushToCloudWatchLogs" in role["Properties"]["ManagedPolicyArns"][0]["Fn::Sub"]
    assert account["Properties"]["CloudWatchRoleArn"] == {"Fn::GetAtt": ["ApiGatewayLoggingRole", "Arn"]}
    assert RESOURCES["Api"]["DependsOn"] == "ApiGatewayLoggingReady"
    ready = RESOURCES["ApiGatewayLoggingReady"]["Metadata"]["AccountSetting"]
    assert ready == {"Fn::If": ["CreatesApiGatewayLoggingRole", {"Ref": "ApiGatewayAccount"}, ""]}


def test_cors_answers_the_preflight_without_the_authorizer_from_the_origin_parameter():
    cors = API["Cors"]
    assert cors["AllowOrigin"] == {"Fn::Sub": "'${CorsAllowedOrigin}'"}
    assert set(cors["AllowHeaders"].strip("'").split(",")) >= {"Authorization", "X-FileSpin-Api-Key",
                                                                "Content-Type"}
    assert API["Auth"]["AddDefaultAuthorizerToCorsPreflight"] is False
    # The same origin for the functions' own answers and for the bucket's upload form (which the /app
    # page's origin may also use: test_the_bucket_lets_the_app_page_upload_and_read_results).
    assert VARIABLES["CORS_ALLOW_ORIGIN"] == {"Ref": "CorsAllowedOrigin"}
    rules = RESOURCES["Bucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert all(rule["AllowedOrigins"][0] == {"Ref": "CorsAllowedOrigin"} for rule in rules)
    pattern = re.compile(PARAMETERS["CorsAllowedOrigin"]["AllowedPattern"])
    assert pattern.match("*") and pattern.match("https://app.example.com") and pattern.match("http://localhost:5173")
    assert not pattern.match("https://a.example, https://b.example") and not pattern.match("app.example.com")


def test_every_gateway_response_carries_the_cors_origin_and_the_error_body_with_the_request_id():
    responses = API["GatewayResponses"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED"} <= set(responses)
    for kind, response in responses.items():
        headers = response["ResponseParameters"]["Headers"]
        assert headers["Access-Control-Allow-Origin"] == {"Fn::Sub": "'${CorsAllowedOrigin}'"}, kind
        template = response["ResponseTemplates"]["application/json"]
        body = json.loads(template.replace("$context.error.messageString", '"m"').replace("$context.requestId", "r"))
        assert set(body) == {"message", "errors", "request_id"} and body["request_id"] == "r", kind
    assert responses["THROTTLED"]["ResponseParameters"]["Headers"]["Retry-After"] == "'1'"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"


def test_the_metric_namespace_is_a_parameter_given_to_every_function():
    assert VARIABLES["POWERTOOLS_METRICS_NAMESPACE"] == {"Ref": "MetricsNamespace"}
    assert PARAMETERS["MetricsNamespace"]["Default"]
    # No function overrides it, and no code names a namespace of its own.
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::Serverless::Function":
            variables = resource["Properties"].get("Environment", {}).get("Variables", {})
            assert "POWERTOOLS_METRICS_NAMESPACE" not in variables, name
    sources = [*ROOT.glob("functions/*/app.py"), *(ROOT / "layers/common/imagegraphics").rglob("*.py")]
    literal = re.compile(r"""["']%s["']""" % re.escape(PARAMETERS["MetricsNamespace"]["Default"]))
    for source in sources:
        assert not literal.search(Path(source).read_text()), source


def test_the_local_stack_reads_cors_and_gateway_responses_from_the_template():
    api = parse_api(TEMPLATE)
    assert api.cors is not None and api.cors.allow_origin == PARAMETERS["CorsAllowedOrigin"]["Default"]
    assert api.cors.allow_headers == API["Cors"]["AllowHeaders"].strip("'")
    unauthorized = api.gateway_responses["UNAUTHORIZED"]
    assert unauthorized.status == 401
    assert unauthorized.template == API["GatewayResponses"]["UNAUTHORIZED"]["ResponseTemplates"]["application/json"]
    assert ("Access-Control-Allow-Origin", PARAMETERS["CorsAllowedOrigin"]["Default"]) in unauthorized.headers


def test_every_function_starts_without_searching_for_pydantic_plugins():
    assert VARIABLES["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::Serverless::Function":
            own = resource["Properties"].get("Environment", {}).get("Variables", {})
            assert "PYDANTIC_DISABLE_PLUGINS" not in own, name
