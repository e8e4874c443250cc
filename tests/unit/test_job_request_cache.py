"""The processor reads and parses a job's request once per process, not once per asset."""
import pytest

from imagegraphics.service import processing
from imagegraphics.stores import JobStore

REQUEST = {"assets": [{f"{i:032x}": {"options": {}}} for i in range(3)],
           "operations": [{"bg_remove": {"options": {"mode": "portrait"}}}]}


@pytest.fixture
def jobs(aws_resources):
    processing._requests.clear()
    yield JobStore.from_settings()
    processing._requests.clear()


@pytest.fixture
def request_reads(jobs):
    reads = []

    def count(params, **_):
        if params["Key"]["sk"]["S"] == "REQUEST":
            reads.append(params["Key"]["pk"]["S"])

    jobs.dynamodb.meta.events.register("before-parameter-build.dynamodb.GetItem", count)
    yield reads
    jobs.dynamodb.meta.events.unregister("before-parameter-build.dynamodb.GetItem", count)


def test_every_asset_of_a_job_after_the_first_uses_the_parsed_request(jobs, request_reads):
    job = jobs.create_job("acme", REQUEST, total=3)
    first = processing.job_request(jobs.find_job(job.job_id), jobs)
    again = [processing.job_request(jobs.find_job(job.job_id), jobs) for _ in range(2)]
    assert request_reads == [f"JOB#{job.job_id}"]
    assert all(r is first for r in again) and [next(iter(a)) for a in REQUEST["assets"]] == [
        e.asset_id for e in first.assets]


def test_another_job_or_a_job_of_the_same_id_made_again_is_read_afresh(jobs, request_reads):
    one = jobs.create_job("acme", REQUEST, total=3)
    processing.job_request(jobs.find_job(one.job_id), jobs)
    two = jobs.create_job("acme", {**REQUEST, "assets": REQUEST["assets"][:1]}, total=1)
    assert len(processing.job_request(jobs.find_job(two.job_id), jobs).assets) == 1
    # Same id, another job (an emptied table gives ids out again): its own request, not the cached one.
    jobs.dynamodb.delete_item(TableName=jobs.table_name, Key={"pk": {"S": f"JOB#{one.job_id}"}, "sk": {"S": "JOB"}})
    jobs.dynamodb.delete_item(TableName=jobs.table_name,
                              Key={"pk": {"S": f"JOB#{one.job_id}"}, "sk": {"S": "REQUEST"}})
    remade = jobs.create_job("globex", {**REQUEST, "assets": REQUEST["assets"][:2]}, total=2, job_id=one.job_id)
    assert len(processing.job_request(jobs.find_job(remade.job_id), jobs).assets) == 2
    assert len(request_reads) == 3


def test_the_cache_holds_the_last_few_jobs_only(jobs):
    for _ in range(processing.CACHED_REQUESTS + 3):
        job = jobs.create_job("acme", REQUEST, total=3)
        processing.job_request(jobs.find_job(job.job_id), jobs)
    assert len(processing._requests) == processing.CACHED_REQUESTS
