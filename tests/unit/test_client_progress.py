"""Progress rates that mean something, and upload bodies streamed from disk."""
from __future__ import annotations

import email.parser
import io

import pytest

from imagegraphics_client import multipart
from imagegraphics_client.multipart import FileChanged, MultipartFile
from imagegraphics_client.progress import Console, JobsBar, Overall, Rate


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_rate_is_over_real_elapsed_time_from_when_watching_began():
    clock = Clock()
    rate = Rate(clock)
    rate.start(40)  # 40 done before: not part of the rate
    clock.now += 0.5
    assert rate.per_second(60) is None  # half a second says nothing
    clock.now += 1.5
    assert rate.per_second(90) == 25.0  # 50 in 2 s
    clock.now += 8
    assert rate.per_second(90) == 5.0  # nothing more in 8 s: the rate falls
    assert rate.per_second(90, final=True) == 25.0  # a count that is final is over the time it took


def test_nothing_happening_or_a_burst_under_a_second_shows_no_rate():
    clock = Clock()
    rate = Rate(clock)
    rate.start()
    clock.now += 30
    assert rate.per_second(0) is None
    burst = Rate(clock)
    burst.start()
    clock.now += 0.01
    assert burst.per_second(500) is None
    clock.now += 60
    assert burst.per_second(500, final=True) is None  # 500 in 10 ms, final: no rate, never 49636/s


def _console() -> tuple[Console, io.StringIO]:
    err = io.StringIO()
    return Console(bars=True, stdout=io.StringIO(), stderr=err), err


def test_the_jobs_bar_of_a_job_finished_before_it_was_watched_shows_no_rate():
    console, err = _console()
    clock = Clock()
    bar = JobsBar(console, "job 1", clock)
    finished = {1: {"status": "OK", "progress": {"total": 500, "done": 500, "succeeded": 500, "failed": 0}}}
    bar(finished)
    clock.now += 0.003
    bar(finished)
    bar.close()
    shown = err.getvalue()
    assert "500/500" in shown and "ok=500, failed=0" in shown
    assert "/s" not in shown  # tqdm's own rate here was 49636.73asset/s


def test_the_jobs_bar_rate_counts_what_finished_while_watching():
    console, err = _console()
    clock = Clock()
    bar = JobsBar(console, "job 1", clock)
    bar({1: {"status": "QUEUED", "progress": {"total": 100, "done": 20, "succeeded": 20, "failed": 0}}})
    clock.now += 4
    bar({1: {"status": "QUEUED", "progress": {"total": 100, "done": 60, "succeeded": 60, "failed": 0}}})
    bar.close()
    assert "(10.0 assets/s)" in err.getvalue()


def test_the_overall_line_counts_uploaded_processed_and_failed_with_rates():
    console, err = _console()
    clock = Clock()
    overall = Overall(console, total=10, finished_before=4, clock=clock)
    overall.add(uploaded=3)
    assert overall.text() == "uploaded 3, processed 0, failed 0"
    clock.now += 2
    overall.add(processed=2, failed=1)
    assert overall.text() == "uploaded 3 (1.5/s), processed 2 (1.0/s), failed 1"
    assert overall.bar.n == 7  # 4 done before, 3 finished now
    overall.close()
    assert "7/10" in err.getvalue()


# -- upload bodies

def _parts(body: MultipartFile) -> dict:
    raw = body.read()
    message = email.parser.BytesParser().parsebytes(b"Content-Type: " + body.content_type.encode() + b"\r\n\r\n" + raw)
    return {part.get_param("name", header="content-disposition"): part for part in message.get_payload()}


def test_the_body_is_the_form_with_the_file_last_and_its_length_is_exact(tmp_path):
    path = tmp_path / 'a "quoted" name.png'
    path.write_bytes(b"\x89PNG" + bytes(range(256)) * 10)
    body = MultipartFile({"key": "incoming/abc", "policy": "eyJ4"}, path, path.name, "image/png", path.stat().st_size)
    size = len(body)
    parts = _parts(body)
    assert list(parts) == ["key", "policy", "file"]
    assert parts["file"].get_payload(decode=True) == path.read_bytes()
    assert parts["file"].get_param("filename", header="content-disposition") == "a %22quoted%22 name.png"
    assert parts["key"].get_payload(decode=True) == b"incoming/abc"
    body.rewind()
    assert len(body.read()) == size  # read again, whole, after a rewind (a retried upload)


def test_the_file_is_read_from_disk_in_blocks_as_it_is_sent(tmp_path, monkeypatch):
    path = tmp_path / "big.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"x" * (5 << 20))
    reads: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def read(self, amount):
            data = self.handle.read(amount)
            reads.append(len(data))
            return data

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(multipart, "open", lambda *a, **k: Spy(real_open(*a, **k)), raising=False)
    body = MultipartFile({"key": "k"}, path, path.name, "image/jpeg", path.stat().st_size)
    total = 0
    while chunk := body.read(16384):  # as urllib3 reads a file-like body
        total += len(chunk)
    assert total == len(body)
    assert max(reads) <= 16384 and sum(reads) == path.stat().st_size  # never the whole file at once


@pytest.mark.parametrize("change", [b"", b"longer" * 10])
def test_a_file_that_changed_since_it_was_measured_is_an_error_not_a_wrong_upload(tmp_path, change):
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG" + b"y" * 100)
    body = MultipartFile({}, path, path.name, "image/png", path.stat().st_size)
    path.write_bytes(b"\x89PNG" + change if change else b"\x89PNG")
    with pytest.raises(FileChanged):
        body.read()
