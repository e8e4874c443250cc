"""`list` (the key's assets), `jobs` (its jobs) and `delete` (assets, with what was made from them).

Lists come a page at a time from the API (newest first, at most 100 a page); these commands follow
its `next` cursor until they have `--limit` items (50 by default) or, with `--all`, every one.
"""
from __future__ import annotations

import re
from typing import Callable

from imagegraphics_client.client import Client
from imagegraphics_client.errors import EXIT_FAILED, EXIT_OK, ApiRefused, UsageError
from imagegraphics_client.progress import Console
from imagegraphics_client.steps import Settings

PAGE_MAX = 100  # the API's largest page
ASSET_ID = re.compile(r"^[0-9a-f]{32}$")


def pages(fetch: Callable[[int, str | None], dict], key: str, limit: int | None,
          cursor: str | None = None) -> tuple[list[dict], str | None]:
    """Items across pages until `limit` of them (None: all); also the cursor that goes on after them
    (None when the list is at its end). A filtered page may be short while the list goes on."""
    items: list[dict] = []
    while True:
        want = PAGE_MAX if limit is None else min(PAGE_MAX, limit - len(items))
        page = fetch(want, cursor)
        items += page[key]
        cursor = page.get("next") or None
        if cursor is None or (limit is not None and len(items) >= limit):
            return items, cursor


def _limit(args) -> int | None:
    if args.all:
        return None
    if args.limit < 1:
        raise UsageError("--limit must be 1 or more (or give --all)")
    return args.limit


def _more(console: Console, what: str, cursor: str | None, shown: int) -> None:
    """The API gives a cursor after a full page without knowing whether anything follows it: "may"."""
    if cursor:
        noun = what if shown != 1 else what[:-1]
        console.say(f"{shown} {noun} shown, newest first; there may be more: --limit N shows N, --all every one, "
                    f"--next {cursor} the ones after these")


def cmd_list(client: Client, console: Console, settings: Settings, args) -> int:
    assets, cursor = pages(lambda limit, after: client.list_assets(limit, after, args.status, args.source_asset_id),
                           "assets", _limit(args), args.next)
    if args.ids:
        for asset in assets:
            console.result(asset["asset_id"])
    elif assets:
        table(console, ("ASSET ID", "STATUS", "CREATED (UTC)", "PIXELS", "BYTES", "FILENAME", "FROM / REASON"),
              [(a["asset_id"], a.get("status"), when(a.get("created_at")), _pixels(a), _count(a.get("size")),
                a.get("filename") or "", _origin(a)) for a in assets])
    else:
        console.say("no assets" + (" match" if args.status or args.source_asset_id else ""))
    console.document({"assets": assets, "next": cursor})
    _more(console, "assets", cursor, len(assets))
    return EXIT_OK


def cmd_jobs(client: Client, console: Console, settings: Settings, args) -> int:
    jobs, cursor = pages(lambda limit, after: client.list_jobs(limit, after, args.status), "jobs", _limit(args),
                         args.next)
    if args.ids:
        for job in jobs:
            console.result(str(job["job_id"]))
    elif jobs:
        table(console, ("JOB ID", "STATUS", "TOTAL", "DONE", "SUCCEEDED", "FAILED", "CREATED (UTC)", "FINISHED (UTC)"),
              [(str(j["job_id"]), j.get("status"), *(_count((j.get("progress") or {}).get(k))
                                                     for k in ("total", "done", "succeeded", "failed")),
                when(j.get("created_at")), when(j.get("finished_at"))) for j in jobs])
    else:
        console.say("no jobs" + (" match" if args.status else ""))
    console.document({"jobs": jobs, "next": cursor})
    _more(console, "jobs", cursor, len(jobs))
    return EXIT_OK


def cmd_delete(client: Client, console: Console, settings: Settings, args) -> int:
    """Each id in turn; one that is not there (404) or cannot be deleted is reported and the rest go on."""
    ids = list(dict.fromkeys(args.asset_ids))
    wrong = [i for i in ids if not ASSET_ID.match(i)]
    if wrong:  # before anything is deleted: a file name or a job id given by mistake
        raise UsageError(f"not an asset id (32 lowercase hex characters): {', '.join(wrong)}; nothing was deleted")
    deleted: list[dict] = []
    kept: list[str] = []
    failed: list[dict] = []
    gone: dict[str, str] = {}  # asset id -> the id whose cascade deleted it
    for asset_id in ids:
        if asset_id in gone:
            console.say(f"{asset_id}: deleted already with {gone[asset_id]} (--cascade)")
            continue
        try:
            answer = client.delete_asset(asset_id, cascade=args.cascade)
        except ApiRefused as exc:
            reason = "no such asset for this key" if exc.status == 404 else f"refused ({exc.status}): {exc.message}"
            console.say(f"not deleted: {asset_id}: {reason}")
            failed.append({"asset_id": asset_id, "status": exc.status, "error": exc.message})
            continue
        for entry in answer["deleted"]:
            gone[entry["asset_id"]] = asset_id
            deleted.append(entry)
            console.result(described(entry, asset_id))
        for derived in answer.get("kept_derived") or []:
            if derived not in kept:
                kept.append(derived)
                console.say(f"kept {derived}: made from {asset_id}; --cascade deletes it too")
    kept = [k for k in kept if k not in gone]  # a later id's cascade may have deleted it
    console.document({"deleted": deleted, "kept_derived": kept, "failed": failed})
    return EXIT_OK if not failed else EXIT_FAILED


def described(entry: dict, asked: str) -> str:
    """`deleted <id>: 2 conversions (cutout, white), 3 files` (+ `, made from <asked>` for a cascade)."""
    names = entry.get("conversions") or []
    conversions = f"{len(names)} conversion{'' if len(names) == 1 else 's'}" + (f" ({', '.join(names)})" if names else "")
    objects = entry.get("objects", 0)
    made = f", made from {asked}" if entry["asset_id"] != asked else ""
    return f"deleted {entry['asset_id']}: {conversions}, {objects} file{'' if objects == 1 else 's'}{made}"


def table(console: Console, header: tuple[str, ...], rows: list[tuple]) -> None:
    """Columns as wide as their widest cell, two spaces apart; the last one is not padded."""
    cells = [header, *[tuple("" if c is None else str(c) for c in row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        console.result("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def when(stamp: str | None) -> str:
    """`2025-05-01T12:34:56.789Z` -> `2025-05-01 12:34:56` (the header says UTC)."""
    return stamp[:19].replace("T", " ") if stamp else ""


def _pixels(asset: dict) -> str:
    return f"{asset['width']}x{asset['height']}" if asset.get("width") and asset.get("height") else ""


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else ""


def _origin(asset: dict) -> str:
    """Why it was rejected, and where it came from: the asset it was made from, or its URL."""
    made = f"made from {asset['source_asset_id']}" if asset.get("source_asset_id") else None
    return "; ".join(p for p in (asset.get("reason"), made, asset.get("source_url")) if p)
