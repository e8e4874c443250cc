"""`tools.apikey` (make apikey, key revocation) talks to the region of the caller's AWS profile or
environment, names it, and reports every AWS failure as one line with exit status 1."""
from __future__ import annotations

import json
import socket

import boto3
import pytest
from moto import mock_aws
from moto.core.authorization import enable_iam_authentication

from imagegraphics.stores import ApiKeyStore, aws, hash_key
from tools.apikey import main
from tools.awsenv import Region, resolve_region

CONFIG = """\
[default]
region = eu-west-1
[profile far]
region = ap-south-1
[profile bare]
output = json
"""
STACK = "imagegraphics"
TABLE_TEMPLATE = json.dumps({
    "Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}}},
    "Outputs": {"TableName": {"Value": {"Ref": "Table"}}},
})


@pytest.fixture
def aws_config(tmp_path, monkeypatch):
    """A temporary AWS config file (default profile in eu-west-1), fake credentials, no region in the
    environment; clients made afresh."""
    config = tmp_path / "config"
    config.write_text(CONFIG)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask an instance for credentials
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                 "TABLE_NAME"):
        monkeypatch.delenv(name, raising=False)
    aws.clear_clients()
    yield config
    aws.clear_clients()


def _deploy(region: str) -> str:
    """A stack named like the project's, with a keys table and its TableName output; answers the table."""
    cloudformation = boto3.client("cloudformation", region_name=region)
    cloudformation.create_stack(StackName=STACK, TemplateBody=TABLE_TEMPLATE)
    outputs = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]["Outputs"]
    return outputs[0]["OutputValue"]


def _store(table: str, region: str) -> ApiKeyStore:
    return ApiKeyStore(table, boto3.client("dynamodb", region_name=region))


def _one_line_failure(capsys) -> str:
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err.strip()


def test_the_profiles_region_is_used_for_the_stack_and_the_key_and_is_printed(aws_config, capsys):
    with mock_aws():
        _deploy("us-east-1")  # a stack of the same name elsewhere must not be the one used
        table = _deploy("eu-west-1")
        assert main(["--tenant", "acme"]) == 0
        out, err = capsys.readouterr()
        assert _store(table, "eu-west-1").resolve(out.strip()) == ("acme", ("*",))
        assert f"table {table} (stack {STACK}) in region eu-west-1 (from profile default in {aws_config})" in err


def test_revoking_and_listing_use_and_name_the_profiles_region(aws_config, capsys, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "far")
    with mock_aws():
        table = _deploy("ap-south-1")
        key = _store(table, "ap-south-1").create_key("acme")
        assert main(["--tenant", "acme", "--list"]) == 0
        out, err = capsys.readouterr()
        assert out.split()[0] == hash_key(key)
        assert "in region ap-south-1 (from profile far in" in err
        assert main(["--revoke", key]) == 0
        assert f"revoked key {hash_key(key)}, table {table} (stack {STACK}) in region ap-south-1" in \
            capsys.readouterr().err
        assert _store(table, "ap-south-1").resolve(key) is None


@pytest.mark.parametrize(("environment", "explicit", "expected"), [
    ({}, None, Region("eu-west-1", "profile default in {config}")),
    ({"AWS_PROFILE": "far"}, None, Region("ap-south-1", "profile far in {config}")),
    ({"AWS_DEFAULT_REGION": "eu-north-1"}, None, Region("eu-north-1", "AWS_DEFAULT_REGION")),
    ({"AWS_REGION": "sa-east-1", "AWS_DEFAULT_REGION": "eu-north-1"}, None, Region("sa-east-1", "AWS_REGION")),
    ({"AWS_REGION": "sa-east-1"}, "ca-central-1", Region("ca-central-1", "--region")),
])
def test_the_region_is_resolved_as_the_aws_cli_does(aws_config, monkeypatch, environment, explicit, expected):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert resolve_region(explicit) == expected._replace(source=expected.source.format(config=aws_config))


def test_no_region_anywhere_is_one_line(aws_config, monkeypatch, capsys):
    monkeypatch.setenv("AWS_PROFILE", "bare")
    assert main(["--tenant", "acme"]) == 1
    assert _one_line_failure(capsys).startswith("no AWS region configured: set AWS_REGION, pass --region")


def test_a_profile_missing_from_the_config_is_one_line(aws_config, monkeypatch, capsys):
    monkeypatch.setenv("AWS_PROFILE", "nowhere")
    assert main(["--revoke", "some-key"]) == 1
    assert _one_line_failure(capsys).startswith(f"no AWS profile nowhere in {aws_config}")


def test_no_credentials_is_one_line(aws_config, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert main(["--tenant", "acme"]) == 1
    assert _one_line_failure(capsys).startswith("no AWS credentials found: run `aws configure`")


def test_no_such_stack_in_the_region_is_one_line(aws_config, capsys):
    with mock_aws():
        _deploy("us-east-1")
        assert main(["--tenant", "acme"]) == 1
        assert _one_line_failure(capsys).startswith(f"no stack {STACK} in region eu-west-1: give the region")
        assert main(["--revoke", "some-key"]) == 1
        assert _one_line_failure(capsys).startswith(f"no stack {STACK} in region eu-west-1")


def test_no_such_table_in_the_region_is_one_line(aws_config, capsys):
    with mock_aws():
        assert main(["--tenant", "acme", "--table", "nope"]) == 1
        assert _one_line_failure(capsys).startswith("no DynamoDB table nope in region eu-west-1")


def test_an_unreachable_endpoint_is_one_line(aws_config, capsys):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}"
    assert main(["--tenant", "acme", "--table", "t", "--endpoint-url", endpoint]) == 1
    assert _one_line_failure(capsys) == (f'cannot reach {endpoint}/ (region eu-west-1): check the region and '
                                         "your network")


def test_access_denied_is_one_line(aws_config, capsys, monkeypatch):
    with mock_aws():
        _deploy("eu-west-1")
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="no-rights")
        created = iam.create_access_key(UserName="no-rights")["AccessKey"]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", created["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", created["SecretAccessKey"])
        with enable_iam_authentication():
            assert main(["--tenant", "acme"]) == 1
            denied = _one_line_failure(capsys)
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000")
            aws.clear_clients()
            assert main(["--tenant", "acme"]) == 1
            refused = _one_line_failure(capsys)
    assert denied.startswith("AWS denied DescribeStacks in region eu-west-1: ")
    assert denied.endswith("(the credentials in use lack the permission)")
    assert refused.startswith("AWS refused the credentials (InvalidClientTokenId): ")
