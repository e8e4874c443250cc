"""template.yaml is wired the way the handlers and the local stack expect."""
import ast
import json
from urllib.parse import unquote_plus

import boto3
import pytest

from local.resources import ROOT, load_template, resources_of_type

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
GLOBAL_FUNCTION = TEMPLATE["Globals"]["Function"]
FUNCTIONS = {name: res for name, res in RESOURCES.items() if res["Type"] == "AWS::Serverless::Function"}
ZIP_FUNCTIONS = {n: r for n, r in FUNCTIONS.items() if r["Properties"].get("PackageType", "Zip") == "Zip"}


def _timeout(function: dict) -> int:
    return int(function["Properties"].get("Timeout", GLOBAL_FUNCTION["Timeout"]))


def _target(ref: dict) -> str:
    value = ref.get("Fn::GetAtt") or ref.get("Ref")
    return value[0] if isinstance(value, list) else value


def _sqs_sources():
    for name, function in FUNCTIONS.items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                yield name, function, event["Properties"]


def test_every_service_function_is_declared():
    assert set(FUNCTIONS) == {"AuthorizerFunction", "AssetsFunction", "SubmitFunction", "StatusFunction",
                              "IngestFunction", "ProcessorFunction", "DeadLetterFunction", "OpenApiFunction",
                              "TenantFunction", "WebhookFunction", "FetchFunction"}


@pytest.mark.parametrize("name", sorted(ZIP_FUNCTIONS))
def test_zip_function_code_and_handler_exist(name):
    props = ZIP_FUNCTIONS[name]["Properties"]
    module, attribute = props["Handler"].rsplit(".", 1)
    source = ROOT / props["CodeUri"] / f"{module}.py"
    assert source.is_file(), f"{name}: {source} is missing"
    tree = ast.parse(source.read_text())
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    assert attribute in defined, f"{name}: {attribute} not defined in {source}"


def test_processor_is_an_image_built_from_the_repository_root():
    processor = RESOURCES["ProcessorFunction"]
    assert processor["Properties"]["PackageType"] == "Image"
    assert set(processor["IgnoreGlobals"]) >= {"Runtime", "Layers"}
    dockerfile = ROOT / processor["Metadata"]["DockerContext"] / processor["Metadata"]["Dockerfile"]
    assert dockerfile.is_file()
    assert processor["Properties"]["ImageConfig"]["Command"] == ["app.lambda_handler"]


def test_layer_is_the_shared_package():
    layer = RESOURCES["CommonLayer"]
    assert (ROOT / layer["Properties"]["ContentUri"] / "imagegraphics" / "__init__.py").is_file()
    assert (ROOT / layer["Properties"]["ContentUri"] / "requirements.txt").is_file()
    assert layer["Metadata"]["BuildMethod"] == GLOBAL_FUNCTION["Runtime"] == "python3.12"


def test_queue_consumers_report_partial_failures_and_visibility_is_six_timeouts():
    queues = resources_of_type(TEMPLATE, "AWS::SQS::Queue")
    consumed = set()
    for name, function, source in _sqs_sources():
        queue = _target(source["Queue"])
        consumed.add(queue)
        assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
        assert int(queues[queue]["VisibilityTimeout"]) >= 6 * _timeout(function), (name, queue)
    assert consumed == {"JobsQueue", "IngestQueue", "JobsDeadLetterQueue", "WebhookQueue", "FetchQueue"}


def test_work_queues_redrive_to_their_dead_letter_queues_after_three_receives():
    queues = resources_of_type(TEMPLATE, "AWS::SQS::Queue")
    redrive = {name: p["RedrivePolicy"] for name, p in queues.items() if "RedrivePolicy" in p}
    assert {n: _target(r["deadLetterTargetArn"]) for n, r in redrive.items()} == {
        "JobsQueue": "JobsDeadLetterQueue", "IngestQueue": "IngestDeadLetterQueue",
        "WebhookQueue": "WebhookDeadLetterQueue", "FetchQueue": "FetchDeadLetterQueue"}
    # Webhooks get five attempts (with backoff, over about an hour): see test_webhook_* below.
    assert all(int(r["maxReceiveCount"]) == 3 for n, r in redrive.items() if n != "WebhookQueue")
    assert all(p.get("SqsManagedSseEnabled") is True for p in queues.values())


def test_each_dead_letter_queue_has_a_depth_alarm():
    alarms = resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm").values()
    watched = {_target(a["Dimensions"][0]["Value"]) for a in alarms
               if a["MetricName"] == "ApproximateNumberOfMessagesVisible"}
    assert watched == {"JobsDeadLetterQueue", "IngestDeadLetterQueue", "WebhookDeadLetterQueue", "FetchDeadLetterQueue"}


def test_bucket_is_private_encrypted_and_notifies_ingest_of_uploads_and_of_removed_asset_files():
    bucket = RESOURCES["Bucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    notifications = bucket["NotificationConfiguration"]["QueueConfigurations"]
    assert all(_target(n["Queue"]) == "IngestQueue" for n in notifications)
    events = {(n["Event"], rule["Value"]) for n in notifications for rule in n["Filter"]["S3Key"]["Rules"]
              if rule["Name"] == "prefix"}
    # Uploads of originals; removal of an asset's file, original or job-made (never conversions/).
    assert events == {("s3:ObjectCreated:*", "incoming/"), ("s3:ObjectRemoved:*", "incoming/"),
                      ("s3:ObjectRemoved:*", "generated/")}
    assert RESOURCES["Bucket"]["DependsOn"] == "IngestQueuePolicy"


@pytest.mark.parametrize("name", ["IngestFunction", "ProcessorFunction"])
def test_functions_that_read_asset_files_may_list_the_bucket_so_a_missing_file_is_a_404(name):
    statements = [s for policy in FUNCTIONS[name]["Properties"]["Policies"] if "Statement" in policy
                  for s in policy["Statement"]]
    listing = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert listing and all(s["Effect"] == "Allow" for s in listing)


def test_tables_are_on_demand_encrypted_and_expire_records():
    table, idempotency = RESOURCES["Table"]["Properties"], RESOURCES["IdempotencyTable"]["Properties"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert table["TimeToLiveSpecification"]["AttributeName"] == "expires_at"
    assert idempotency["TimeToLiveSpecification"]["AttributeName"] == "expiration"
    for props in (table, idempotency):
        assert props["BillingMode"] == "PAY_PER_REQUEST" and props["SSESpecification"]["SSEEnabled"] is True


def test_every_route_is_behind_the_key_authorizer():
    auth = RESOURCES["Api"]["Properties"]["Auth"]
    authorizer = auth["Authorizers"][auth["DefaultAuthorizer"]]
    assert authorizer["FunctionPayloadType"] == "REQUEST"
    assert _target(authorizer["FunctionArn"]) == "AuthorizerFunction"
    # No identity headers: either of the two key headers must reach the authorizer.
    assert "Headers" not in authorizer["Identity"] and authorizer["Identity"]["ReauthorizeEvery"] == 0
    routes = {(e["Properties"]["Method"].upper(), e["Properties"]["Path"])
              for f in FUNCTIONS.values() for e in f["Properties"].get("Events", {}).values() if e["Type"] == "Api"}
    assert routes == {("POST", "/api/v1/assets"), ("GET", "/api/v1/assets/{asset_id}"),
                      ("GET", "/api/v1/assets"), ("DELETE", "/api/v1/assets/{asset_id}"),
                      ("GET", "/api/v1/assets/addons/image_graphics/jobs"),
                      ("POST", "/api/v1/assets/addons/image_graphics"),
                      ("POST", "/api/v1/assets/addons/image_graphics/validate"),
                      ("GET", "/api/v1/assets/addons/image_graphics/jobs/{job_id}"),
                      ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs"),
                      ("GET", "/api/v1/docs/{digest}/{name}"),
                      ("PUT", "/api/v1/recipes/{name}"), ("GET", "/api/v1/recipes/{name}"),
                      ("DELETE", "/api/v1/recipes/{name}"), ("GET", "/api/v1/recipes"),
                      ("GET", "/api/v1/webhooks/secret"), ("POST", "/api/v1/webhooks/secret/rotate")}
    for f in FUNCTIONS.values():
        for e in f["Properties"].get("Events", {}).values():
            if e["Type"] == "Api" and e["Properties"]["Path"] not in PUBLIC_ROUTES:
                assert "Auth" not in e["Properties"]


# The API's description: its document, and the reference page rendering it with the page's files.
PUBLIC_ROUTES = ("/api/v1/openapi.json", "/api/v1/docs", "/api/v1/docs/{digest}/{name}")


def test_only_the_openapi_document_and_its_page_are_served_without_a_key():
    public = {e["Properties"]["Path"]: (name, e["Properties"]["Auth"]) for name, f in FUNCTIONS.items()
              for e in f["Properties"].get("Events", {}).values() if e["Type"] == "Api" and "Auth" in e["Properties"]}
    assert public == {path: ("OpenApiFunction", {"Authorizer": "NONE"}) for path in PUBLIC_ROUTES}
    function = RESOURCES["OpenApiFunction"]["Properties"]
    assert (ROOT / function["CodeUri"] / "openapi.json").is_file()
    assert "Policies" not in function  # it reads files shipped with its code, nothing else


def test_the_api_answers_every_page_file_as_text():
    # API Gateway passes a function's body through as text unless the API lists its media type (or the
    # request's Accept) as binary; the docs page's files are all text, and must reach browsers as such.
    assert "BinaryMediaTypes" not in RESOURCES["Api"]["Properties"]
    assert "BinaryMediaTypes" not in TEMPLATE["Globals"].get("Api", {})


def test_settings_variables_are_set_for_every_function():
    variables = GLOBAL_FUNCTION["Environment"]["Variables"]
    for name in ("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "BUCKET_NAME", "JOBS_QUEUE_URL", "MAX_UPLOAD_BYTES",
                 "MAX_PIXELS", "MAX_SIDE", "URL_EXPIRY_SECONDS", "JOB_TTL_DAYS"):
        assert name in variables


def test_resources_module_creates_what_the_template_declares(aws_resources):
    assert set(aws_resources["tables"]) == set(resources_of_type(TEMPLATE, "AWS::DynamoDB::Table"))
    assert set(aws_resources["queues"]) == set(resources_of_type(TEMPLATE, "AWS::SQS::Queue"))
    assert aws_resources["refs"]["MaxUploadBytes"] == str(TEMPLATE["Parameters"]["MaxUploadBytes"]["Default"])


def test_local_queues_carry_the_templates_timeouts_and_redrive(aws_resources):
    sqs = boto3.client("sqs", region_name="us-east-1")
    attributes = sqs.get_queue_attributes(QueueUrl=aws_resources["JOBS_QUEUE_URL"], AttributeNames=["All"])
    attributes = attributes["Attributes"]
    assert attributes["VisibilityTimeout"] == str(RESOURCES["JobsQueue"]["Properties"]["VisibilityTimeout"])
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith("JobsDeadLetterQueue") and redrive["maxReceiveCount"] == 3


def test_local_bucket_sends_only_uploads_to_the_ingest_queue(aws_resources):
    s3, sqs = boto3.client("s3", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")
    s3.put_object(Bucket=aws_resources["BUCKET_NAME"], Key="generated/x.png", Body=b"x")
    s3.put_object(Bucket=aws_resources["BUCKET_NAME"], Key="incoming/abc", Body=b"x")
    messages = sqs.receive_message(QueueUrl=aws_resources["INGEST_QUEUE_URL"], MaxNumberOfMessages=10)["Messages"]
    bodies = [json.loads(m["Body"]) for m in messages]
    # Keys arrive URL-encoded (moto even encodes "/"): readers must unquote_plus them.
    keys = [unquote_plus(r["s3"]["object"]["key"]) for b in bodies for r in b.get("Records", [])]
    assert keys == ["incoming/abc"]
    # S3 also sends one s3:TestEvent (no "Records") when the notification is configured.
    assert [b.get("Event") for b in bodies if "Records" not in b] == ["s3:TestEvent"]


def test_local_table_has_ttl_on_expires_at(aws_resources):
    ttl = boto3.client("dynamodb", region_name="us-east-1").describe_time_to_live(
        TableName=aws_resources["TABLE_NAME"])["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_work_queues_keep_messages_fourteen_days():
    for name in ("JobsQueue", "IngestQueue", "JobsDeadLetterQueue", "IngestDeadLetterQueue"):
        assert RESOURCES[name]["Properties"]["MessageRetentionPeriod"] == 1209600, name


def test_the_api_declares_its_openapi_version_so_sam_makes_no_stray_stage():
    assert TEMPLATE["Globals"]["Api"]["OpenApiVersion"] == "3.0.1"


def test_the_authorizer_may_only_get_items_from_the_table():
    policies = RESOURCES["AuthorizerFunction"]["Properties"]["Policies"]
    statements = [s for p in policies for s in p.get("Statement", [])]
    assert [s["Action"] for s in statements] == ["dynamodb:GetItem"]
    assert all("DynamoDBReadPolicy" not in p and "DynamoDBCrudPolicy" not in p for p in policies)


def test_every_function_has_a_log_group_with_the_retention_parameter():
    groups = {name: res["Properties"] for name, res in RESOURCES.items() if res["Type"] == "AWS::Logs::LogGroup"}
    named = {props["LogGroupName"]["Fn::Sub"] for props in groups.values()}
    assert named - {"/aws/apigateway/${AWS::StackName}-access"} == {f"/aws/lambda/${{{name}}}" for name in FUNCTIONS}
    assert all(props["RetentionInDays"] == {"Ref": "LogRetentionDays"} for props in groups.values())
    assert TEMPLATE["Parameters"]["LogRetentionDays"]["Default"] == 30


def test_the_api_stage_is_throttled_by_parameters():
    [setting] = RESOURCES["Api"]["Properties"]["MethodSettings"]
    assert (setting["ResourcePath"], setting["HttpMethod"]) == ("/*", "*")
    assert setting["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}


ALARMS = resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm")


def _watched(metric: str) -> set[str]:
    return {_target(a["Dimensions"][0]["Value"]) for a in ALARMS.values() if a["MetricName"] == metric}


def test_every_function_has_an_errors_and_a_throttles_alarm():
    assert _watched("Errors") == set(FUNCTIONS) == _watched("Throttles")


def test_the_api_5xx_and_the_work_queues_oldest_message_are_watched():
    [api] = [a for a in ALARMS.values() if a["MetricName"] == "5XXError"]
    assert api["Dimensions"][0]["Value"] == RESOURCES["Api"]["Properties"]["Name"]
    assert api["Dimensions"][1]["Value"] == {"Ref": "Stage"}
    assert _watched("ApproximateAgeOfOldestMessage") == {"JobsQueue", "IngestQueue", "FetchQueue"}


def test_every_alarm_notifies_the_stacks_topic_and_an_email_may_subscribe():
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in ALARMS.values())
    assert RESOURCES["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert TEMPLATE["Parameters"]["AlarmEmail"]["Default"] == ""


def test_the_dashboard_is_valid_json_and_shows_the_metrics_the_code_emits():
    import re

    from imagegraphics import observability

    body, variables = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    assert set(variables) == {"Processor", "Jobs", "Ingest"}
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    shown = {tuple(m[:2]) for w in widgets for m in w["properties"]["metrics"]}
    for name in (observability.JOBS_SUBMITTED, observability.ASSETS_PROCESSED, observability.ASSETS_FAILED):
        assert ("x", name) in shown  # under ${MetricsNamespace}, the namespace the functions are given
    assert body.count('"${MetricsNamespace}"') == len([m for w in widgets for m in w["properties"]["metrics"]
                                                       if not m[0].startswith("AWS/")])
    assert {("AWS/Lambda", "Duration"), ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
            ("AWS/SQS", "ApproximateAgeOfOldestMessage")} <= shown


def test_webhook_attempts_match_the_queues_redrive_and_the_backoff_fits_an_hour():
    from imagegraphics.service.webhooks import BACKOFF_SECONDS

    receives = int(RESOURCES["WebhookQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"])
    variables = FUNCTIONS["WebhookFunction"]["Properties"]["Environment"]["Variables"]
    assert int(variables["WEBHOOK_MAX_ATTEMPTS"]) == receives == 5
    assert len(BACKOFF_SECONDS) == receives - 1 and 45 * 60 <= sum(BACKOFF_SECONDS) <= 90 * 60
    assert all(s <= 12 * 3600 for s in BACKOFF_SECONDS)  # SQS's longest visibility timeout


def _statements(name: str) -> list[dict]:
    return [s for p in FUNCTIONS[name]["Properties"].get("Policies", []) for s in p.get("Statement", [])]


def _sends_to(name: str) -> set[str]:
    return {_target(p["SQSSendMessagePolicy"]["QueueName"])
            for p in FUNCTIONS[name]["Properties"].get("Policies", []) if "SQSSendMessagePolicy" in p}


def test_every_function_that_may_finish_a_job_may_queue_its_webhook_and_only_that():
    assert {name for name in FUNCTIONS if "WebhookQueue" in _sends_to(name)} == {
        "SubmitFunction", "IngestFunction", "ProcessorFunction", "DeadLetterFunction"}
    assert _sends_to("IngestFunction") == {"JobsQueue", "WebhookQueue"}  # a recipe's job
    assert _sends_to("WebhookFunction") == set() and _sends_to("TenantFunction") == set()


def test_the_webhook_function_may_only_delay_its_own_queue_read_objects_and_update_the_table():
    actions = {(json.dumps(s["Action"]), json.dumps(s["Resource"])) for s in _statements("WebhookFunction")}
    table = json.dumps({"Fn::GetAtt": ["Table", "Arn"]})
    actions.remove((json.dumps(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
                    table))  # no Scan, no DeleteItem
    assert all("DynamoDB" not in name for p in FUNCTIONS["WebhookFunction"]["Properties"]["Policies"] for name in p)
    assert actions == {('"s3:GetObject"', json.dumps({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"})),
                       ('"sqs:ChangeMessageVisibility"', json.dumps({"Fn::GetAtt": ["WebhookQueue", "Arn"]}))}
    [source] = [e["Properties"] for e in FUNCTIONS["WebhookFunction"]["Properties"]["Events"].values()]
    assert source["BatchSize"] == 1 and _timeout(FUNCTIONS["WebhookFunction"]) >= 10 + 2


def test_uploads_that_never_turn_ready_expire_by_the_tag_ingest_removes():
    from imagegraphics.stores.blobs import UNVERIFIED_TAG

    rules = RESOURCES["Bucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    [rule] = [r for r in rules if r["Id"] == "ExpireUnreadyUploads"]
    assert rule["Status"] == "Enabled" and rule["Prefix"] == "incoming/"
    assert rule["TagFilters"] == [{"Key": UNVERIFIED_TAG[0], "Value": UNVERIFIED_TAG[1]}]
    assert rule["ExpirationInDays"] == {"Ref": "UnreadyUploadRetentionDays"}
    assert TEMPLATE["Parameters"]["UnreadyUploadRetentionDays"]["Default"] == 7


def test_the_fetch_function_retries_as_often_as_its_queue_redelivers():
    fetch = FUNCTIONS["FetchFunction"]["Properties"]
    queue = RESOURCES["FetchQueue"]["Properties"]
    assert int(fetch["Environment"]["Variables"]["FETCH_MAX_ATTEMPTS"]) == int(queue["RedrivePolicy"]["maxReceiveCount"])
    # The whole fetch (one deadline) fits in the function's time, with room to store the image.
    assert int(fetch["Environment"]["Variables"]["URL_FETCH_SECONDS"]) * 2 <= int(fetch["Timeout"])
