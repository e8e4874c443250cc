"""The local stack's moto server (local.motopatches applied, in its own process) answers DynamoDB
transactions and queries exactly as stock moto does (in-process `mock_aws`, not patched), and moto's
model lists no longer keep dead objects alive."""
import gc
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from bench.moto_patches import TABLE
from local.motopatches import WeakTracked
from local.motoserver import MotoProcess

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
FLAT = {"TableName": "flat", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}


def s(value: str) -> dict:
    return {"S": value}


def _fill(dynamodb) -> None:
    dynamodb.create_table(**TABLE)
    dynamodb.create_table(**FLAT)
    for i in range(60):
        # Several partitions, items written out of order; ties on the index's sort key.
        item = {"pk": s(f"p{i % 4}"), "sk": s(f"{(i * 37) % 60:03d}"), "n": {"N": str(i)}}
        if i % 3:
            item |= {"lpk": s(f"l{i % 2}"), "lsk": s(f"{i // 5:02d}")}
        dynamodb.put_item(TableName="t", Item=item)
        dynamodb.put_item(TableName="flat", Item={"id": s(f"f{i}"), "n": {"N": str(i)}})


def _pages(dynamodb, **query) -> list:
    pages, start = [], None
    while True:
        answer = dynamodb.query(**query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append((answer["Items"], answer.get("LastEvaluatedKey")))
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages


def _error(call) -> tuple:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response.get("CancellationReasons")
    return None, None


def _script(dynamodb) -> list:
    """Queries and transactions, successful and failing; what each answered and what the table holds."""
    _fill(dynamodb)
    seen = []
    for forward in (True, False):
        for limit in (7, 100):
            seen.append(_pages(dynamodb, TableName="t", KeyConditionExpression="pk = :p", Limit=limit,
                               ExpressionAttributeValues={":p": s("p1")}, ScanIndexForward=forward))
            seen.append(_pages(dynamodb, TableName="t", IndexName="lists", Limit=limit, ScanIndexForward=forward,
                               KeyConditionExpression="lpk = :l AND lsk BETWEEN :a AND :b",
                               ExpressionAttributeValues={":l": s("l1"), ":a": s("02"), ":b": s("09")}))
    seen.append(_pages(dynamodb, TableName="t", KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
                       ExpressionAttributeValues={":p": s("p2"), ":b": s("01")}))
    seen.append(_pages(dynamodb, TableName="t", KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": s("absent")}))
    seen.append(_pages(dynamodb, TableName="flat", KeyConditionExpression="id = :i",
                       ExpressionAttributeValues={":i": s("f3")}))
    put_new = {"Put": {"TableName": "t", "Item": {"pk": s("new"), "sk": s("1"), "n": {"N": "1"}}}}
    update = {"Update": {"TableName": "t", "Key": {"pk": s("p0"), "sk": s("000")}, "UpdateExpression": "SET n = :n",
                         "ExpressionAttributeValues": {":n": {"N": "99"}}}}
    delete = {"Delete": {"TableName": "flat", "Key": {"id": s("f5")}}}
    failing = {"ConditionCheck": {"TableName": "flat", "Key": {"id": s("f6")}, "ConditionExpression": "n = :x",
                                  "ExpressionAttributeValues": {":x": {"N": "-1"}}}}
    # A failing action after writes: all of them rolled back.
    seen.append(_error(lambda: dynamodb.transact_write_items(TransactItems=[put_new, update, delete, failing])))
    seen.append([sorted(dynamodb.scan(TableName=table)["Items"], key=repr) for table in ("t", "flat")])
    # The same item twice: refused as a whole.
    seen.append(_error(lambda: dynamodb.transact_write_items(TransactItems=[update, update])))
    seen.append(_error(lambda: dynamodb.transact_write_items(TransactItems=[put_new, update, delete])))
    seen.append(_error(lambda: dynamodb.transact_write_items(TransactItems=[put_new | {
        "Put": {**put_new["Put"], "ConditionExpression": "attribute_not_exists(pk)"}}])))
    for table in ("t", "flat"):
        seen.append(sorted(dynamodb.scan(TableName=table)["Items"], key=repr))
    return seen


def _queue_script(sqs) -> list:
    """Messages sent, received in batches (some left to come back), deleted: what each receive gave."""
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    for start in range(0, 30, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"}
                                                      for i in range(start, start + 10)])
    seen = []
    for round_ in range(8):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=7, AttributeNames=["All"])
        messages = answer.get("Messages", [])
        seen.append(sorted(m["Body"] for m in messages))
        delete = [m for m in messages if round_ % 2 or int(m["Body"][1:]) % 2]
        if delete:
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for n, m in enumerate(delete)])
    seen.append(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"])
    # A send reads ContentBasedDeduplication: a FIFO queue with it drops a repeated body.
    fifo = sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true",
                                                             "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body in ("a", "b", "a"):
        sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId="g")
    attributes = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
    seen.append({name: value for name, value in attributes.items() if "Timestamp" not in name})
    return seen


@pytest.fixture(scope="module")
def patched_endpoint():
    server = MotoProcess()
    server.start()
    yield server.endpoint
    server.stop()


def test_patched_server_answers_queries_and_transactions_as_stock_moto(patched_endpoint):
    with mock_aws():
        expected = _script(boto3.client("dynamodb", **CREDENTIALS))
    actual = _script(boto3.client("dynamodb", endpoint_url=patched_endpoint, **CREDENTIALS))
    assert actual == expected
    codes = [code for code, _ in (expected[-7], *expected[-5:-2])]
    assert codes[0] == "TransactionCanceledException" and codes[1] is not None and codes[2] is None


def test_patched_server_receives_messages_as_stock_moto(patched_endpoint):
    with mock_aws():
        expected = _queue_script(boto3.client("sqs", **CREDENTIALS))
    actual = _queue_script(boto3.client("sqs", endpoint_url=patched_endpoint, **CREDENTIALS))
    assert actual == expected
    assert sum(len(bodies) for bodies in expected[:-2]) >= 30
    assert expected[-1]["ApproximateNumberOfMessages"] == "2"  # the repeated body dropped


def test_a_failed_transaction_leaves_every_item_it_named_as_it_was(patched_endpoint):
    dynamodb = boto3.client("dynamodb", endpoint_url=patched_endpoint, **CREDENTIALS)
    dynamodb.create_table(**{**FLAT, "TableName": "rollback"})
    dynamodb.put_item(TableName="rollback", Item={"id": s("a"), "n": {"N": "1"}})
    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": "rollback", "Key": {"id": s("a")}, "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "2"}}}},
            {"Put": {"TableName": "rollback", "Item": {"id": s("b")}}},
            {"Put": {"TableName": "rollback", "Item": {"id": s("c")}, "ConditionExpression": "attribute_exists(id)"}}])
    items = dynamodb.scan(TableName="rollback")["Items"]
    assert items == [{"id": s("a"), "n": {"N": "1"}}]


def test_weak_tracking_lists_live_objects_and_frees_the_rest():
    class Model:
        def __eq__(self, other):  # unhashable, as DynamoDB's Item is
            return self is other

    tracked = WeakTracked()
    models = [Model() for _ in range(100)]
    for model in models:
        tracked.append(model)
    tracked.append(7)  # takes no weak reference: left out, not an error
    kept = models[:3]
    del models, model
    gc.collect()
    assert len(tracked) == 3 and list(tracked) == kept


def test_moto_models_made_and_dropped_are_freed_once_patched():
    code = """
import gc
from local import motopatches
motopatches.apply()
from moto.dynamodb.models.dynamo_type import Item, DynamoType
items = [Item(DynamoType({"S": str(i)}), None, {"id": {"S": str(i)}}) for i in range(500)]
kept = items[:2]
del items
gc.collect()
from moto import backends
print(len(Item.instances_tracked), list(Item.instances_tracked) == kept,
      list(backends.list_of_moto_modules()) == sorted(backends.list_of_moto_modules.__closure__[0].cell_contents))
"""
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert answer.stdout.split() == ["2", "True", "True"]
