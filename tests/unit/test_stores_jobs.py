import json

import boto3
import pytest

from imagegraphics.errors import Conflict, NotFound
from imagegraphics.stores import ERROR, OK, QUEUED, JobStore

REQUEST = {"assets": [{"a" * 32: {"options": {}}}], "operations": [{"bg_remove": {}}]}


@pytest.fixture
def jobs(aws_resources):
    return JobStore.from_settings()


def test_job_ids_are_consecutive_integers(jobs):
    assert [jobs.next_job_id() for _ in range(3)] == [1, 2, 3]


def test_counter_is_shared_by_every_store_instance(jobs, aws_resources):
    other = JobStore.from_settings()
    assert [jobs.next_job_id(), other.next_job_id(), jobs.next_job_id()] == [1, 2, 3]
    assert jobs.create_job("acme", REQUEST, total=1).job_id == 4


def test_created_job_is_queued_with_its_counts_and_request(jobs):
    job = jobs.create_job("acme", REQUEST, total=3)
    stored = jobs.get_job("acme", job.job_id)
    assert (stored.status, stored.total, stored.remaining, stored.succeeded, stored.failed) == (QUEUED, 3, 3, 0, 0)
    assert jobs.payload(stored) == REQUEST and jobs.payload(job) == REQUEST
    assert stored.expires_at > 0 and stored.finished_at is None


def test_another_tenants_job_looks_like_a_missing_one(jobs):
    job = jobs.create_job("acme", REQUEST, total=1)
    with pytest.raises(NotFound):
        jobs.get_job("globex", job.job_id)
    with pytest.raises(NotFound):
        jobs.get_job("acme", job.job_id + 100)


def test_last_outcome_finishes_the_job_ok_when_any_succeeded(jobs):
    job = jobs.create_job("acme", REQUEST, total=2)
    first = jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=OK, name="cut",
                             output_asset_id="a" * 32, s3_key="conversions/a/cut.png")
    assert first.recorded and first.job.status == QUEUED and first.job.remaining == 1
    last = jobs.record_item(job.job_id, 1, asset_id="b" * 32, outcome=ERROR, error="too many pixels")
    assert (last.job.status, last.job.remaining, last.job.succeeded, last.job.failed) == (OK, 0, 1, 1)
    assert last.job.finished_at
    items = jobs.list_items(job.job_id)
    assert [(i.index, i.outcome, i.error) for i in items] == [(0, OK, None), (1, ERROR, "too many pixels")]
    assert items[0].s3_key == "conversions/a/cut.png"


def test_job_where_every_asset_failed_finishes_error(jobs):
    job = jobs.create_job("acme", REQUEST, total=2)
    jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=ERROR, error="x")
    done = jobs.record_item(job.job_id, 1, asset_id="b" * 32, outcome=ERROR, error="y")
    assert (done.job.status, done.job.failed) == (ERROR, 2)


def test_recording_the_same_asset_twice_counts_once(jobs):
    job = jobs.create_job("acme", REQUEST, total=2)
    jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=OK)
    again = jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=ERROR, error="redelivered")
    assert not again.recorded
    assert (again.job.status, again.job.remaining, again.job.succeeded, again.job.failed) == (QUEUED, 1, 1, 0)
    assert [i.outcome for i in jobs.list_items(job.job_id)] == [OK]


def test_redelivery_after_the_last_outcome_keeps_the_finished_job(jobs):
    job = jobs.create_job("acme", REQUEST, total=1)
    done = jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=OK).job
    again = jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=OK)
    assert not again.recorded and again.job == done


def test_outcome_written_before_a_crash_is_counted_on_redelivery(jobs, aws_resources):
    job = jobs.create_job("acme", REQUEST, total=2)
    # The first attempt wrote the item and stopped before moving the counts.
    boto3.client("dynamodb", region_name="us-east-1").put_item(
        TableName=aws_resources["TABLE_NAME"],
        Item={"pk": {"S": f"JOB#{job.job_id}"}, "sk": {"S": "ITEM#00000"}, "job_id": {"N": str(job.job_id)},
              "index": {"N": "0"}, "asset_id": {"S": "a" * 32}, "outcome": {"S": "OK"}})
    again = jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=ERROR, error="retry failed")
    assert not again.recorded
    assert (again.job.remaining, again.job.succeeded, again.job.failed) == (1, 1, 0)  # the stored outcome
    twice = jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=OK)
    assert (twice.job.remaining, twice.job.succeeded) == (1, 1)


def test_outcomes_in_any_order_finish_the_job_once(jobs):
    job = jobs.create_job("acme", REQUEST, total=5)
    finished = []
    for i in (3, 0, 4, 1, 2, 2, 0):
        result = jobs.record_item(job.job_id, i, asset_id="a" * 32, outcome=OK if i % 2 else ERROR)
        finished.append(result.job.status)
    assert finished == [QUEUED, QUEUED, QUEUED, QUEUED, OK, OK, OK]
    final = jobs.get_job("acme", job.job_id)
    assert (final.remaining, final.succeeded, final.failed) == (0, 2, 3)
    assert [i.index for i in jobs.list_items(job.job_id)] == [0, 1, 2, 3, 4]


def test_outcome_for_a_missing_job_is_not_found(jobs):
    with pytest.raises(NotFound):
        jobs.record_item(999, 0, asset_id="a" * 32, outcome=OK)


def test_unsent_messages_are_recorded_failed_so_the_job_finishes(jobs):
    job = jobs.create_job("acme", REQUEST, total=3)
    jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=OK)
    finished = jobs.mark_failed_to_enqueue(job.job_id, [(1, "b" * 32), (2, "c" * 32)])
    assert (finished.status, finished.failed, finished.remaining) == (OK, 2, 0)
    errors = [i.error for i in jobs.list_items(job.job_id) if i.outcome == ERROR]
    assert errors == ["the asset could not be queued for processing"] * 2


def test_job_with_nothing_sent_finishes_error(jobs):
    job = jobs.create_job("acme", REQUEST, total=2)
    assert jobs.mark_failed_to_enqueue(job.job_id, [(0, "a" * 32), (1, "b" * 32)]).status == ERROR


@pytest.mark.parametrize("attributes", [
    {"extra": {"M": {"": {"N": "1"}}}},  # an empty map key: the client cannot parse the answer
    {},  # counts missing: Job cannot be built
], ids=["empty map key", "attributes missing"])
def test_an_unreadable_job_is_still_not_found_for_another_tenant(jobs, attributes):
    item = {"pk": {"S": "JOB#7"}, "sk": {"S": "JOB"}, "job_id": {"N": "7"}, "tenant": {"S": "acme"},
            "status": {"S": QUEUED}, **attributes}
    jobs.dynamodb.put_item(TableName=jobs.table_name, Item=item)
    with pytest.raises(NotFound):
        jobs.get_job("globex", 7)
    with pytest.raises(Exception) as owner:
        jobs.get_job("acme", 7)
    assert not isinstance(owner.value, NotFound)


def _big_request(assets: int = 1000) -> dict:
    return {"assets": [{f"{i:032x}": {"options": {"disposition": {"add_as_conversion": True,
                                                                    "conversion_name": "cutout"}}}}
                       for i in range(assets)],
            "operations": [{"bg_remove": {"options": {"mode": "product"}}}]}


def _raw_job_item(jobs, job_id: int) -> dict:
    return jobs.dynamodb.get_item(TableName=jobs.table_name, Key={"pk": {"S": f"JOB#{job_id}"}, "sk": {"S": "JOB"}},
                                  ConsistentRead=True)["Item"]


def test_the_job_item_every_outcome_updates_stays_small_however_big_the_request(jobs):
    """DynamoDB charges an update by the whole item's size: the request (here ~110 KB) lives apart."""
    request = _big_request()
    job = jobs.create_job("acme", request, total=1000)
    assert len(json.dumps(_raw_job_item(jobs, job.job_id))) < 2000
    for index in range(1000):
        jobs.record_item(job.job_id, index, asset_id=f"{index:032x}", outcome=OK, job_read=True)
    finished = jobs.get_job("acme", job.job_id)
    assert (finished.status, finished.remaining, finished.succeeded) == (OK, 0, 1000)
    # What stays on it when finished: the counts and the 1,000 indexes counted (about 4 KB).
    assert len(json.dumps(_raw_job_item(jobs, job.job_id))) < 8000
    assert jobs.payload(finished) == request


def test_a_job_stored_with_its_request_on_the_job_item_still_reads(jobs):
    """Jobs created before the request moved to its own item keep working until they expire."""
    jobs.dynamodb.put_item(TableName=jobs.table_name, Item={
        "pk": {"S": "JOB#77"}, "sk": {"S": "JOB"}, "job_id": {"N": "77"}, "tenant": {"S": "acme"},
        "status": {"S": QUEUED}, "request": {"S": json.dumps(REQUEST)}, "total": {"N": "1"},
        "remaining": {"N": "1"}, "succeeded": {"N": "0"}, "failed": {"N": "0"}, "created_at": {"S": "t"}})
    job = jobs.find_job(77)
    assert jobs.payload(job) == REQUEST
    assert jobs.record_item(77, 0, asset_id="a" * 32, outcome=OK).job.status == OK


def test_a_job_id_taken_is_a_conflict_and_leaves_its_request_alone(jobs):
    job = jobs.create_job("acme", REQUEST, total=1)
    other = {"assets": [{"b" * 32: {"options": {}}}], "operations": [{"bg_remove": {}}]}
    with pytest.raises(Conflict):
        jobs.create_job("globex", other, total=1, job_id=job.job_id)
    assert jobs.payload(jobs.find_job(job.job_id)) == REQUEST


def test_an_outcome_for_a_job_just_read_reads_it_no_second_time(jobs):
    job = jobs.create_job("acme", REQUEST, total=2)
    reads = []

    def count(params, **_):
        reads.append(params)

    jobs.dynamodb.meta.events.register("before-call.dynamodb.GetItem", count)
    try:
        jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome=OK, job_read=True)
        assert reads == []
        jobs.record_item(job.job_id, 1, asset_id="a" * 32, outcome=OK)
        assert len(reads) == 1  # without job_read, the job's existence is checked first
    finally:
        jobs.dynamodb.meta.events.unregister("before-call.dynamodb.GetItem", count)
