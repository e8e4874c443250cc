"""The local AWS endpoint counts each request by service, operation and table/queue/bucket
(bench/scale.py reads the counts at GET /_local/aws-calls)."""
import io
import json

from local.motoserver import CALLS_PATH, CallCounter, describe_call

SCOPE = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=x"


def _json_call(service: str, target: str, body: dict) -> dict:
    data = json.dumps(body).encode()
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "HTTP_AUTHORIZATION": SCOPE.format(service),
            "HTTP_X_AMZ_TARGET": target, "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data)}


def test_json_calls_are_named_by_target_and_the_table_or_queue_in_their_body():
    environ = _json_call("dynamodb", "DynamoDB_20120810.PutItem", {"TableName": "t", "Item": {}})
    assert describe_call(environ) == ("dynamodb", "PutItem", "t")
    assert json.loads(environ["wsgi.input"].read()) == {"TableName": "t", "Item": {}}  # put back for moto
    queue = _json_call("sqs", "AmazonSQS.ReceiveMessage", {"QueueUrl": "http://h/123456789012/jobs"})
    assert describe_call(queue) == ("sqs", "ReceiveMessage", "jobs")
    batch = _json_call("dynamodb", "DynamoDB_20120810.BatchGetItem", {"RequestItems": {"b": {}, "a": {}}})
    assert describe_call(batch) == ("dynamodb", "BatchGetItem", "a,b")
    transaction = _json_call("dynamodb", "DynamoDB_20120810.TransactWriteItems",
                             {"TransactItems": [{"Put": {"TableName": "t"}}, {"Update": {"TableName": "t"}}]})
    assert describe_call(transaction) == ("dynamodb", "TransactWriteItems", "t")


def test_s3_calls_are_named_by_method_and_whether_they_name_an_object():
    signed = {"HTTP_AUTHORIZATION": SCOPE.format("s3"), "QUERY_STRING": ""}
    assert describe_call({**signed, "REQUEST_METHOD": "GET", "PATH_INFO": "/bucket/conversions/a.png"}) == (
        "s3", "GetObject", "bucket")
    assert describe_call({**signed, "REQUEST_METHOD": "PUT", "PATH_INFO": "/bucket/k"}) == ("s3", "PutObject", "bucket")
    assert describe_call({**signed, "REQUEST_METHOD": "GET", "PATH_INFO": "/bucket"}) == ("s3", "ListObjects", "bucket")
    assert describe_call({**signed, "REQUEST_METHOD": "POST", "PATH_INFO": "/bucket", "QUERY_STRING": "delete"}) == (
        "s3", "DeleteObjects", "bucket")
    presigned = {"REQUEST_METHOD": "GET", "PATH_INFO": "/bucket/k",
                 "QUERY_STRING": "X-Amz-Credential=testing%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x"}
    assert describe_call(presigned) == ("s3", "GetObject", "bucket")


def test_the_counter_answers_its_counts_and_passes_everything_else_to_moto():
    seen = []

    def moto(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"ok"]

    app = CallCounter(moto)
    environ = _json_call("dynamodb", "DynamoDB_20120810.GetItem", {"TableName": "t"})
    for _ in range(3):
        environ["wsgi.input"].seek(0)
        assert app(dict(environ), lambda *a: None) == [b"ok"]
    answer = app({"PATH_INFO": CALLS_PATH, "REQUEST_METHOD": "GET"}, lambda *a: None)
    [row] = json.loads(b"".join(answer))
    assert (row["service"], row["operation"], row["resource"], row["count"]) == ("dynamodb", "GetItem", "t", 3)
    assert seen == ["/", "/", "/"]
