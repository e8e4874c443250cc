import boto3
import pytest

from imagegraphics.errors import Conflict
from imagegraphics.stores import ApiKeyStore, Principal, hash_key


@pytest.fixture
def keys(aws_resources):
    return ApiKeyStore.from_settings()


def _all_items(table):
    return boto3.client("dynamodb", region_name="us-east-1").scan(TableName=table)["Items"]


def test_created_key_resolves_to_its_tenant(keys):
    key = keys.create_key("acme", ["assets:read"])
    assert keys.resolve(key) == Principal("acme", ("assets:read",))


def test_plaintext_is_never_stored_only_its_sha256(keys, aws_resources):
    key = keys.create_key("acme")
    stored = repr(_all_items(aws_resources["TABLE_NAME"]))
    assert key not in stored
    assert f"KEY#{hash_key(key)}" in stored
    assert len(hash_key(key)) == 64


@pytest.mark.parametrize("presented", [None, "", "not-a-key"])
def test_missing_or_unknown_key_resolves_to_none(keys, presented):
    keys.create_key("acme")
    assert keys.resolve(presented) is None


def test_keys_are_random_and_bound_to_one_tenant(keys):
    first, second = keys.create_key("acme"), keys.create_key("globex")
    assert first != second
    assert keys.resolve(first).tenant == "acme"
    assert keys.resolve(second).tenant == "globex"


def test_put_registers_a_chosen_key_and_refuses_to_rebind_it(keys):
    keys.put("dev", "local-dev-key")
    keys.put("dev", "local-dev-key")  # same tenant again: no error
    with pytest.raises(Conflict):
        keys.put("other", "local-dev-key")
    assert keys.resolve("local-dev-key").tenant == "dev"


def test_default_scopes_allow_everything_and_named_scopes_only_themselves(keys):
    assert keys.resolve(keys.create_key("acme")).allows("jobs:write")
    limited = keys.resolve(keys.create_key("acme", ["assets:read"]))
    assert limited.allows("assets:read") and not limited.allows("jobs:write")
    tenant, scopes = limited
    assert (tenant, scopes) == ("acme", ("assets:read",))


def test_revoked_key_no_longer_resolves(keys):
    key = keys.create_key("acme")
    assert keys.revoke(key) is True
    assert keys.resolve(key) is None
    assert keys.revoke(key) is False


def test_apikey_command_prints_a_key_that_resolves(keys, aws_resources, capsys):
    from tools.apikey import main

    assert main(["--tenant", "acme", "--table", aws_resources["TABLE_NAME"]]) == 0
    printed = capsys.readouterr().out.strip()
    assert keys.resolve(printed) == ("acme", ("*",))


def test_a_key_is_revoked_by_its_id_and_only_for_its_own_tenant(keys):
    key = keys.create_key("acme")
    assert keys.revoke_id(hash_key(key), tenant="globex") is False  # another tenant's id: left alone
    assert keys.resolve(key) is not None
    assert keys.revoke_id(hash_key(key).upper(), tenant="acme") is True
    assert keys.resolve(key) is None
    assert keys.revoke_id(hash_key(key), tenant="acme") is False


def test_list_keys_shows_a_tenants_ids_and_scopes_never_a_key(keys):
    first, second = keys.create_key("acme", ["assets:read"]), keys.create_key("acme")
    keys.create_key("globex")
    listed = keys.list_keys("acme")
    assert {k.key_id for k in listed} == {hash_key(first), hash_key(second)}
    assert {k.scopes for k in listed} == {("assets:read",), ("*",)}
    assert all(k.tenant == "acme" and k.created_at for k in listed)
    assert first not in repr(listed) and second not in repr(listed)


def test_apikey_command_lists_and_revokes_by_key_or_by_id(keys, aws_resources, capsys):
    from tools.apikey import main

    table = ["--table", aws_resources["TABLE_NAME"]]
    held, lost = keys.create_key("acme"), keys.create_key("acme")
    assert main(["--tenant", "acme", "--list", *table]) == 0
    assert {line.split()[0] for line in capsys.readouterr().out.splitlines()} == {hash_key(held), hash_key(lost)}

    assert main(["--revoke", held, *table]) == 0
    assert keys.resolve(held) is None and keys.resolve(lost) is not None
    assert main(["--revoke", held, *table]) == 1
    assert "nothing revoked" in capsys.readouterr().err

    assert main(["--tenant", "globex", "--revoke-id", hash_key(lost), *table]) == 1  # not globex's key
    assert main(["--tenant", "acme", "--revoke-id", hash_key(lost), *table]) == 0
    assert keys.resolve(lost) is None


@pytest.mark.parametrize("argv", [["--list"], ["--revoke-id", "a" * 64], ["--tenant", "acme", "--revoke-id", "abc"],
                                  ["--tenant", "acme", "--list", "--scope", "assets:read"]])
def test_apikey_command_refuses_incomplete_arguments(aws_resources, argv):
    from tools.apikey import main

    with pytest.raises(SystemExit) as exited:
        main([*argv, "--table", aws_resources["TABLE_NAME"]])
    assert exited.value.code == 2
