"""The API as Python calls: create and upload assets, submit, poll, download."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

import requests

from imagegraphics_client.errors import ApiRefused, NoRoute, TransportError, UsageError
from imagegraphics_client.files import extension, output_path, probe
from imagegraphics_client.multipart import FileChanged, MultipartFile
from imagegraphics_client.transport import Http

ASSETS = "/api/v1/assets"
JOBS = "/api/v1/assets/addons/image_graphics"
VALIDATE = f"{JOBS}/validate"
RECIPES = "/api/v1/recipes"
FINISHED_JOB = frozenset({"OK", "ERROR"})
POLL_FIRST, POLL_MAX = 0.25, 2.0


class Client:
    def __init__(self, endpoint: str, api_key: str, *, retries: int = 5, timeout: float = 60,
                 max_retry_after: float = 120, sleep: Callable[[float], None] | None = None,
                 notify: Callable[[str], None] | None = None, connections: int = 10):
        self.http = Http(endpoint, api_key, retries=retries, timeout=timeout, max_retry_after=max_retry_after,
                         sleep=sleep, notify=notify, connections=connections)
        self.sleep = self.http.sleep

    # -- assets

    def create_asset(self, filename: str, content_type: str, metadata: dict | None = None,
                     recipe: str | None = None) -> dict:
        body: dict = {"filename": filename, "content_type": content_type}
        if metadata:
            body["metadata"] = metadata
        if recipe:
            body["recipe"] = recipe
        # Not repeated after a broken connection: a second POST would leave an orphan PENDING asset.
        created = self.http.api("POST", ASSETS, expect=201, json=body, idempotent=False, need=("asset_id", "upload"))
        form = created["upload"]
        if not isinstance(form, dict) or not isinstance(form.get("url"), str) or not isinstance(form.get("fields"), dict):
            raise TransportError(f"POST {ASSETS}: the answer's upload form has no url and fields: {form!r:.100}")
        return created

    def upload(self, path: str | os.PathLike, metadata: dict | None = None, recipe: str | None = None,
               content_type: str | None = None, size: int | None = None) -> str:
        """Create the asset and POST the file to its presigned form; returns the asset id (still PENDING).

        The file is streamed from disk. `content_type` and `size` save a look at it when known already.
        """
        path = Path(path)
        if content_type is None or size is None:
            content_type, size = probe(path)
        created = self.create_asset(path.name, content_type, metadata, recipe)
        self.upload_to(created["upload"], path, content_type, size)
        return created["asset_id"]

    def upload_to(self, form: dict, path: Path, content_type: str, size: int) -> None:
        """POST the file to a presigned upload form, streamed from disk."""
        what = f"upload of {path.name}"
        body = MultipartFile(form["fields"], path, path.name, content_type, size)
        try:
            # Posting the same form again writes the same object: safe to repeat.
            response = self.http.send("POST", form["url"], what=what, idempotent=True, data=body,
                                      headers={"Content-Type": body.content_type})
        except FileChanged as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:  # opened only once the body is sent
            raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
        finally:
            body.close()
        with response:
            if response.status_code not in (200, 201, 204):
                raise self.http.refusal(what, response, api=False)

    def asset(self, asset_id: str) -> dict:
        return self.http.api("GET", f"{ASSETS}/{asset_id}", need=("status",))

    def wait_assets(self, asset_ids: Iterable[str], timeout: float,
                    done: Callable[[str, dict], bool] = lambda _id, record: record["status"] != "PENDING",
                    on_done: Callable[[str, dict], None] | None = None) -> dict[str, dict]:
        """Poll each asset until `done` says so (by default: READY or REJECTED) or the timeout passes.

        Returns the last record of every asset; ones still waiting at the timeout are included as they were.
        """
        waiting, records = list(dict.fromkeys(asset_ids)), {}
        deadline, pause = time.monotonic() + timeout, POLL_FIRST
        while waiting:
            for asset_id in list(waiting):
                records[asset_id] = record = self.asset(asset_id)
                if done(asset_id, record):
                    waiting.remove(asset_id)
                    if on_done:
                        on_done(asset_id, record)
            if not waiting or time.monotonic() >= deadline:
                break
            self.sleep(pause)
            pause = min(POLL_MAX, pause * 1.5)
        return records

    # -- jobs

    def submit(self, request: dict | bytes) -> int:
        """Submit an Image Graphics request (a dict, or the raw bytes of a JSON file); returns the job id."""
        if isinstance(request, bytes):
            body = self.http.api("POST", JOBS, data=request, idempotent=False)
        else:
            body = self.http.api("POST", JOBS, json=request, idempotent=False)
        job_id = body.get("job_id")
        if not isinstance(job_id, int):
            raise TransportError(f"POST {JOBS}: the answer has no job id: {body}")
        return job_id

    def validate(self, flow: dict) -> dict | None:
        """Check a flow for one asset (`{"operations", "options"?, "webhook"?}`) by submit's rules; creates
        nothing. Its answer (what each output will be), ApiRefused naming every broken rule, or None
        from a deployment older than the route."""
        try:
            return self.http.api("POST", VALIDATE, json=flow, idempotent=True, need=("valid",))
        except NoRoute:
            return None
        except ApiRefused as exc:
            if exc.status == 404 and any(e.get("loc") == ["path"] for e in exc.errors):  # the local gateway's
                return None
            raise

    def recipe(self, name: str) -> dict:
        return self.http.api("GET", f"{RECIPES}/{name}", need=("operations",))

    def job(self, job_id: int | str) -> dict:
        return self.http.api("GET", f"{JOBS}/jobs/{job_id}", need=("status", "output", "error"))

    def wait_jobs(self, job_ids: Iterable[int], timeout: float,
                  on_poll: Callable[[dict[int, dict]], None] | None = None) -> dict[int, dict]:
        """Poll the jobs until each is OK or ERROR or the timeout passes; `on_poll` sees every round."""
        statuses: dict[int, dict] = {}
        waiting = list(dict.fromkeys(job_ids))
        deadline, pause = time.monotonic() + timeout, POLL_FIRST
        while True:
            for job_id in list(waiting):
                statuses[job_id] = status = self.job(job_id)
                if status.get("status") in FINISHED_JOB:
                    waiting.remove(job_id)
            if on_poll:
                on_poll(statuses)
            if not waiting or time.monotonic() >= deadline:
                return statuses
            self.sleep(pause)
            pause = min(POLL_MAX, pause * 1.5)

    # -- results

    def download(self, url: str, out: Path, asset_id: str, name: str, taken: set[Path] | None = None) -> Path:
        """Stream one output to `<out>/<asset_id>/<name>.<ext>`, written whole or not at all."""
        taken = taken if taken is not None else set()
        return self.fetch(url, lambda ext: _unique(output_path(out, asset_id, name, ext), taken),
                          f"download of {name} ({asset_id})")

    def fetch(self, url: str, place: Callable[[str], Path], what: str) -> Path:
        """Stream the object at `url` to the file `place(ext)` names (ext from the URL or the answer's
        type), through `<file>.part`: the file is written whole or not at all."""
        response = self.http.send("GET", url, what=what, idempotent=True, stream=True)
        with response:
            if response.status_code != 200:
                raise self.http.refusal(what, response, api=False)
            target = place(extension(url, response.headers.get("Content-Type")))
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot create {target.parent}: {exc.strerror or exc}") from None
            part = target.with_name(target.name + ".part")
            try:
                with open(part, "wb") as sink:
                    for chunk in response.iter_content(1 << 16):
                        sink.write(chunk)
                part.replace(target)
            except requests.RequestException:
                part.unlink(missing_ok=True)
                raise TransportError(f"{what}: the connection broke during the download") from None
            except OSError as exc:
                part.unlink(missing_ok=True)
                raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
            except BaseException:
                part.unlink(missing_ok=True)
                raise
        return target


_TAKEN = threading.Lock()  # downloads run in parallel threads


def _unique(target: Path, taken: set[Path]) -> Path:
    """Two outputs of one download with the same asset and name get -2, -3... rather than overwrite."""
    with _TAKEN:
        candidate, n = target, 1
        while candidate in taken:
            n += 1
            candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        taken.add(candidate)
    return candidate
