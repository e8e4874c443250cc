"""imagegraphics-client: upload images, run Image Graphics jobs, download the results.

Exit status: 0 every asset succeeded, 1 some asset failed (or was still running at --timeout),
2 the API refused the request (or the command line was wrong), 3 the key was refused or the
service could not be reached.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from imagegraphics_client import __version__
from imagegraphics_client.client import Client
from imagegraphics_client.errors import EXIT_FAILED, EXIT_OK, ApiRefused, ClientError, UsageError
from imagegraphics_client.progress import Console
from imagegraphics_client.steps import (Settings, check_files, download_outputs, load_json, report_job,
                                        upload_files, wait_for_jobs)

PROG = "imagegraphics-client"


def cmd_upload(client: Client, console: Console, settings: Settings, args) -> int:
    uploads = upload_files(client, console, settings, check_files(args.files), _metadata(args), args.recipe,
                           wait=not args.no_wait)
    for u in uploads:
        console.result(u.asset_id)
    console.document([{"file": str(u.file), "asset_id": u.asset_id, **u.record} for u in uploads])
    if args.no_wait:
        return EXIT_OK
    # With a recipe, an upload whose job could not start has failed too (the reason was printed).
    started = all(u.record.get("recipe_job_id") is not None for u in uploads) if args.recipe else True
    return EXIT_OK if started and all(u.status == "READY" for u in uploads) else EXIT_FAILED


def cmd_submit(client: Client, console: Console, settings: Settings, args) -> int:
    try:
        body = sys.stdin.buffer.read() if args.request == "-" else Path(args.request).read_bytes()
    except OSError as exc:
        raise UsageError(f"{args.request}: cannot read the request ({exc.strerror or exc})") from None
    job_id = client.submit(body)  # sent as written: the API's own rules judge it, errors located
    console.result(str(job_id))
    console.document({"job_id": job_id})
    return EXIT_OK


def cmd_wait(client: Client, console: Console, settings: Settings, args) -> int:
    status = wait_for_jobs(client, console, settings, [args.job_id])[args.job_id]
    succeeded = report_job(console, args.job_id, status)
    progress = status.get("progress") or {}
    console.result(f"job {args.job_id} {status.get('status')}: {progress.get('succeeded', 0)} succeeded, "
                   f"{progress.get('failed', 0)} failed of {progress.get('total', '?')}")
    console.document(status)
    return EXIT_OK if succeeded else EXIT_FAILED


def cmd_download(client: Client, console: Console, settings: Settings, args) -> int:
    status = client.job(args.job_id)
    written, complete = download_outputs(client, console, settings, args.job_id, status, args.out)
    succeeded = report_job(console, args.job_id, status)
    for item in written:
        console.result(item["path"])
    console.document({"job_id": args.job_id, "status": status.get("status"), "files": written,
                      "error": status.get("error") or []})
    return EXIT_OK if succeeded and complete else EXIT_FAILED


def cmd_run(client: Client, console: Console, settings: Settings, args) -> int:
    request = _run_request(args.request) if args.request else None
    paths = check_files(args.files)
    options = (request or {}).pop("options", None) or {}
    uploads = upload_files(client, console, settings, paths, _metadata(args), args.recipe)
    files = {u.asset_id: u.file for u in uploads}
    ready = [u for u in uploads if u.status == "READY"]
    if args.recipe:
        job_ids = list(dict.fromkeys(u.record["recipe_job_id"] for u in ready if u.record.get("recipe_job_id") is not None))
        started = all(u.record.get("recipe_job_id") is not None for u in ready)
    else:
        job_ids = [_submit_run(client, console, request, options, ready, len(uploads))] if ready else []
        started = bool(ready)
    statuses = wait_for_jobs(client, console, settings, job_ids) if job_ids else {}
    # Every file READY and its job started: anything less has been reported as failed already.
    succeeded = bool(job_ids) and started and len(ready) == len(uploads)
    summary = []
    for job_id in job_ids:
        succeeded &= report_job(console, job_id, statuses[job_id], files)
        written, complete = download_outputs(client, console, settings, job_id, statuses[job_id], args.out)
        succeeded &= complete
        for item in written:
            console.result(item["path"])
        summary.append({"job_id": job_id, "status": statuses[job_id].get("status"), "files": written,
                        "error": statuses[job_id].get("error") or []})
    console.document({"assets": [{"file": str(u.file), "asset_id": u.asset_id, "status": u.status,
                                  **({"reason": u.record["reason"]} if u.record.get("reason") else {})}
                                 for u in uploads], "jobs": summary})
    return EXIT_OK if succeeded else EXIT_FAILED


def _submit_run(client: Client, console: Console, request: dict, options: dict, ready: list, uploaded: int) -> int:
    try:
        job_id = client.submit({**request, "assets": [{u.asset_id: {"options": options}} for u in ready]})
    except ApiRefused as exc:
        # The API locates errors at assets.<i>.<id>; say which file that is.
        named = sorted({e["loc"][1] for e in exc.errors if _asset_loc(e.get("loc"), len(ready))})
        exc.notes += [f"  (assets.{i} is {ready[i].file})" for i in named]
        raise
    console.say(f"submitted job {job_id} for {len(ready)} of {uploaded} files")
    return job_id


def _asset_loc(loc: object, count: int) -> bool:
    return isinstance(loc, list) and len(loc) > 1 and loc[0] == "assets" and isinstance(loc[1], int) and 0 <= loc[1] < count


def _run_request(path: str) -> dict:
    request = load_json(path, "the request")
    if not isinstance(request, dict) or "operations" not in request:
        raise UsageError(f'{path}: the request must be a JSON object with "operations" (and optionally "options")')
    if "assets" in request:
        raise UsageError(f'{path}: leave out "assets": run makes one asset of each FILE '
                         '(give their options as "options")')
    if not isinstance(request.get("options", {}), dict):
        raise UsageError(f'{path}: "options" must be an object of asset options (crop, size, canvas, ...)')
    return request


def _metadata(args) -> dict | None:
    if not args.metadata:
        return None
    try:
        value = json.loads(args.metadata)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--metadata is not JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise UsageError("--metadata must be a JSON object")
    return value


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    """Options accepted before or after the subcommand (a subcommand's copy never resets a given one)."""
    def default(value):
        return value if top else argparse.SUPPRESS
    group = parser.add_argument_group("connection and output")
    group.add_argument("--endpoint", default=default(None), metavar="URL",
                       help="the API's base URL, with the stage (env IMAGEGRAPHICS_ENDPOINT)")
    group.add_argument("--api-key", default=default(None), metavar="KEY", help="env IMAGEGRAPHICS_API_KEY")
    group.add_argument("--json", action="store_true", default=default(False), help="results as JSON on stdout")
    group.add_argument("--progress", choices=("auto", "always", "never"), default=default("auto"),
                       help="progress bars on stderr (auto: only on a terminal)")
    group.add_argument("--timeout", type=float, default=default(3600), metavar="SECONDS",
                       help="how long to wait for uploads to be checked and jobs to finish (3600)")
    group.add_argument("--retries", type=int, default=default(5), metavar="N",
                       help="retries of a call answered 429/503 or without a connection (5)")
    group.add_argument("--max-retry-after", type=float, default=default(120), metavar="SECONDS",
                       help="longest Retry-After honoured; a longer one fails the command (120)")
    group.add_argument("--parallel", type=int, default=default(4), metavar="N",
                       help="concurrent uploads and downloads (4)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                  epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _common(top, True)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _common(p, False)
        return p

    p = command("upload", "upload images; prints their asset ids, waits until each is READY or REJECTED")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--metadata", metavar="JSON", help="metadata of every asset, a JSON object")
    p.add_argument("--recipe", metavar="NAME", help="run this saved recipe on each upload once it is READY")
    p.add_argument("--no-wait", action="store_true", help="print the ids without waiting for the check")
    p.set_defaults(run=cmd_upload)
    p = command("submit", "submit an Image Graphics request (a JSON file, - for stdin); prints the job id")
    p.add_argument("request", metavar="REQUEST.json")
    p.set_defaults(run=cmd_submit)
    p = command("wait", "wait for a job, with a progress bar; exit 0 only when every asset succeeded")
    p.add_argument("job_id", type=int, metavar="JOB_ID")
    p.set_defaults(run=cmd_wait)
    p = command("download", "download a job's outputs to DIR/<asset_id>/<name>.<ext>; prints the paths")
    p.add_argument("job_id", type=int, metavar="JOB_ID")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.set_defaults(run=cmd_download)
    p = command("run", "upload FILEs, run one job on them (or a recipe on each), download the outputs")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--request", metavar="REQ.json",
                     help='{"operations": [...], "options": {asset options for every file}}')
    how.add_argument("--recipe", metavar="NAME", help="upload with this saved recipe and wait for its jobs")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--metadata", metavar="JSON", help="metadata of every asset, a JSON object")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=cmd_run)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(as_json=args.json, bars={"auto": None, "always": True, "never": False}[args.progress])
    try:
        client = _client(args, console)
        settings = Settings(timeout=args.timeout, parallel=args.parallel)
        return args.run(client, console, settings, args)
    except ClientError as exc:
        lines = exc.lines()
        print(f"{PROG}: {lines[0]}", *lines[1:], sep="\n", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _client(args, console: Console) -> Client:
    endpoint = args.endpoint or os.environ.get("IMAGEGRAPHICS_ENDPOINT")
    key = args.api_key or os.environ.get("IMAGEGRAPHICS_API_KEY")
    if not endpoint:
        raise UsageError("no endpoint: give --endpoint URL or set IMAGEGRAPHICS_ENDPOINT")
    if not endpoint.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint must be an http:// or https:// URL, not {endpoint!r}")
    if not key:
        raise UsageError("no API key: give --api-key KEY or set IMAGEGRAPHICS_API_KEY")
    if args.retries < 0 or args.parallel < 1 or args.timeout < 0:
        raise UsageError("--retries and --timeout must be 0 or more, --parallel 1 or more")
    return Client(endpoint, key, retries=args.retries, max_retry_after=args.max_retry_after, notify=console.say)


if __name__ == "__main__":
    sys.exit(main())
