"""Create, list and revoke API keys (only a key's SHA-256 hash, its id, is stored).

    python -m tools.apikey --tenant acme [--scope assets:read ...]   # a new key, printed once
    python -m tools.apikey --tenant acme --list                      # the tenant's key ids and scopes
    python -m tools.apikey --revoke KEY                              # revoke a key you hold
    python -m tools.apikey --tenant acme --revoke-id KEY_ID          # revoke one by id (its plaintext lost)
    ... [--table NAME | --stack NAME] [--endpoint-url URL]

The table defaults to TABLE_NAME, or to the TableName output of the deployed stack `--stack`.
A revoked key is refused at once by a new authorizer instance; one already warm may still accept it
for up to AUTH_CACHE_SECONDS (default 60).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import replace

from imagegraphics.settings import Settings
from imagegraphics.stores import aws
from imagegraphics.stores.keys import DEFAULT_SCOPES, ApiKeyStore, hash_key

KEY_ID = re.compile(r"[0-9a-fA-F]{64}")


def _stack_table(stack: str, settings: Settings) -> str:
    outputs = aws.client("cloudformation", settings).describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    return next(o["OutputValue"] for o in outputs if o["OutputKey"] == "TableName")


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
    parser.add_argument("--endpoint-url", help="a local endpoint such as the moto server")
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
    table = args.table or os.environ.get("TABLE_NAME") or _stack_table(args.stack, settings)
    store = ApiKeyStore(table, aws.client("dynamodb", settings))

    if args.list:
        for info in store.list_keys(args.tenant):
            print(f"{info.key_id}  {' '.join(info.scopes)}  {info.created_at or '-'}")
        return 0
    if args.revoke is not None or args.revoke_id is not None:
        key_id = hash_key(args.revoke) if args.revoke is not None else args.revoke_id
        if not store.revoke_id(key_id, args.tenant):
            owner = f" of tenant {args.tenant}" if args.tenant else ""
            print(f"no such key{owner} (id {key_id}); nothing revoked", file=sys.stderr)
            return 1
        print(f"revoked key {key_id}", file=sys.stderr)
        return 0
    key = store.create_key(args.tenant, tuple(args.scopes or DEFAULT_SCOPES))
    print(f"tenant {args.tenant}: API key (shown once, stored only as a hash; its id is {hash_key(key)}):",
          file=sys.stderr)
    print(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
