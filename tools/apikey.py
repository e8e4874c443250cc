"""Create, list and revoke API keys (only a key's SHA-256 hash, its id, is stored).

    python -m tools.apikey --tenant acme [--scope assets:read ...]   # a new key, printed once
    python -m tools.apikey --tenant acme --list                      # the tenant's key ids and scopes
    python -m tools.apikey --revoke KEY                              # revoke a key you hold
    python -m tools.apikey --tenant acme --revoke-id KEY_ID          # revoke one by id (its plaintext lost)
    ... [--table NAME | --stack NAME] [--region REGION] [--endpoint-url URL]

The table defaults to TABLE_NAME, or to the TableName output of the deployed stack `--stack`. The
region is the AWS CLI's (--region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's; see
tools/awsenv.py), and every answer names it. An AWS failure is one line on stderr and exit status 1.
A revoked key is refused at once by a new authorizer instance; one already warm may still accept it
for up to AUTH_CACHE_SECONDS (default 60).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import replace

from botocore.exceptions import BotoCoreError, ClientError

from imagegraphics.settings import Settings
from imagegraphics.stores import aws
from imagegraphics.stores.keys import DEFAULT_SCOPES, ApiKeyStore, hash_key
from tools.awsenv import Region, ToolError, describe, resolve_region

KEY_ID = re.compile(r"[0-9a-fA-F]{64}")
# A local endpoint (the local stack's moto) holds its resources where the local stack made them.
LOCAL_REGION = Region("us-east-1", "the local stack's region, as an endpoint URL is given")


def _stack_table(stack: str, settings: Settings) -> str:
    try:
        found = aws.client("cloudformation", settings).describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as exc:
        if aws.error_code(exc) == "ValidationError" and "does not exist" in str(exc):
            raise ToolError(f"no stack {stack} in region {settings.region}: give the region it was deployed "
                            "to (--region, AWS_REGION or your profile's), its name (--stack) or its table "
                            "(--table)") from None
        raise
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    if "TableName" not in outputs:
        raise ToolError(f"stack {stack} in region {settings.region} has no TableName output: "
                        "name this project's stack (--stack) or its table (--table)")
    return outputs["TableName"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.apikey", description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", help="the key's tenant (required to create, list and --revoke-id)")
    parser.add_argument("--scope", action="append", dest="scopes", help="repeatable; default: all scopes")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--list", action="store_true", help="list the tenant's key ids, scopes and creation times")
    action.add_argument("--revoke", metavar="KEY", help="revoke this key")
    action.add_argument("--revoke-id", metavar="KEY_ID", help="revoke the tenant's key with this id (from --list)")
    parser.add_argument("--table", help="DynamoDB table (default: $TABLE_NAME or the stack's output)")
    parser.add_argument("--stack", default="imagegraphics", help="stack whose TableName output to use")
    parser.add_argument("--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)")
    parser.add_argument("--endpoint-url", help="a local endpoint such as the local stack's moto server "
                                                "(the region then defaults to us-east-1, the local stack's)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.revoke is None and not args.tenant:
        parser.error("--tenant is required (except with --revoke)")
    if args.revoke_id is not None and not KEY_ID.fullmatch(args.revoke_id):
        parser.error("--revoke-id takes a key id: 64 hexadecimal characters, as --list prints them")
    if args.scopes and (args.list or args.revoke or args.revoke_id):
        parser.error("--scope applies only when creating a key")

    settings = Settings.from_env()
    if args.endpoint_url:
        settings = replace(settings, endpoint_url=args.endpoint_url)
    region = None
    try:
        region = resolve_region(args.region, LOCAL_REGION if settings.endpoint_url else None)
        return _run(args, replace(settings, region=region.name), region)
    except ToolError as exc:
        print(exc, file=sys.stderr)
    except (BotoCoreError, ClientError) as exc:
        print(describe(exc, region.name if region else "?"), file=sys.stderr)
    return 1


def _run(args: argparse.Namespace, settings: Settings, region: Region) -> int:
    table = args.table or os.environ.get("TABLE_NAME")
    where = f"table {table}" if table else ""
    if not table:
        table = _stack_table(args.stack, settings)
        where = f"table {table} (stack {args.stack})"
    where += f" in region {region}" + (f" at {settings.endpoint_url}" if settings.endpoint_url else "")
    store = ApiKeyStore(table, aws.client("dynamodb", settings))
    try:
        return _act(args, store, where)
    except ClientError as exc:
        if aws.error_code(exc) == "ResourceNotFoundException":
            raise ToolError(f"no DynamoDB table {table} in region {region.name}: give the right one (--table) "
                            "or region (--region)") from None
        raise


def _act(args: argparse.Namespace, store: ApiKeyStore, where: str) -> int:
    if args.list:
        listed = store.list_keys(args.tenant)
        for info in listed:
            print(f"{info.key_id}  {' '.join(info.scopes)}  {info.created_at or '-'}")
        print(f"{len(listed)} key(s) of tenant {args.tenant}, {where}", file=sys.stderr)
        return 0
    if args.revoke is not None or args.revoke_id is not None:
        key_id = hash_key(args.revoke) if args.revoke is not None else args.revoke_id
        if not store.revoke_id(key_id, args.tenant):
            owner = f" of tenant {args.tenant}" if args.tenant else ""
            print(f"no such key{owner} (id {key_id}) in {where}; nothing revoked", file=sys.stderr)
            return 1
        print(f"revoked key {key_id}, {where}", file=sys.stderr)
        return 0
    key = store.create_key(args.tenant, tuple(args.scopes or DEFAULT_SCOPES))
    print(f"tenant {args.tenant}, {where}: API key (shown once, stored only as a hash; its id is "
          f"{hash_key(key)}):", file=sys.stderr)
    print(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
