import re

import pytest

from imagegraphics.errors import Conflict, NotFound, RecordRefused, ServiceUnavailable
from imagegraphics.stores import (
    PENDING, READY, REJECTED, AssetState, AssetStore, derive_metadata, derived_asset_id, generated_key)


@pytest.fixture
def assets(aws_resources):
    return AssetStore.from_settings()


def test_create_pending_gives_a_32_hex_id_and_the_upload_key(assets):
    asset = assets.create_pending("acme", filename="a.jpg", content_type="image/jpeg", metadata={"k": 1.5})
    assert re.fullmatch(r"[0-9a-f]{32}", asset.asset_id)
    stored = assets.get("acme", asset.asset_id)
    assert stored.status == PENDING
    assert stored.s3_key == f"incoming/{asset.asset_id}"
    assert stored.metadata == {"k": 1.5}


def test_another_tenants_asset_looks_exactly_like_a_missing_one(assets):
    asset = assets.create_pending("acme", filename="a.jpg", content_type="image/jpeg")
    with pytest.raises(NotFound) as other:
        assets.get("globex", asset.asset_id)
    with pytest.raises(NotFound) as missing:
        assets.get("globex", "0" * 32)
    assert other.value.status == missing.value.status == 404
    assert str(other.value).replace(asset.asset_id, "ID") == str(missing.value).replace("0" * 32, "ID")


def test_same_asset_id_cannot_be_created_twice(assets):
    asset = assets.create_pending("acme", filename="a.jpg", content_type="image/jpeg")
    with pytest.raises(Conflict):
        assets.create_pending("globex", filename="b.jpg", content_type="image/png", asset_id=asset.asset_id)
    assert assets.get("acme", asset.asset_id).filename == "a.jpg"


def test_find_states_reads_every_id_in_batches_and_reports_missing_ones_as_none(assets):
    made = [assets.create_pending("acme" if i % 2 else "globex", filename=f"{i}.jpg", content_type="image/jpeg")
            for i in range(105)]  # more than one BatchGetItem call holds
    assets.mark_ready(made[3].asset_id, content_type="image/png", width=1, height=1, size=1)
    missing = "0" * 32
    found = assets.find_states([a.asset_id for a in made] + [missing, made[0].asset_id])
    assert set(found) == {a.asset_id for a in made} | {missing}
    assert found[missing] is None
    assert all(found[a.asset_id] == AssetState(a.asset_id, a.tenant, READY if i == 3 else PENDING)
               for i, a in enumerate(made))


class _Throttled:
    """A table that answers every BatchGetItem by leaving all its keys unprocessed."""

    def batch_get_item(self, RequestItems):
        return {"Responses": {}, "UnprocessedKeys": RequestItems}


def test_find_states_of_a_table_that_keeps_throttling_is_service_unavailable(monkeypatch):
    monkeypatch.setattr("imagegraphics.stores.assets.time.sleep", lambda seconds: None)
    with pytest.raises(ServiceUnavailable) as raised:
        AssetStore("table", _Throttled()).find_states(["0" * 32])
    assert raised.value.status == 503


def test_mark_ready_records_the_header_and_mark_rejected_the_reason(assets):
    a = assets.create_pending("acme", filename="a.jpg", content_type="image/jpeg")
    ready = assets.mark_ready(a.asset_id, content_type="image/png", width=640, height=480, size=1234, etag='"e1"')
    assert (ready.status, ready.width, ready.height, ready.size, ready.content_type, ready.etag) == (
        READY, 640, 480, 1234, "image/png", '"e1"')
    rejected = assets.mark_rejected(a.asset_id, "not an image", size=9, etag='"e2"')
    assert (rejected.status, rejected.reason, rejected.width, rejected.size, rejected.etag) == (
        REJECTED, "not an image", None, 9, '"e2"')
    assert assets.find(a.asset_id) == rejected


def test_ingest_of_an_unknown_asset_is_not_found_and_writes_nothing(assets):
    with pytest.raises(NotFound):
        assets.mark_ready("f" * 32, content_type="image/png", width=1, height=1, size=1)
    assert assets.find("f" * 32) is None


def test_derived_asset_has_lineage_and_is_idempotent_per_job(assets):
    src = assets.create_pending("acme", filename="a.jpg", content_type="image/jpeg")
    new_id = derived_asset_id(7, 0)
    assert new_id == derived_asset_id(7, 0) != derived_asset_id(7, 1)
    kwargs = dict(asset_id=new_id, source_asset_id=src.asset_id, job_id=7, s3_key=generated_key(new_id),
                  content_type="image/png", width=3, height=4, size=50, metadata={"a": 1}, data_schema_id=2)
    first = assets.create_derived_asset("acme", **kwargs)
    again = assets.create_derived_asset("acme", **kwargs)
    assert again == first
    stored = assets.get("acme", new_id)
    assert (stored.status, stored.source_asset_id, stored.data_schema_id, stored.metadata) == (
        READY, src.asset_id, 2, {"a": 1})
    with pytest.raises(Conflict):
        assets.create_derived_asset("acme", **{**kwargs, "job_id": 8})
    with pytest.raises(NotFound):  # ingest never rewrites a job-made asset
        assets.mark_rejected(new_id, "x")


SOURCE = {"title": "t", "tags": ["a"], "owner": "o"}


@pytest.mark.parametrize("inherit, fields, data, mode, expected", [
    (True, None, {}, "APPEND", SOURCE),
    (True, ["title", "missing"], {"x": 1}, "APPEND", {"title": "t", "x": 1}),
    (True, None, {"title": "new"}, "APPEND", {**SOURCE, "title": "new"}),
    (True, None, {"x": 1}, "REPLACE", {"x": 1}),
    (False, None, {"x": 1}, "APPEND", {"x": 1}),
])
def test_derive_metadata(inherit, fields, data, mode, expected):
    assert derive_metadata(SOURCE, inherit=inherit, inherit_fields=fields, data=data, mode=mode) == expected


@pytest.mark.parametrize("metadata, reason", [
    ({"blob": "x" * 420_000}, "Item size has exceeded"),  # past DynamoDB's 400 KB item limit
    ({"n": 12345678901234567890123456789012345678901}, "a number it cannot store (Inexact)"),  # 41 digits
])
def test_a_record_the_table_refuses_for_its_content_is_record_refused_and_nothing_is_written(
        assets, metadata, reason):
    new_id = derived_asset_id(9, 0)
    with pytest.raises(RecordRefused) as refused:
        assets.create_derived_asset("acme", asset_id=new_id, source_asset_id="a" * 32, job_id=9,
                                    s3_key=generated_key(new_id), content_type="image/png", width=3, height=4,
                                    size=50, metadata=metadata)
    assert refused.value.status == 422 and reason in refused.value.message
    assert assets.find(new_id) is None


def _put_raw(assets, asset_id: str, tenant: str, **attributes) -> None:
    """An item written past the stores' rules, as one stored before a rule existed would be."""
    item = {"pk": {"S": f"ASSET#{asset_id}"}, "sk": {"S": "ASSET"}, "asset_id": {"S": asset_id},
            "tenant": {"S": tenant}, "status": {"S": PENDING}, **attributes}
    assets.dynamodb.put_item(TableName=assets.table_name, Item=item)


UNREADABLE = {
    "empty map key": {"s3_key": {"S": "incoming/x"}, "metadata": {"M": {"": {"N": "1"}}}},
    "empty map key, nested": {"s3_key": {"S": "incoming/x"},
                              "metadata": {"M": {"a": {"M": {"b": {"M": {"": {"S": "v"}}}}}}}},
    "a required attribute missing": {},  # no s3_key: Asset cannot be built
}


@pytest.mark.parametrize("attributes", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_asset_is_still_not_found_for_another_tenant(assets, attributes):
    asset_id = "a" * 32
    _put_raw(assets, asset_id, "acme", **attributes)
    with pytest.raises(NotFound):
        assets.get("globex", asset_id)
    with pytest.raises(Exception) as owner:  # the owner's record is broken: an error, not "not found"
        assets.get("acme", asset_id)
    assert not isinstance(owner.value, NotFound)
    assert assets.find_states([asset_id]) == {asset_id: AssetState(asset_id, "acme", PENDING)}
