import pytest

from imagegraphics.stores import PENDING, AssetStore, ConversionWrite, conversion_key


@pytest.fixture
def assets(aws_resources):
    return AssetStore.from_settings()


def test_conversions_are_listed_and_a_same_name_one_is_replaced(assets):
    a = assets.create_pending("acme", filename="a.jpg", content_type="image/jpeg")
    assets.conversions.put(a.asset_id, name="cut", s3_key="conversions/x/cut.png", content_type="image/png",
                           width=10, height=10, job_id=1)
    assets.conversions.put(a.asset_id, name="cut", s3_key="conversions/x/cut.png", content_type="image/png",
                           width=20, height=20, job_id=2)
    assets.conversions.put(a.asset_id, name="other", s3_key="conversions/x/other.png", content_type="image/png",
                           width=5, height=5)
    found = {c.name: c for c in assets.conversions.list_for(a.asset_id)}
    assert sorted(found) == ["cut", "other"]
    assert (found["cut"].width, found["cut"].job_id) == (20, 2)


def test_a_conversion_write_returns_what_it_replaced_and_an_older_job_never_replaces_a_newer_one(assets):
    a = assets.create_pending("acme", filename="a.jpg", content_type="image/jpeg")
    keys = {job: conversion_key(a.asset_id, "cut", job, 0) for job in (1, 2, 3)}
    assert len(set(keys.values())) == 3 and all(k.startswith(f"conversions/{a.asset_id}/") for k in keys.values())

    def put(job):
        return assets.conversions.put(a.asset_id, name="cut", s3_key=keys[job], content_type="image/png",
                                       width=job, height=job, job_id=job)

    assert put(2) == ConversionWrite(recorded=True, previous=None)
    again = put(2)  # a redelivery: same key, nothing to delete
    assert again.recorded and again.previous.s3_key == keys[2]
    late = put(1)
    assert late == ConversionWrite(recorded=False, previous=None)
    assert put(3).previous.s3_key == keys[2]
    [stored] = assets.conversions.list_for(a.asset_id)
    assert (stored.s3_key, stored.width, stored.job_id) == (keys[3], 3, 3)
    assert assets.get("acme", a.asset_id).status == PENDING  # the original record is untouched
