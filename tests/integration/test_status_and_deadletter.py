"""GET a job's status, and the dead-letter function that finishes jobs whose messages kept failing."""
from __future__ import annotations

import pytest
from integration_support import RED, canvas_request, frame_png, png, process, submit


@pytest.fixture
def job(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    return submit(stack, "apigw_submit_full_flow", ids, canvas_request(ids["asset"], ids["border"])), ids


def test_queued_job_shows_progress_and_timestamps(stack, job):
    job_id, _ = job
    code, body = stack.call("status", "apigw_get_job", job_id=job_id)
    assert code == 200
    assert (body["job_id"], body["status"], body["output"], body["error"]) == (job_id, "QUEUED", [], [])
    assert body["progress"] == {"total": 1, "done": 0, "succeeded": 0, "failed": 0}
    assert body["created_at"] and body["finished_at"] is None


def test_finished_job_has_a_finish_time(stack, job):
    job_id, ids = job
    process(stack, job_id, ids)
    body = stack.call("status", "apigw_get_job", job_id=job_id)[1]
    assert body["status"] == "OK" and body["finished_at"] >= body["created_at"]


def test_other_tenants_and_unknown_jobs_are_404(stack, job):
    job_id, _ = job
    assert stack.call("status", "apigw_get_job", job_id=job_id, tenant="other")[0] == 404
    assert stack.call("status", "apigw_get_job", job_id=job_id + 1000)[0] == 404


@pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "99999999999999999999"])
def test_non_integer_job_id_is_400(stack, raw):
    event = stack.event("apigw_get_job")
    event["pathParameters"]["job_id"] = raw
    event["path"] = event["path"].rsplit("/", 1)[0] + "/" + raw
    code, body = stack.respond("status", event)
    assert code == 400 and body["errors"] == [{"loc": ["job_id"], "msg": "must be a positive integer"}]


def test_dead_letter_records_the_asset_as_failed_and_finishes_the_job(stack, job):
    job_id, ids = job
    event = stack.event("sqs_job_dlq_message", ids=ids, job_id=job_id)
    assert stack.invoke("deadletter", event) == {"batchItemFailures": []}
    body = stack.call("status", "apigw_get_job", job_id=job_id)[1]
    assert body["status"] == "ERROR"
    assert body["error"] == [{"name": "framed", "asset_id": ids["asset"],
                              "error": "processing failed after 3 attempts"}]
    # Delivered again: nothing changes, nothing is counted twice.
    assert stack.invoke("deadletter", event) == {"batchItemFailures": []}
    job = stack.jobs.get_job("dev", job_id)
    assert (job.failed, job.succeeded, job.remaining) == (1, 0, 0)


def test_dead_letter_after_a_recorded_outcome_changes_nothing(stack, job):
    job_id, ids = job
    process(stack, job_id, ids)
    stack.invoke("deadletter", stack.event("sqs_job_dlq_message", ids=ids, job_id=job_id))
    job = stack.jobs.get_job("dev", job_id)
    assert (job.status, job.succeeded, job.failed) == ("OK", 1, 0)


def test_dead_letter_that_is_not_a_job_message_is_dropped(stack):
    event = stack.event("sqs_job_dlq_message")
    event["Records"][0]["body"] = "not json"
    assert stack.invoke("deadletter", event) == {"batchItemFailures": []}
