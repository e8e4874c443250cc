"""GET a job's status, and the dead-letter function that finishes jobs whose messages kept failing."""
from __future__ import annotations

import threading

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


A = "a" * 32


def _record(stack, job_id: int, index: int, outcome: str) -> None:
    if outcome == "OK":
        stack.jobs.record_item(job_id, index, asset_id=A, outcome="OK", name=f"out-{index}",
                               s3_key=f"conversions/{A}/out-{index}/{job_id}-{index}.png")
    else:
        stack.jobs.record_item(job_id, index, asset_id=A, outcome="ERROR", name=f"out-{index}", error="broken")


def _assert_one_view(body: dict) -> None:
    progress = body["progress"]
    assert progress["succeeded"] == len(body["output"]) and progress["failed"] == len(body["error"]), body
    assert progress["done"] == len(body["output"]) + len(body["error"]), body
    if body["status"] != "QUEUED":
        assert progress["done"] == progress["total"], body


@pytest.mark.parametrize("outcomes", [["OK"], ["ERROR"], ["OK", "ERROR"], ["ERROR", "OK", "OK"]])
def test_outcomes_recorded_between_reading_the_job_and_its_items_are_counted(stack, monkeypatch, outcomes):
    job_id = stack.jobs.create_job("dev", {"assets": []}, total=len(outcomes) + 1).job_id
    read_job = type(stack.jobs).get_job

    def get_job_then_a_processor_records(self, tenant, wanted):
        job = read_job(self, tenant, wanted)
        for index, outcome in enumerate(outcomes):  # these land after the job's counters were read
            _record(stack, job_id, index, outcome)
        return job

    monkeypatch.setattr(type(stack.jobs), "get_job", get_job_then_a_processor_records)
    body = stack.call("status", "apigw_get_job", job_id=job_id)[1]
    _assert_one_view(body)
    assert body["progress"] == {"total": len(outcomes) + 1, "done": len(outcomes),
                                "succeeded": outcomes.count("OK"), "failed": outcomes.count("ERROR")}


def test_an_outcome_whose_count_has_not_moved_yet_is_counted(stack):
    # The processor stopped between writing the outcome and moving the counters (it will be redelivered).
    job_id = stack.jobs.create_job("dev", {"assets": []}, total=2).job_id
    stack.jobs.dynamodb.put_item(TableName=stack.jobs.table_name, Item={
        "pk": {"S": f"JOB#{job_id}"}, "sk": {"S": "ITEM#00001"}, "job_id": {"N": str(job_id)},
        "index": {"N": "1"}, "asset_id": {"S": A}, "outcome": {"S": "ERROR"}, "error": {"S": "broken"}})
    assert stack.jobs.get_job("dev", job_id).remaining == 2
    body = stack.call("status", "apigw_get_job", job_id=job_id)[1]
    _assert_one_view(body)
    assert body["progress"] == {"total": 2, "done": 1, "succeeded": 0, "failed": 1}


def test_every_poll_of_a_job_in_flight_is_one_consistent_view(stack):
    total = 12
    job_id = stack.jobs.create_job("dev", {"assets": []}, total=total).job_id
    worker = threading.Thread(target=lambda: [_record(stack, job_id, i, "OK" if i % 3 else "ERROR")
                                              for i in range(total)])
    worker.start()
    polls = []
    while worker.is_alive() or not polls or polls[-1]["status"] == "QUEUED":
        polls.append(stack.call("status", "apigw_get_job", job_id=job_id)[1])
    worker.join()
    for body in polls:
        _assert_one_view(body)
    assert polls[-1]["status"] == "OK" and polls[-1]["progress"]["done"] == total
    assert len(polls) > 2  # the job was seen mid-flight
