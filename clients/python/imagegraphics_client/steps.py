"""Steps the job commands share: read a JSON file, wait for jobs, report them, download their outputs."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from imagegraphics_client.client import Client
from imagegraphics_client.errors import ApiRefused, UsageError
from imagegraphics_client.progress import Console, JobsBar


@dataclass
class Settings:
    timeout: float = 3600  # seconds to wait for uploads to be checked and for jobs to finish
    concurrency: int = 8  # calls in flight at once: uploads, checks, polls, downloads


def load_json(path: str, what: str) -> object:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: {what} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: {what} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None


def wait_for_jobs(client: Client, console: Console, settings: Settings, job_ids: list[int]) -> dict[int, dict]:
    bar = JobsBar(console, f"job {job_ids[0]}" if len(job_ids) == 1 else f"{len(job_ids)} jobs")
    try:
        return client.wait_jobs(job_ids, settings.timeout, bar)
    finally:
        bar.close()


def report_job(console: Console, job_id: int, status: dict, files: dict[str, Path] | None = None) -> bool:
    """Say how the job went on stderr; True when it finished with every asset succeeded."""
    files = files or {}
    progress = status.get("progress") or {}
    for entry in status.get("error") or []:
        where = files.get(entry.get("asset_id"), entry.get("asset_id"))
        detail = ", ".join(f"{k} {entry[k]}" for k in ("status", "code") if entry.get(k) is not None)
        console.say(f"failed: {where} ({entry.get('name')}): {entry.get('error')}" + (f" [{detail}]" if detail else ""))
    state = status.get("status")
    if state not in ("OK", "ERROR"):
        console.say(f"job {job_id} is still {state}: {progress.get('done', 0)} of {progress.get('total', '?')} "
                    f"assets done; `imagegraphics-client wait {job_id}` waits on")
        return False
    console.say(f"job {job_id} {state}: {progress.get('succeeded', 0)} of {progress.get('total', '?')} assets succeeded")
    return state == "OK" and not status.get("error")


def download_outputs(client: Client, console: Console, settings: Settings, job_id: int, status: dict,
                     out: Path) -> tuple[list[dict], bool]:
    """Every output of the job into `out`; a URL that expired meanwhile is fetched anew once."""
    outputs = status.get("output") or []
    taken: set[Path] = set()
    written, complete = [], True

    def one(index: int) -> dict | None:
        entry = outputs[index]
        if not all(isinstance(entry.get(key), str) for key in ("url", "asset_id", "name")):
            console.say(f"job {job_id}: output {index} has no url, asset_id and name: {entry!r:.200}")
            return None
        try:
            path = client.download(entry["url"], out, entry["asset_id"], entry["name"], taken)
        except ApiRefused as exc:
            if exc.status != 403:
                console.say(f"could not download {entry['name']} ({entry['asset_id']}): {exc.status} {exc.message}")
                return None
            fresh = client.job(job_id).get("output") or []
            entry = fresh[index] if index < len(fresh) else entry
            path = client.download(entry["url"], out, entry["asset_id"], entry["name"], taken)
        bar.update(1)
        return {"name": entry["name"], "asset_id": entry["asset_id"], "path": str(path)}

    with console.bar("download", len(outputs), "file") as bar, \
            ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
        for result in pool.map(one, range(len(outputs))):
            if result is None:
                complete = False
            else:
                written.append(result)
    return written, complete
