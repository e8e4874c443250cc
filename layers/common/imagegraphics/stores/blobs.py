"""Objects in the bucket: presigned upload and download URLs, bounded reads, writes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from imagegraphics.errors import Conflict, ImageRejected, NotFound
from imagegraphics.settings import Settings, get_settings
from imagegraphics.stores import aws

_MISSING = {"NoSuchKey", "404", "NotFound", "NoSuchBucket"}
# Uploads carry this tag until ingest finds an image in them: the bucket's lifecycle rule
# (template.yaml, UnreadyUploadRetentionDays) removes what never turned READY.
UNVERIFIED_TAG = ("imagegraphics-upload", "unverified")
UNVERIFIED_TAGGING = f"{UNVERIFIED_TAG[0]}={UNVERIFIED_TAG[1]}"
_TAGGING_XML = (f"<Tagging><TagSet><Tag><Key>{UNVERIFIED_TAG[0]}</Key><Value>{UNVERIFIED_TAG[1]}</Value></Tag>"
                "</TagSet></Tagging>")


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    content_type: str | None
    etag: str | None


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


class BlobStore:
    def __init__(self, bucket: str, s3: Any, url_expiry_seconds: int = 900, max_upload_bytes: int = 50 << 20,
                 upload_endpoint_url: str | None = None):
        self.bucket = bucket
        self.s3 = s3
        self.url_expiry_seconds = url_expiry_seconds
        self.max_upload_bytes = max_upload_bytes
        self.upload_endpoint_url = upload_endpoint_url

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "BlobStore":
        settings = settings or get_settings()
        return cls(settings.bucket_name, aws.client("s3", settings), settings.url_expiry_seconds,
                   settings.max_upload_bytes, settings.upload_endpoint_url)

    def presigned_post(self, key: str, content_type: str, max_bytes: int | None = None) -> PresignedPost:
        """A form upload of 1..max_bytes bytes to `key`, with exactly this Content-Type."""
        limit = max_bytes or self.max_upload_bytes
        answer = self.s3.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields={"Content-Type": content_type, "tagging": _TAGGING_XML},
            Conditions=[{"Content-Type": content_type}, {"tagging": _TAGGING_XML},
                        ["content-length-range", 1, limit]],
            ExpiresIn=self.url_expiry_seconds)
        url = f"{self.upload_endpoint_url}/{self.bucket}" if self.upload_endpoint_url else answer["url"]
        return PresignedPost(url=url, fields=dict(answer["fields"]))

    def presigned_get(self, key: str, download_name: str | None = None) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if download_name:
            params["ResponseContentDisposition"] = f'inline; filename="{download_name}"'
        return self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=self.url_expiry_seconds)

    def head(self, key: str) -> BlobInfo | None:
        try:
            answer = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if aws.error_code(exc) in _MISSING:
                return None
            raise
        return BlobInfo(key, int(answer["ContentLength"]), answer.get("ContentType"), answer.get("ETag"))

    def get_bytes(self, key: str, max_bytes: int | None = None, if_match: str | None = None) -> bytes:
        """The whole object; ImageRejected when it is larger than `max_bytes` (read nothing then),
        Conflict when `if_match` is given and the object's ETag is another."""
        limit = max_bytes or self.max_upload_bytes
        answer = self._get(key, if_match)
        body = answer["Body"]
        try:
            size = int(answer["ContentLength"])
            if size > limit:
                raise ImageRejected(f"the file is {size} bytes, more than the limit of {limit} bytes")
            return body.read()
        finally:
            body.close()

    def get_prefix(self, key: str, length: int, if_match: str | None = None) -> bytes:
        """The first `length` bytes (fewer if the object is shorter): enough to read an image header."""
        try:
            answer = self._get(key, if_match, Range=f"bytes=0-{max(length, 1) - 1}")
        except ClientError as exc:
            if aws.error_code(exc) == "InvalidRange":  # empty object
                return b""
            raise
        with answer["Body"] as body:
            return body.read()

    def _get(self, key: str, if_match: str | None, **extra: Any) -> dict:
        if if_match:
            extra["IfMatch"] = if_match
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=key, **extra)
        except ClientError as exc:
            if aws.error_code(exc) in _MISSING:
                raise NotFound(f"object {key} not found") from None
            if aws.error_code(exc) in ("PreconditionFailed", "412"):
                raise Conflict(f"object {key} is no longer the one expected (ETag {if_match})") from None
            raise

    def put_bytes(self, key: str, data: bytes, content_type: str, tagging: str | None = None) -> BlobInfo:
        extra = {"Tagging": tagging} if tagging else {}
        answer = self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **extra)
        return BlobInfo(key, len(data), content_type, answer.get("ETag"))

    def mark_verified(self, key: str) -> None:
        """Drop the upload's tags: ingest found an image, the lifecycle rule no longer applies to it."""
        try:
            self.s3.delete_object_tagging(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if aws.error_code(exc) not in _MISSING:
                raise

    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error (S3 answers the same)."""
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object whose key starts with `prefix`; returns how many there were."""
        removed = 0
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:  # at most 1,000 a page, as DeleteObjects takes
                answer = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
                if answer.get("Errors"):
                    error = answer["Errors"][0]
                    raise RuntimeError(f"S3 kept {error.get('Key')}: {error.get('Code')} {error.get('Message')}")
                removed += len(keys)
        return removed

    def delete_counted(self, key: str) -> int:
        """Remove the object; 1 when it was there, 0 when not."""
        if self.head(key) is None:
            return 0
        self.delete(key)
        return 1
