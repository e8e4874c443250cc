"""Create an API key for a tenant and print it once (only its SHA-256 hash is stored).

    python -m tools.apikey --tenant acme [--scope assets:read ...] [--table NAME] [--endpoint-url URL]

The table defaults to TABLE_NAME, or to the TableName output of the deployed stack `--stack`.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace

from imagegraphics.settings import Settings
from imagegraphics.stores import aws
from imagegraphics.stores.keys import DEFAULT_SCOPES, ApiKeyStore


def _stack_table(stack: str, settings: Settings) -> str:
    outputs = aws.client("cloudformation", settings).describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    return next(o["OutputValue"] for o in outputs if o["OutputKey"] == "TableName")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.apikey", description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--scope", action="append", dest="scopes", help="repeatable; default: all scopes")
    parser.add_argument("--table", help="DynamoDB table (default: $TABLE_NAME or the stack's output)")
    parser.add_argument("--stack", default="imagegraphics", help="stack whose TableName output to use")
    parser.add_argument("--endpoint-url", help="a local endpoint such as the moto server")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    if args.endpoint_url:
        settings = replace(settings, endpoint_url=args.endpoint_url)
    table = args.table or os.environ.get("TABLE_NAME") or _stack_table(args.stack, settings)
    store = ApiKeyStore(table, aws.client("dynamodb", settings))
    key = store.create_key(args.tenant, tuple(args.scopes or DEFAULT_SCOPES))
    print(f"tenant {args.tenant}: API key (shown once, stored only as a hash):", file=sys.stderr)
    print(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
