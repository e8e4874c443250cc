"""The AWS side of the command-line tools: which region they talk to, and AWS errors as one line.

The region is the one the AWS CLI would use: `--region`, else AWS_REGION, else AWS_DEFAULT_REGION,
else the `region` of the profile (AWS_PROFILE, or `default`) in the AWS config file
(AWS_CONFIG_FILE, or ~/.aws/config). Never a silent us-east-1: a stack lives in one region.
"""
from __future__ import annotations

import os
from typing import NamedTuple

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError as BotoConnectionError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
)

DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
BAD_CREDENTIALS = {"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
                   "InvalidSignatureException", "SignatureDoesNotMatch", "RequestExpired"}
FIX_CREDENTIALS = ("run `aws configure` (or `aws sso login`), or set AWS_PROFILE, "
                   "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")


class ToolError(Exception):
    """A failure the tool reports as one line and exit status 1."""


class Region(NamedTuple):
    name: str
    source: str  # where it came from, to print beside it

    def __str__(self) -> str:
        return f"{self.name} (from {self.source})"


def resolve_region(explicit: str | None = None, fallback: Region | None = None) -> Region:
    """The region to use, and where it was found; `fallback` when none is configured (else ToolError)."""
    if explicit:
        return Region(explicit, "--region")
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(variable):
            return Region(os.environ[variable], variable)
    try:
        session = boto3.session.Session()
        region = session.region_name  # botocore reads the profile's `region` from the config file
    except BotoCoreError as exc:  # e.g. AWS_PROFILE names a profile the config does not have
        raise ToolError(describe(exc, "?")) from None
    if region:
        return Region(region, f"profile {session.profile_name} in {_config_file()}")
    if fallback is not None:
        return fallback
    raise ToolError("no AWS region configured: set AWS_REGION, pass --region, or give your profile one "
                    "(aws configure set region <region>)")


def _config_file() -> str:
    return os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def describe(exc: Exception, region: str) -> str:
    """An AWS failure as one plain sentence saying what to fix."""
    if isinstance(exc, ProfileNotFound):
        return (f"no AWS profile {exc.kwargs.get('profile')} in {_config_file()} (AWS_PROFILE names it): "
                "unset AWS_PROFILE or add the profile (aws configure --profile <name>)")
    if isinstance(exc, NoCredentialsError):
        return f"no AWS credentials found: {FIX_CREDENTIALS}"
    if isinstance(exc, EndpointConnectionError):
        return (f"cannot reach {exc.kwargs.get('endpoint_url', 'the AWS endpoint')} (region {region}): "
                "check the region and your network")
    if isinstance(exc, BotoConnectionError):
        return f"cannot reach AWS in region {region}: {one_line(exc)}"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code", "")), one_line(error.get("Message", "") or exc)
        if code in DENIED:
            return (f"AWS denied {exc.operation_name} in region {region}: {message} "
                    "(the credentials in use lack the permission)")
        if code in BAD_CREDENTIALS:
            return f"AWS refused the credentials ({code}): {message}; {FIX_CREDENTIALS}"
        return f"AWS error {code} on {exc.operation_name} in region {region}: {message}"
    if isinstance(exc, BotoCoreError):
        return one_line(exc)
    return one_line(exc) or type(exc).__name__
