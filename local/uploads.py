"""`POST /_upload/<bucket>`: S3's browser-form upload, with its policy checked, stored in moto's S3.

moto accepts any form posted to a bucket, so locally a tenant could post its upload form with
another asset's key. The local stack therefore hands out this endpoint as the presigned POST's URL
(`LOCAL_UPLOAD_ENDPOINT_URL`, see imagegraphics.settings); it checks the form as S3 would
(local.postpolicy) and only then puts the object, so moto's notification still reaches ingest.

Refusals carry S3's status and error code, in this project's JSON error body rather than S3's XML:
the same shape as every other local answer, with S3's code in `code`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping
from urllib.parse import quote, urlencode
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from botocore.exceptions import ClientError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from local.apigw import HttpRequest
from local.postpolicy import PolicyError, verify
from local.responses import Response, json_error

MAX_PARTS = 200
_OBJECT_HEADERS = {"cache-control": "CacheControl", "content-disposition": "ContentDisposition",
                   "content-encoding": "ContentEncoding"}


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)  # lower-case names, as S3 reads them
    file: bytes | None = None
    filename: str = ""


def _malformed(msg: str) -> PolicyError:
    return PolicyError(400, "MalformedPOSTRequest", ["body"],
                       f"The body of your POST request is not well-formed multipart/form-data: {msg}")


def parse_form(content_type: str, body: bytes) -> Form:
    mimetype, options = parse_options_header(content_type)
    if mimetype != "multipart/form-data" or not options.get("boundary"):
        raise PolicyError(412, "PreconditionFailed", ["headers", "Content-Type"],
                          "Bucket POST must be of the enclosure-type multipart/form-data (with a boundary)")
    decoder = MultipartDecoder(options["boundary"].encode("latin-1"), max_parts=MAX_PARTS)
    decoder.receive_data(body)
    decoder.receive_data(None)
    form, name, data = Form(), None, bytearray()
    while True:
        try:
            event = decoder.next_event()
        except ValueError as exc:  # a part without Content-Disposition
            raise _malformed(str(exc)) from None
        except RequestEntityTooLarge:
            raise _malformed(f"more than {MAX_PARTS} parts") from None
        if isinstance(event, NeedData):
            raise _malformed("it ends before the closing boundary")
        if isinstance(event, Epilogue):
            break
        if isinstance(event, (File, Field)) and not event.name:
            raise _malformed("a part's Content-Disposition has no name")
        if isinstance(event, File):
            if event.name.lower() != "file":
                raise PolicyError(400, "InvalidArgument", ["form", event.name], "only the field 'file' may hold a file")
            name, form.filename = "file", event.filename
        elif isinstance(event, Field):
            name = event.name.lower()
            if name in form.fields or name == "file":
                raise PolicyError(400, "InvalidArgument", ["form", name], f"the field {name!r} is given twice")
        elif isinstance(event, Data):
            data += event.data
            if event.more_data:
                continue
            if name == "file":
                form.file = bytes(data)
                break  # S3 ignores whatever follows the file
            try:
                form.fields[name] = data.decode("utf-8")
            except UnicodeDecodeError:
                raise PolicyError(400, "InvalidArgument", ["form", name], "form fields must be UTF-8 text") from None
            data = bytearray()
    if form.file is None:
        raise PolicyError(400, "InvalidArgument", ["file"], "POST requires exactly one file upload per request (field 'file')")
    return form


def _tagging(xml: str) -> str:
    """The form's Tagging document as put_object's `Tagging` (URL-encoded key=value pairs)."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise _malformed(f"tagging is not XML ({exc})") from None
    pairs = [(tag.findtext("Key") or "", tag.findtext("Value") or "") for tag in root.iter("Tag")]
    return urlencode(pairs)


class UploadEndpoint:
    def __init__(self, s3: Any, secrets: Mapping[str, str], region: str, public_url: str,
                 clock: Callable[[], float] = time.time):
        self.s3, self.secrets, self.region, self.clock = s3, dict(secrets), region, clock
        self.public_url = public_url  # where objects are read (moto's endpoint), for Location

    def __call__(self, req: HttpRequest) -> Response:
        status, headers, body = self._answer(req)
        # The local bucket's CORS rules allow any origin (local.resources): a page on any port may upload.
        return status, [*headers, ("Access-Control-Allow-Origin", "*")], body

    def _answer(self, req: HttpRequest) -> Response:
        if req.method == "OPTIONS":
            return 204, [("Access-Control-Allow-Methods", "POST"), ("Access-Control-Allow-Headers", "*"),
                         ("Access-Control-Max-Age", "3000")], b""
        if req.method != "POST":
            return json_error(405, "Method Not Allowed", ["method"], f"{req.method} is not allowed; allowed: OPTIONS, POST",
                              [("Allow", "OPTIONS, POST")])
        bucket = req.path.split("/", 2)[2]
        if not bucket or "/" in bucket:
            return json_error(404, "Not Found", ["path"], "post the form to /_upload/<bucket>")
        headers = {k.lower(): v for k, v in req.headers}
        try:
            form = parse_form(headers.get("content-type", ""), req.body)
            verify(form.fields, bucket, len(form.file), self.secrets, self.region,
                   datetime.fromtimestamp(self.clock(), timezone.utc))
            return self._store(bucket, form)
        except PolicyError as exc:
            return json_error(exc.status, exc.msg, exc.loc, exc.msg, code=exc.code)

    def _store(self, bucket: str, form: Form) -> Response:
        fields = form.fields
        key = fields["key"].replace("${filename}", form.filename)
        extra = {arg: fields[name] for name, arg in _OBJECT_HEADERS.items() if name in fields}
        metadata = {name[len("x-amz-meta-"):]: v for name, v in fields.items() if name.startswith("x-amz-meta-")}
        if "tagging" in fields:  # S3 takes the form's tags as a Tagging XML document
            extra["Tagging"] = _tagging(fields["tagging"])
        try:
            answer = self.s3.put_object(Bucket=bucket, Key=key, Body=form.file, Metadata=metadata,
                                        ContentType=fields.get("content-type", "binary/octet-stream"), **extra)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = 404 if code == "NoSuchBucket" else 502
            return json_error(status, f"S3 refused the object: {code}", ["path"], str(exc), code=code)
        return self._success(bucket, key, answer["ETag"], fields.get("success_action_status"))

    def _success(self, bucket: str, key: str, etag: str, wanted: str | None) -> Response:
        location = f"{self.public_url}/{bucket}/{quote(key)}"
        headers = [("ETag", etag), ("Location", location)]
        if wanted == "200":
            return 200, headers, b""
        if wanted == "201":
            xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>{escape(location)}</Location>'
                   f"<Bucket>{escape(bucket)}</Bucket><Key>{escape(key)}</Key><ETag>{escape(etag)}</ETag></PostResponse>")
            return 201, [("Content-Type", "application/xml"), *headers], xml.encode()
        return 204, headers, b""  # S3's default, and its answer to any other success_action_status
