"""Costs of moto, most growing with what it holds, removed for the local stack's long-lived server.

Each keeps moto's answers as they were; only memory and time change. They reach into the moto that
constraints.txt pins; tests/unit/test_motopatches.py checks the patched server's answers against
stock moto's, so an upgrade that moves what they patch fails there. Measured on a catalogue of
3,000 files through the local stack, moto's process grew ~6 MB/s and spent ~65 % of its CPU in the
two DynamoDB costs, so the time per file grew with the table (see docs/benchmarks.md).

- Model tracking: moto lists every model object it ever made (`BaseModel.instances_tracked`, for its
  `/moto-api/data.json`): each copy of a DynamoDB item a read or a transaction makes, each table copy,
  each S3 key written, kept for the life of the process. Here the lists hold their objects weakly.
- TransactWriteItems deep-copies every table it touches, all items, to roll back on failure. Here only
  the items the transaction names are copied, and put back on failure.
- Query sorts every item of the table before it looks at one, so a key query costs O(n log n) in the
  table's size. Here a key query reads only its partition, and neither sorts before the query's own
  sort (which orders by a key unique to each item, so the answer is the same).
- ReceiveMessage, for each message it returns, builds the queue's whole attribute table (counting every
  message in the queue) to read the retention period. Here the period is read from the queue.
- SendMessage (each entry of a batch too) reads one attribute from that same table, so a send costs
  three passes over every message in the queue: a 1,000-asset submit behind a backlog of a few
  thousand took over a minute. Here a send builds the table without the message counts.
- Each message's visibility and delay are checked against a clock read through datetime arithmetic,
  per message, per pass over the queue. Here SQS reads time.time().
- The server routes each request by listing moto's package folder (~200 stat calls, ~10 % of its CPU
  under load). Here the list is read once.
"""
from __future__ import annotations

import copy
import threading
import types
import weakref

_applied = False
_query_scope = threading.local()
_send_scope = threading.local()
# The queue attributes that count messages: each is a pass over every message in the queue.
_MESSAGE_COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
                   "ApproximateNumberOfMessagesNotVisible")


def apply() -> None:
    """Patch moto in this process (idempotent)."""
    global _applied
    if _applied:
        return
    track_models_weakly()
    _transactions_copy_items_not_tables()
    _queries_sort_what_they_read()
    _read_retention_from_the_queue()
    _send_without_counting_the_queue()
    _sqs_reads_the_clock_directly()
    _list_moto_modules_once()
    _applied = True


class WeakTracked:
    """A model class's `instances_tracked` that does not keep its instances alive. By identity: some
    models (DynamoDB's Item) define __eq__ and are not hashable, so a WeakSet cannot hold them."""

    def __init__(self, instances=()):
        self._refs: dict[int, weakref.ref] = {}
        for instance in instances:
            self.append(instance)

    def append(self, instance) -> None:
        key = id(instance)
        try:
            self._refs[key] = weakref.ref(instance, lambda _, refs=self._refs, key=key: refs.pop(key, None))
        except TypeError:  # a class whose instances take no weak reference: left untracked
            pass

    def __iter__(self):
        return iter([instance for ref in list(self._refs.values()) if (instance := ref()) is not None])

    def __len__(self) -> int:
        return len(self._refs)


def track_models_weakly() -> None:
    """Each model class gets its WeakTracked on its first instance, also after a moto reset (which
    puts plain lists back)."""
    from moto.core.common_models import BaseModel

    def __new__(cls, *args, **kwargs):
        instance = super(BaseModel, cls).__new__(cls)
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeakTracked):
            tracked = WeakTracked(tracked or ())
            cls.instances_tracked = tracked
        tracked.append(instance)
        return instance

    BaseModel.__new__ = staticmethod(__new__)


def _transactions_copy_items_not_tables() -> None:
    import moto.dynamodb.models as backend_module
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    def deepcopy(value, memo=None):
        # The only table moto's backend module copies is the transaction's backup, made redundant below.
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    backend_module.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        saved = _items_named(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(saved):
                _put_back(table, hash_value, range_value, item)
            raise

    DynamoDBBackend.transact_write_items = transact_write_items


def _items_named(backend, transact_items) -> list[tuple]:
    """(table, hash key, range key, a copy of the item or None) for each item a transaction names; an
    action whose table or key cannot be read is left out: moto refuses it before it writes."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for action in transact_items:
        try:
            kind, op = next(iter(action.items()))
            table = backend.tables[op["TableName"]]
            key = op["Item"] if kind == "Put" else op["Key"]
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            item = table.get_item(hash_value, range_value)
        except Exception:
            continue
        saved.append((table, hash_value, range_value, copy.deepcopy(item)))
    return saved


def _put_back(table, hash_value, range_value, item) -> None:
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
    elif item is None:
        if hash_value in table.items:
            table.items[hash_value].pop(range_value, None)
            if not table.items[hash_value]:
                del table.items[hash_value]
    else:
        table.items[hash_value][range_value] = item


def _queries_sort_what_they_read() -> None:
    from moto.dynamodb.models.table import Table

    original_query, original_all_items = Table.query, Table.all_items

    def query(self, hash_key, *args, **kwargs):
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        _query_scope.table, _query_scope.hash_key, _query_scope.index_name = self, hash_key, index_name
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.table = None

    def all_items(self):
        if getattr(_query_scope, "table", None) is not self:
            return original_all_items(self)
        # Unsorted: the query sorts what it keeps, by a key unique to each item (the index's keys and the
        # table's key, or the range key within one partition), so the order it returns is the same.
        if _query_scope.index_name:
            groups = self.items.values()
        else:
            group = self.items.get(_query_scope.hash_key)
            groups = () if group is None else (group,)
        return [item for group in groups for item in (group.values() if self.range_key_attr else (group,))]

    Table.query, Table.all_items = query, all_items


def _read_retention_from_the_queue() -> None:
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    def is_message_valid_based_on_retention_period(self, queue_name, message) -> bool:
        retention = self.get_queue(queue_name).message_retention_period
        return retention + message.sent_timestamp / 1000 > unix_time()

    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


class _BaseAttributes:
    """Queue.BASE_ATTRIBUTES, less the message counts while this thread sends a message."""

    def __init__(self, names: list[str]):
        self.names, self.without_counts = names, [name for name in names if name not in _MESSAGE_COUNTS]

    def __get__(self, queue, owner=None) -> list[str]:
        return self.without_counts if getattr(_send_scope, "active", False) else self.names


def _send_without_counting_the_queue() -> None:
    from moto.sqs.models import Queue, SQSBackend

    Queue.BASE_ATTRIBUTES = _BaseAttributes(Queue.BASE_ATTRIBUTES)
    original = SQSBackend.send_message

    def send_message(self, *args, **kwargs):
        _send_scope.active = True
        try:
            return original(self, *args, **kwargs)
        finally:
            _send_scope.active = False

    SQSBackend.send_message = send_message


def _sqs_reads_the_clock_directly() -> None:
    import time

    from moto.sqs import models

    unix_time = models.unix_time

    def now(dt=None) -> float:
        return unix_time(dt) if dt is not None else time.time()

    models.unix_time, models.unix_time_millis = now, lambda dt=None: now(dt) * 1000.0


def _list_moto_modules_once() -> None:
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
