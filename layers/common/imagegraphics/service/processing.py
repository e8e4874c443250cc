"""Processor: render one asset of a job and save it as a conversion or a new asset, exactly once.

Order of writes: the S3 object first, then its record, then the job item; so a failure at any point
leaves nothing pointing at a missing object, and a retry rewrites the same keys. A new asset's
object whose record could not be written is deleted again, so no object is left that nothing names.
Each job writes its conversion to a key of its own; once the record names a later job's object, the
replaced one is deleted (the earlier job's URL then answers 404, never with the later image).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from imagegraphics.errors import (
    AssetDeleted, NotFound, Conflict, ErrorDetail, ImageGraphicsError, RecordRefused, ServiceUnavailable, detail)
from imagegraphics.imaging import RenderLimits, RenderResult, render_asset
from imagegraphics.observability import ASSETS_FAILED, ASSETS_PROCESSED, PROCESSING_MS, count, logger, milliseconds
from imagegraphics.request import AssetEntry, BgRemove, parse_request
from imagegraphics.service.loader import S3Loader
from imagegraphics.service.messages import JobMessage
from imagegraphics.service.names import failed_name, new_asset_filename, output_name
from imagegraphics.service.submit import request_limits
from imagegraphics.settings import get_settings
from imagegraphics.stores.assets import AssetStore, derive_metadata, derived_asset_id, generated_key
from imagegraphics.stores.conversions import conversion_key
from imagegraphics.stores.blobs import BlobStore
from imagegraphics.stores.jobs import ERROR, OK, QUEUED, Job, JobStore
from imagegraphics.service.webhooks import notify_if_finished

# An asset's GET answer lists every conversion with a presigned URL (~2.5 KB each with a session
# token): 1,000 keep it under 3 MB, far from Lambda's 6 MB (tests/integration: worst cases measured).
MAX_CONVERSIONS = 1000
# Parsed requests of the jobs this process worked on last: an instance renders many assets of one
# job in a row, and a job's request never changes, so it is read and parsed once, not per asset.
CACHED_REQUESTS = 8
_requests: OrderedDict[tuple, object] = OrderedDict()
_requests_lock = threading.Lock()

@dataclass(frozen=True)
class Saved:
    name: str
    s3_key: str
    output_asset_id: str | None  # None for a conversion (it belongs to the source asset)


def error_text(exc: ImageGraphicsError) -> str:
    """The message and each located detail, as one line for the job's error list. A detail that
    repeats the message (the renderer locates an error at the field that named the image by copying
    it) adds only its location, so the job's error says each thing once."""
    details = [_detail_text(e, exc.message) for e in exc.errors]
    details = [d for d in details if d]
    return f"{exc.message} ({'; '.join(details)})" if details else exc.message


def _detail_text(error: ErrorDetail, message: str) -> str:
    loc = ".".join(map(str, error["loc"]))
    if error["msg"] == message:
        return loc
    return f"{loc}: {error['msg']}" if loc else error["msg"]


def job_request(job: Job, jobs: JobStore):
    """The job's request, parsed; from this process's cache when one of its assets came before."""
    # created_at too: a table emptied and refilled (tests) gives out the same ids again.
    key = (jobs.table_name, job.job_id, job.tenant, job.created_at)
    with _requests_lock:
        if key in _requests:
            _requests.move_to_end(key)
            return _requests[key]
    req = parse_request(jobs.payload(job), request_limits())
    with _requests_lock:
        _requests[key] = req
        while len(_requests) > CACHED_REQUESTS:
            _requests.popitem(last=False)
    return req


def _segmenter(req):
    if not any(isinstance(op, BgRemove) for op in req.operations):
        return None
    # Cached per process: the ONNX sessions survive warm starts of the container.
    from imagegraphics.segmentation import get_segmenter

    return get_segmenter(get_settings().models_dir)


def save_output(job_id: int, index: int, tenant: str, entry: AssetEntry, result: RenderResult,
                assets: AssetStore, blobs: BlobStore) -> Saved:
    d = entry.options.disposition
    if d.add_as_conversion or not d.create_asset:
        # add_as_conversion wins over create_asset: the public API ignores metadata with it.
        name = d.conversion_name_or_default
        if not assets.conversions.has_room(entry.asset_id, name, MAX_CONVERSIONS):
            loc = ("assets", index, entry.asset_id, "options", "disposition", "conversion_name")
            raise RecordRefused(f"asset {entry.asset_id} holds {MAX_CONVERSIONS} conversions, the most an asset may "
                                "hold", [detail(loc, "name one it holds to replace it, or save a new asset "
                                                     "(create_asset)")])
        key = conversion_key(entry.asset_id, name, job_id, index, d.extension)
        blobs.put_bytes(key, result.data, result.content_type)
        try:
            written = assets.conversions.put(entry.asset_id, name=name, s3_key=key, content_type=result.content_type,
                                             width=result.width, height=result.height, job_id=job_id)
        except AssetDeleted:
            _delete_replaced(key, blobs)  # deleted while rendering: nothing of this job stays with it
            raise
        # Not recorded (a later job's conversion won): the object stays, this job's status names it.
        if written.previous is not None and written.previous.s3_key != key:
            _delete_replaced(written.previous.s3_key, blobs)
        return Saved(name, key, None)
    try:
        source = assets.get(tenant, entry.asset_id)
    except NotFound:
        raise AssetDeleted(entry.asset_id) from None  # there at submit, so deleted since
    meta = d.metadata
    meta_source = source
    if meta is not None and meta.src_asset_id and meta.src_asset_id != source.asset_id:
        meta_source = assets.get(tenant, meta.src_asset_id)
    metadata = derive_metadata(meta_source.metadata, inherit=bool(meta and meta.inherit),
                               inherit_fields=meta.inherit_fields if meta else None,
                               data=meta.data if meta else None, mode=d.mode)
    new_id = derived_asset_id(job_id, index)  # the same on a retry, so no duplicate asset appears
    key = generated_key(new_id, d.extension)
    filename = new_asset_filename(source.filename, source.asset_id, d.extension)
    blobs.put_bytes(key, result.data, result.content_type)
    try:
        assets.create_derived_asset(tenant, asset_id=new_id, source_asset_id=source.asset_id, job_id=job_id,
                                    s3_key=key, content_type=result.content_type, width=result.width,
                                    height=result.height, size=len(result.data), metadata=metadata,
                                    data_schema_id=d.data_schema_id, filename=filename)
    except Conflict:
        raise  # the object at this key belongs to the asset that holds the id
    except RecordRefused as exc:
        _delete_unrecorded(key, new_id, assets, blobs)
        # Retrying cannot change the answer: the asset's outcome is this error.
        loc = ("assets", index, entry.asset_id, "options", "disposition")
        raise RecordRefused("the new asset could not be recorded", [detail(loc, exc.message)]) from exc
    except Exception:
        _delete_unrecorded(key, new_id, assets, blobs)
        raise
    return Saved(output_name(entry, lambda _: source.filename), key, new_id)


def _delete_replaced(key: str, blobs: BlobStore) -> None:
    """Best effort: no record names the replaced conversion's object any more."""
    try:
        blobs.delete(key)
    except Exception:
        logger.exception("replaced conversion could not be deleted", extra={"s3_key": key})


def _delete_unrecorded(key: str, asset_id: str, assets: AssetStore, blobs: BlobStore) -> None:
    """Best effort: the object just written has no record, so nothing would ever point at it.

    Kept when a record exists after all (an earlier attempt of this message wrote it).
    """
    try:
        if assets.find(asset_id) is None:
            blobs.delete(key)
            logger.warning("unrecorded output deleted", extra={"s3_key": key})
    except Exception:
        logger.exception("unrecorded output could not be deleted", extra={"s3_key": key})


def process_job_message(message: dict) -> dict:
    """Render and save one asset and record the outcome; returns a small summary.

    Errors of the request or the image (ImageGraphicsError) are the asset's outcome and are not
    retried. Anything else (storage down, a bug) raises, so SQS delivers the message again and,
    after maxReceiveCount, to the dead-letter queue.
    """
    msg = JobMessage.parse(message)
    logger.append_keys(job_id=msg.job_id, asset_id=msg.asset_id, tenant=msg.tenant)
    jobs, assets = JobStore.from_settings(), AssetStore.from_settings()
    job = jobs.find_job(msg.job_id)
    if job is None or job.tenant != msg.tenant or msg.index >= job.total:
        logger.warning("message for an unknown job or asset dropped")
        return {"outcome": "dropped"}
    if job.status != QUEUED:
        notify_if_finished(job)  # a retry after the webhook could not be queued
        return {"outcome": "finished-before"}
    settings = get_settings()
    blobs = BlobStore.from_settings(settings)
    started = time.perf_counter()
    entry = None
    try:
        req = job_request(job, jobs)
        entry = req.assets[msg.index]
        loader = S3Loader(msg.tenant, assets.find, blobs, settings.max_upload_bytes)
        limits = RenderLimits(max_pixels=settings.max_pixels, max_output_pixels=settings.max_pixels)
        result = render_asset(req, msg.index, loader, _segmenter(req), limits)
        saved = save_output(msg.job_id, msg.index, msg.tenant, entry, result, assets, blobs)
    except ServiceUnavailable:
        raise
    except ImageGraphicsError as exc:
        logger.info("asset failed", extra={"error": exc.message})
        # Named as its output would have been; no name when the stored request no longer parses.
        name = failed_name(entry, msg.tenant, assets) if entry is not None else None
        recorded = jobs.record_item(msg.job_id, msg.index, asset_id=msg.asset_id, outcome=ERROR, name=name,
                                    error=error_text(exc), error_status=exc.status,
                                    error_code=getattr(exc, "code", None), job_read=True)
        if recorded.recorded:
            count(ASSETS_FAILED)
        notify_if_finished(recorded.job)
        return {"outcome": ERROR, "job_status": recorded.job.status}
    elapsed_ms = (time.perf_counter() - started) * 1000
    recorded = jobs.record_item(msg.job_id, msg.index, asset_id=msg.asset_id, outcome=OK, name=saved.name,
                                output_asset_id=saved.output_asset_id, s3_key=saved.s3_key, job_read=True)
    if recorded.recorded:
        count(ASSETS_PROCESSED)
        milliseconds(PROCESSING_MS, elapsed_ms)
    logger.info("asset processed", extra={"ms": round(elapsed_ms), "timings": result.timings,
                                          "notes": result.notes, "job_status": recorded.job.status})
    notify_if_finished(recorded.job)
    return {"outcome": OK, "job_status": recorded.job.status}
