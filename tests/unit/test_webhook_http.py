"""Posting a webhook to a receiver on 127.0.0.1 (the local stack's allowance): answers, timeouts, redirects."""
from __future__ import annotations

from imagegraphics.service.webhook_http import post
from tests.receiver import Receiver, Trickler


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


def timed_post(url: str, timeout: float):
    import time

    start = time.monotonic()
    answer = post(url, b"{}", {}, loopback=True, timeout=timeout)
    return answer, time.monotonic() - start


def test_a_receiver_trickling_its_headers_costs_one_deadline_not_one_per_byte():
    status_line = [(b"HTTP/1.1 200 OK\r\n", 0.0)] + [(b"X", 0.1)] * 200  # a header byte every 0.1 s, for 20 s
    with Trickler(status_line) as receiver:
        answer, took = timed_post(receiver.url, 1.0)
    assert answer.status is None and answer.error == "no answer within 1 s" and took < 1.5


def test_a_receiver_trickling_its_body_costs_one_deadline():
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"
    with Trickler([(head, 0.0)] + [(b"x", 0.1)] * 500) as receiver:
        answer, took = timed_post(receiver.url, 1.0)
    assert answer.status is None and answer.error == "no answer within 1 s" and took < 1.5


def test_a_receiver_that_never_answers_costs_one_deadline():
    with Trickler([(b"", None)]) as receiver:
        answer, took = timed_post(receiver.url, 1.0)
    assert answer.status is None and answer.error == "no answer within 1 s" and took < 1.5


def test_a_receiver_that_answers_within_the_deadline_is_a_delivery_however_it_paces_its_bytes():
    head = b"HTTP/1.1 204 No Content\r\n"
    with Trickler([(head, 0.0), (b"Content-Length: 0\r\n", 0.2), (b"\r\n", 0.2)]) as receiver:
        answer, took = timed_post(receiver.url, 2.0)
    assert answer.ok and answer.status == 204 and took < 1.5


def test_every_attempt_ends_well_before_the_webhook_function_is_stopped():
    """The function's timeout must leave room to record the attempt after a full deadline."""
    from pathlib import Path

    import yaml

    from imagegraphics.service.webhook_http import TIMEOUT_SECONDS

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((Path(__file__).resolve().parents[2] / "template.yaml").read_text(), Loader=Loader)
    function_timeout = template["Resources"]["WebhookFunction"]["Properties"]["Timeout"]
    assert function_timeout >= 2 * TIMEOUT_SECONDS
