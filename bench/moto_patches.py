"""What local/motopatches.py changes in moto, stock against patched; prints a table and the ratios.

Each variant runs in a fresh process with in-process moto (the code the local stack's server runs),
on a queue holding a backlog and a table holding items, as a long catalogue run leaves them:

- SQS: filling the queue (SendMessageBatch of 10), one more SendMessageBatch and one ReceiveMessage
  of 10 with the backlog in place;
- DynamoDB: a TransactWriteItems of two puts, a Query by key and a Query on an index, with the items
  in place;
- memory: the model objects moto still lists after the run (`instances_tracked`: every item copy a
  read or a transaction made, unless patched) and the process's peak RSS.

Usage: python bench/moto_patches.py [--messages 1000] [--items 3000] [--repeat 10]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A key of two parts and an index of two, as the service's table has (tests/unit/test_motopatches.py too).
TABLE = {"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
         "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "lpk", "lsk")],
         "GlobalSecondaryIndexes": [{"IndexName": "lists", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "lpk", "KeyType": "HASH"},
                                                   {"AttributeName": "lsk", "KeyType": "RANGE"}]}]}


def _timed(call, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) / repeat * 1000


def measure(patched: bool, messages: int, items: int, repeat: int) -> dict:
    import boto3
    from moto import mock_aws

    if patched:
        from local import motopatches
        motopatches.apply()
    figures = {}
    with mock_aws():
        credentials = {"region_name": "us-east-1"}
        sqs = boto3.client("sqs", **credentials)
        url = sqs.create_queue(QueueName="q")["QueueUrl"]

        def batch():
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "m" * 300} for i in range(10)])

        started = time.perf_counter()
        for _ in range(messages // 10):
            batch()
        figures["fill the queue (s)"] = time.perf_counter() - started
        figures["SendMessageBatch behind the backlog (ms)"] = _timed(batch, repeat)
        figures["ReceiveMessage of 10 behind the backlog (ms)"] = _timed(
            lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600), repeat)

        dynamodb = boto3.client("dynamodb", **credentials)
        dynamodb.create_table(**TABLE)
        for i in range(items):
            dynamodb.put_item(TableName="t", Item={"pk": {"S": f"p{i % 500}"}, "sk": {"S": f"{i:06d}"},
                                                   "lpk": {"S": f"l{i % 7}"}, "lsk": {"S": f"{i:06d}"},
                                                   "data": {"S": "d" * 200}})
        counter = iter(range(10**9))

        def transaction():
            n = next(counter)
            dynamodb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "t", "Item": {"pk": {"S": f"new{n}"}, "sk": {"S": "a"}}}},
                {"Put": {"TableName": "t", "Item": {"pk": {"S": f"new{n}"}, "sk": {"S": "b"}}}}])

        figures["TransactWriteItems of 2 puts (ms)"] = _timed(transaction, repeat)
        figures["Query by key (ms)"] = _timed(lambda: dynamodb.query(
            TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p7"}}), repeat)
        figures["Query on an index, 20 items (ms)"] = _timed(lambda: dynamodb.query(
            TableName="t", IndexName="lists", Limit=20, KeyConditionExpression="lpk = :p",
            ExpressionAttributeValues={":p": {"S": "l3"}}), repeat)

        from moto.core.model_instances import model_data
        figures["model objects moto still lists"] = sum(
            len(model.instances_tracked) for models in model_data.values() for model in models.values())
    figures["peak RSS (MB)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000, help="the queue's backlog (1000)")
    parser.add_argument("--items", type=int, default=3000, help="the table's items (3000)")
    parser.add_argument("--repeat", type=int, default=10, help="calls timed per figure (10)")
    parser.add_argument("--variant", choices=("stock", "patched"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure(args.variant == "patched", args.messages, args.items, args.repeat)))
        return
    results = {}
    for variant in ("stock", "patched"):
        answer = subprocess.run([sys.executable, __file__, "--variant", variant, "--messages", str(args.messages),
                                 "--items", str(args.items), "--repeat", str(args.repeat)],
                                capture_output=True, text=True, check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT),
                                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                "PATH": "/usr/bin:/bin"})
        results[variant] = json.loads(answer.stdout)
    print(f"moto stock vs local/motopatches.py: a backlog of {args.messages} messages, a table of {args.items} "
          f"items, {args.repeat} calls per figure")
    width = max(map(len, results["stock"]))
    print(f"{'measure':<{width}}  {'stock':>10}  {'patched':>10}  stock/patched")
    for name, stock in results["stock"].items():
        patched = results["patched"][name]
        ratio = f"{stock / patched:.1f}x" if patched else "-"
        print(f"{name:<{width}}  {stock:>10.1f}  {patched:>10.1f}  {ratio}")


if __name__ == "__main__":
    main()
