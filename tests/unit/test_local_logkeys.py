"""The local stack's log keys per thread: concurrent functions never log under each other's keys."""
import io
import json
import logging
import threading

from aws_lambda_powertools import Logger

from local.logkeys import per_thread_keys


def _logger(name: str) -> tuple[Logger, io.StringIO]:
    stream = io.StringIO()
    return Logger(service=name, logger_handler=logging.StreamHandler(stream)), stream


def _two_requests_at_once(logger: Logger) -> None:
    both_set = threading.Barrier(2)

    def request(name: str) -> None:
        logger.set_correlation_id(f"id-{name}")
        logger.append_keys(function_name=name)
        both_set.wait()  # each has set its keys before either logs
        logger.info("done")

    threads = [threading.Thread(target=request, args=(name,)) for name in ("StatusFunction", "WebhookFunction")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _lines(stream: io.StringIO) -> set[tuple[str, str]]:
    return {(line["function_name"], line["correlation_id"])
            for line in map(json.loads, stream.getvalue().splitlines())}


def test_each_thread_logs_under_its_own_keys():
    logger, stream = _logger("logkeys-per-thread")
    per_thread_keys(logger)
    per_thread_keys(logger)  # idempotent
    _two_requests_at_once(logger)
    assert _lines(stream) == {("StatusFunction", "id-StatusFunction"), ("WebhookFunction", "id-WebhookFunction")}
    assert json.loads(stream.getvalue().splitlines()[0])["service"] == "logkeys-per-thread"


def test_without_it_one_request_logs_under_the_others_keys():
    logger, stream = _logger("logkeys-shared")
    _two_requests_at_once(logger)
    assert len(_lines(stream)) == 1  # what Lambda never sees: two events in one process at once
