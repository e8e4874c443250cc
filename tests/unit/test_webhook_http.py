"""Posting a webhook to a receiver on 127.0.0.1 (the local stack's allowance): answers, timeouts, redirects."""
from __future__ import annotations

from imagegraphics.service.webhook_http import post
from tests.receiver import Receiver


def test_a_2xx_answer_is_a_delivery_and_the_body_and_headers_arrive_as_sent():
    with Receiver(answers=[204]) as receiver:
        answer = post(receiver.url + "?k=1", b'{"a":1}', {"X-ImageGraphics-Event": "job.finished"}, loopback=True)
    assert answer.ok and answer.status == 204 and answer.error is None
    [got] = receiver.received
    assert got.path == "/hooks/imagegraphics?k=1" and got.body == b'{"a":1}'
    assert got.headers["X-ImageGraphics-Event"] == "job.finished"


def test_redirects_are_not_followed_but_count_as_failed():
    with Receiver(answers=[302]) as receiver:
        answer = post(receiver.url, b"{}", {}, loopback=True)
    assert not answer.ok and answer.status == 302 and "302" in answer.error and len(receiver.received) == 1


def test_a_slow_receiver_times_out_within_the_budget():
    with Receiver(delay=2.0) as receiver:
        answer = post(receiver.url, b"{}", {}, loopback=True, timeout=0.5)
    assert answer.status is None and answer.error == "no answer within 0.5 s"


def test_without_the_local_allowance_a_loopback_receiver_is_never_contacted():
    with Receiver() as receiver:
        answer = post(receiver.url, b"{}", {})
    assert answer.status is None and "https" in answer.error and receiver.received == []
