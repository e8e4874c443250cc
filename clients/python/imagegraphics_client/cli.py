"""imagegraphics-client: upload images, run Image Graphics jobs, download the results.

Exit status: 0 every file succeeded, 1 some file failed (or was still running at --timeout),
2 the API refused the request (or the command line was wrong), 3 the key was refused or the
service could not be reached, 130 interrupted (Ctrl-C): run the same command again to resume.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from imagegraphics_client import __version__
from imagegraphics_client.client import Client
from imagegraphics_client.engine import Plan, Run
from imagegraphics_client.errors import (EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, ApiRefused, AuthError, ClientError,
                                         UsageError)
from imagegraphics_client.manifest import Manifest
from imagegraphics_client.naming import check_clashes
from imagegraphics_client.progress import Console
from imagegraphics_client.steps import Settings, download_outputs, load_json, report_job, wait_for_jobs
from imagegraphics_client.walk import Found, find_inputs

PROG = "imagegraphics-client"
# disposition.format -> the extension of the stored object (for a service older than the validate route)
EXTENSIONS = {"png": "png", "webp": "webp", "jpeg": "jpg"}


def cmd_upload(client: Client, console: Console, settings: Settings, args) -> int:
    found = _inputs(console, args, exclude=None)
    plan = Plan(metadata=_metadata(args), recipe=args.recipe, wait=not args.no_wait)
    run = Run(client, console, plan, found.inputs, timeout=settings.timeout, concurrency=settings.concurrency)
    run.execute()
    for work in run.works:
        if work.asset_id:
            console.result(work.asset_id)
    console.document([{"file": str(w.item.path), "asset_id": w.asset_id, **w.record,
                       **({"status": w.state.upper()} if not w.record else {}),
                       **({"error": w.reason} if w.reason and not w.record.get("reason") else {})}
                      for w in run.works])
    if run.interrupted:
        return _interrupted(console, run, None)
    finished = "uploaded" if args.no_wait else "checked"
    return EXIT_OK if not found.unreadable and all(w.state == finished for w in run.works) else EXIT_FAILED


def cmd_run(client: Client, console: Console, settings: Settings, args) -> int:
    flow, entry = _run_request(console, args.request) if args.request else (None, None)
    metadata = _metadata(args)
    found = _inputs(console, args, exclude=args.out)
    check_clashes(found.inputs, args.out)
    # The request is checked here, by the service: a bad one costs no upload.
    extension = _extension(client, console, flow, entry, args.recipe)
    plan = Plan(out=args.out, flow=flow, recipe=args.recipe, metadata=metadata, extension=extension,
                overwrite=args.overwrite)
    manifest = Manifest.open(args.out)
    try:
        run = Run(client, console, plan, found.inputs, timeout=settings.timeout, concurrency=settings.concurrency,
                  manifest=manifest)
        run.execute()
    finally:
        manifest.close()
    counts = Counter(w.state for w in run.works)
    for job_id, state in sorted(run.jobs.items()):
        console.say(f"job {job_id} {state}")
    console.say(f"{_files(len(run.works))}: {counts['done']} written, {counts['skipped']} done before, "
                f"{counts['failed'] + counts['rejected']} failed" +
                (f", {counts['unfinished']} unfinished" if counts["unfinished"] else "") +
                (f", {len(found.unreadable)} unreadable" if found.unreadable else ""))
    console.document({
        "files": [{"input": str(w.item.path), "outputs": [str(p) for p in w.outputs], "asset_id": w.asset_id,
                   "job_id": w.job_id, "status": w.state, **({"reason": w.reason} if w.reason else {})}
                  for w in run.works],
        "unreadable": found.unreadable,
        "jobs": [{"job_id": job_id, "status": state} for job_id, state in sorted(run.jobs.items())],
        "manifest": str(manifest.path)})
    if run.interrupted:
        return _interrupted(console, run, manifest)
    succeeded = all(w.state in ("done", "skipped") for w in run.works) and not found.unreadable
    return EXIT_OK if succeeded else EXIT_FAILED


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def _interrupted(console: Console, run: Run, manifest: Manifest | None) -> int:
    finished = sum(1 for w in run.works if w.state in ("done", "skipped", "checked", "uploaded"))
    resume = f"; run the same command again to resume (from {manifest.path})" if manifest else ""
    console.say(f"interrupted: {finished} of {len(run.works)} files finished{resume}")
    return EXIT_INTERRUPTED


def _inputs(console: Console, args, exclude: Path | None) -> Found:
    found = find_inputs(args.files, tuple(args.glob or ()), exclude)
    for note in found.notes:
        console.say(note)
    for problem in found.unreadable:
        console.say(f"skipped: {problem}")
    if not found.inputs:
        narrowed = f" matching --glob {' '.join(args.glob)}" if args.glob else ""
        raise UsageError(f"no image files{narrowed} in {', '.join(args.files)} (looked for "
                         ".jpg .jpeg .png .gif .tif .tiff .bmp .webp)")
    return found


def _extension(client: Client, console: Console, flow: dict | None, entry: str | None,
               recipe: str | None) -> str | None:
    """The outputs' extension, learnt before anything is uploaded: from the validate route for a request
    (which refuses a bad one here), from the saved recipe when the key may read it."""
    if flow is not None:
        try:
            answer = client.validate(flow)
        except ApiRefused as exc:
            if entry is not None:  # errors where the file has them: assets.0.<id>.options...
                for error in exc.errors:
                    loc = error.get("loc")
                    if isinstance(loc, list) and loc[:1] == ["options"]:
                        error["loc"] = ["assets", 0, entry, *loc]
            raise
        if answer is not None:
            return (answer.get("output") or {}).get("extension")
        console.say("the service has no validate route (a deployment older than this client): the request "
                    "is checked only when its first job is submitted")
        return _format_extension(flow.get("options"))
    try:
        saved = client.recipe(recipe)  # 404 here: no such recipe, refused before any upload
    except AuthError:
        return None  # a key without recipes:read: outputs are checked as they are written instead
    return _format_extension(saved.get("options"))


def _format_extension(options: object) -> str | None:
    disposition = options.get("disposition") if isinstance(options, dict) else None
    fmt = disposition.get("format", "png") if isinstance(disposition, dict) else "png"
    return EXTENSIONS.get(fmt)


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


def _run_request(console: Console, path: str) -> tuple[dict, str | None]:
    """The flow of a request file: `{"operations", "options"?, "webhook"?}`, or a full request whose one
    `assets` entry gives the options of every file (its id, returned too, is not used)."""
    request = load_json(path, "the request")
    if not isinstance(request, dict) or "operations" not in request:
        raise UsageError(f'{path}: the request must be a JSON object with "operations" (and optionally "options")')
    if "assets" in request:
        assets = request.pop("assets")
        if not (isinstance(assets, list) and len(assets) == 1 and isinstance(assets[0], dict) and len(assets[0]) == 1):
            count = f"it has {len(assets)}" if isinstance(assets, list) else "it is not a list"
            raise UsageError(f'{path}: run gives every file the same asset options, so "assets" must hold exactly '
                             f'one entry ({count}); or leave "assets" out and give the options as "options"')
        if "options" in request:
            raise UsageError(f'{path}: give the asset options once: in the "assets" entry or as "options"')
        [(asset_id, body)] = assets[0].items()
        if not isinstance(body, dict):
            raise UsageError(f'{path}: the "assets" entry must be {{"<asset id>": {{"options": {{...}}}}}}')
        request["options"] = body.get("options", {})
        console.say(f'{path}: the asset id {asset_id} is not used: run makes one asset of each file, each with '
                    "this entry's options")
    else:
        asset_id = None
    if not isinstance(request.get("options", {}), dict):
        raise UsageError(f'{path}: "options" must be an object of asset options (crop, size, canvas, ...)')
    return request, asset_id


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
    group.add_argument("--concurrency", "--parallel", dest="concurrency", type=int, default=default(8), metavar="N",
                       help="calls in flight at once: uploads, downloads, checks and polls (8; --parallel is "
                            "the same option)")


def _glob(p: argparse.ArgumentParser) -> None:
    p.add_argument("--glob", action="append", metavar="PATTERN",
                   help="only the images in folders that match (repeatable): a pattern with / matches the path "
                        "inside the folder given (shoes/*.jpg), one without matches the file name (SKU-*)")


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

    p = command("upload", "upload images (files, and the images in folders); prints their asset ids, waits "
                          "until each is READY or REJECTED")
    p.add_argument("files", nargs="+", metavar="FILE|FOLDER")
    _glob(p)
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
    p = command("run", "upload files (and the images in folders), run jobs on them (or a recipe on each), "
                       "download each output named after its input; a rerun resumes from DIR's manifest")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--request", metavar="REQ.json",
                     help='{"operations": [...], "options": {asset options for every file}}, or a full '
                          'request with one "assets" entry')
    how.add_argument("--recipe", metavar="NAME", help="upload with this saved recipe and wait for its jobs")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--metadata", metavar="JSON", help="metadata of every asset, a JSON object")
    p.add_argument("--overwrite", action="store_true",
                   help="replace output files that exist but were not written by a run of the same input into DIR")
    _glob(p)
    p.add_argument("files", nargs="+", metavar="FILE|FOLDER")
    p.set_defaults(run=cmd_run)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(as_json=args.json, bars={"auto": None, "always": True, "never": False}[args.progress])
    try:
        client = _client(args, console)
        settings = Settings(timeout=args.timeout, concurrency=args.concurrency)
        return args.run(client, console, settings, args)
    except ClientError as exc:
        lines = exc.lines()
        print(f"{PROG}: {lines[0]}", *lines[1:], sep="\n", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _client(args, console: Console) -> Client:
    endpoint = args.endpoint or os.environ.get("IMAGEGRAPHICS_ENDPOINT")
    key = args.api_key or os.environ.get("IMAGEGRAPHICS_API_KEY")
    if not endpoint:
        raise UsageError("no endpoint: give --endpoint URL or set IMAGEGRAPHICS_ENDPOINT")
    if not endpoint.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint must be an http:// or https:// URL, not {endpoint!r}")
    if not key:
        raise UsageError("no API key: give --api-key KEY or set IMAGEGRAPHICS_API_KEY")
    if args.retries < 0 or args.concurrency < 1 or args.timeout < 0:
        raise UsageError("--retries and --timeout must be 0 or more, --concurrency 1 or more")
    return Client(endpoint, key, retries=args.retries, max_retry_after=args.max_retry_after, notify=console.say,
                  connections=args.concurrency + 1)


if __name__ == "__main__":
    sys.exit(main())
