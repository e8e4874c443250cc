"""A catalogue through `imagegraphics-client run` on the local stack; prints a table.

Generates N small product shots (64-128 px, a shaded ball on white, JPEG and PNG, 100 to a folder),
starts the local stack (local.harness.LocalStack, as `make demo` does) and runs the installed console
script on the whole folder, as a user would, with a fast flow (a white background and a size: no model,
so the figures are the client's and the stack's) or `--flow product` (background removal in product
mode: the model's time per image, about a second on a busy 2-core host, then dominates):

- wall time, files per second, jobs made (at most 1,000 assets each), files written and failed;
- the client's peak RSS (its own process, from wait4) and the stack's: VmHWM of each of its processes
  (moto's server; the gateway with the API's handlers; the processor pumps) and their sum;
- a resume check on a second folder (--resume-files): the run is interrupted with Ctrl-C (SIGINT) once
  half its files are done, then run again; the table gives the exit status of each, how many files the
  first had finished and uploaded, and how many of those the rerun uploaded again (must be 0).

--max-seconds stops the main run as a user would (Ctrl-C) after that long, and the table gives what it
finished by then: on a busy small host 10,000 files can take longer than one wants to wait.

Usage: python bench/catalogue.py [--files 10000] [--flow fast|product] [--resume-files 400] [--concurrency 8]
                                 [--pumps 1] [--max-seconds 0]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local import samples
from local.harness import LocalStack

SCRIPT = Path(sys.executable).with_name("imagegraphics-client")
# product: the model runs on every image (U2-Net small, then the backdrop correction); fast: a white
# background and a size, no model, so the figures are the client's and the stack's, not the model's.
FLOWS = {"product": {"operations": [{"bg_remove": {"options": {"mode": "product"}}}],
                     "options": {"disposition": {"add_as_conversion": True, "conversion_name": "cutout"}}},
         "fast": {"operations": [{"bg_add": {"options": {"color": "#ffffff"}}}],
                  "options": {"size": {"width": 64, "height": 64},
                              "disposition": {"add_as_conversion": True, "conversion_name": "white-64"}}}}
MANIFEST = ".imagegraphics-manifest.jsonl"
PER_FOLDER = 100


def make_catalogue(root: Path, count: int) -> Path:
    """count product shots in root/<category>/<sku>.{jpg,png}, sizes 64 to 128 px."""
    shots: dict[tuple[int, str], bytes] = {}
    for i in range(count):
        side, fmt = 64 + (i * 7) % 65, "JPEG" if i % 3 else "PNG"
        data = shots.get((side, fmt)) or shots.setdefault((side, fmt), samples.product(side, side, fmt))
        path = root / f"category-{i // PER_FOLDER:03d}" / f"sku-{i:05d}.{'jpg' if fmt == 'JPEG' else 'png'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


# What each of the stack's processes is, by a word of its command line.
ROLES = (("local.motoserver", "moto (S3, SQS, DynamoDB)"), ("local.serve", "gateway and handlers"),
         ("spawn_main", "processor pumps"), ("resource_tracker", "multiprocessing tracker"))


def peak_rss_by_process(pid: int) -> list[tuple[str, float]]:
    """(role, VmHWM in MB) of a process and of each of its children: the stack's peak resident memory,
    process by process."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:  # "pid (command) state ppid ...": the command may hold spaces and parentheses
            children.setdefault(int(stat.read_text().rpartition(")")[2].split()[1]), []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    peaks, pending = [], [pid]
    while pending:
        current = pending.pop()
        pending += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
            command = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            continue
        role = next((name for word, name in ROLES if word in command), command[:40])
        peaks.append((role, peak / 1024))
    return peaks


def run_client(env: dict, args: list[str], interrupt_when=None) -> tuple[int, float, float, float]:
    """Exit status, wall seconds, peak RSS (MB) and CPU seconds of one client run; `interrupt_when()`
    true: Ctrl-C."""
    started = time.monotonic()
    # stderr to a file, not a pipe: a pipe nobody reads while the run goes would fill and stall it.
    with open(os.devnull, "w") as sink, tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen([str(SCRIPT), "--progress", "never", "--timeout", "7200", *args], env=env,
                                   stdout=sink, stderr=errors, text=True)
        # os.wait4, not Popen.poll: the child is reaped here, with its resource usage (peak RSS).
        interrupted, (pid, status, usage) = False, os.wait4(process.pid, os.WNOHANG)
        while not pid:
            if interrupt_when is not None and not interrupted and interrupt_when():
                process.send_signal(signal.SIGINT)
                interrupted = True
            time.sleep(0.2)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read()
    if process.returncode not in (0, 130):
        print(stderr[-3000:], file=sys.stderr)
    return process.returncode, time.monotonic() - started, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def manifest(out: Path) -> dict[str, dict]:
    """The last line about each input."""
    last: dict[str, dict] = {}
    path = out / MANIFEST
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            last[record["input"]] = record
    return last


def outputs(out: Path) -> int:
    return sum(1 for p in out.rglob("*") if p.is_file() and p.name != MANIFEST and not p.name.endswith(".part"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="catalogue size (10000)")
    parser.add_argument("--resume-files", type=int, default=400, help="files of the resume check (400; 0 skips it)")
    parser.add_argument("--concurrency", type=int, default=8, help="the client's --concurrency (8)")
    parser.add_argument("--pumps", type=int, default=1, help="processor pumps of the local stack (1)")
    parser.add_argument("--max-seconds", type=float, default=0,
                        help="Ctrl-C the main run after this many seconds and report what it finished (0: never)")
    parser.add_argument("--flow", choices=sorted(FLOWS), default="fast",
                        help="fast: bg_add white + size (no model); product: bg_remove mode product (fast)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="imagegraphics-catalogue-"))
    request = work / "request.json"
    request.write_text(json.dumps(FLOWS[args.flow]))
    made = time.monotonic()
    photos = make_catalogue(work / "photos", args.files)
    print(f"generated {args.files} images in {time.monotonic() - made:.1f} s under {work}", file=sys.stderr)
    rows: list[tuple[str, str]] = []
    with LocalStack(port=0, processor_pumps=args.pumps) as stack:
        env = dict(os.environ, IMAGEGRAPHICS_ENDPOINT=stack.url, IMAGEGRAPHICS_API_KEY=next(iter(stack.api_keys)))
        out = work / "out"
        started = time.monotonic()
        limit = (lambda: time.monotonic() - started > args.max_seconds) if args.max_seconds else None
        code, wall, client_mb, client_cpu = run_client(env, ["--concurrency", str(args.concurrency), "run", "--request",
                                                 str(request), "--out", str(out), str(photos)], interrupt_when=limit)
        records = manifest(out)
        outcomes = [r["outcome"] for r in records.values()]
        done, failed = outcomes.count("done"), outcomes.count("failed") + outcomes.count("rejected")
        rows += [("files", f"{args.files}"),
                 ("exit status", f"{code}" + (f" (Ctrl-C after {args.max_seconds:.0f} s)" if code == 130 else "")),
                 ("written", f"{outputs(out)}"), ("failed", f"{failed}"),
                 ("unfinished", f"{args.files - done - failed}"),
                 ("jobs", f"{len({r['job_id'] for r in records.values() if r['job_id'] is not None})}"),
                 ("wall time", f"{wall:.0f} s"), ("files per second", f"{done / wall:.2f}"),
                 ("client peak RSS", f"{client_mb:.0f} MB"), ("client CPU time", f"{client_cpu:.0f} s"),
                 *stack_rows(peak_rss_by_process(stack._proc.pid))]
        if args.resume_files:
            rows += resume_check(env, work, request, args)
    width = max(len(name) for name, _ in rows)
    print(f"\nimagegraphics-client run, {args.files} images 64-128 px, flow {args.flow}: "
          f"{json.dumps(FLOWS[args.flow]['operations'])}, "
          f"--concurrency {args.concurrency}, {args.pumps} processor pump(s), {os.cpu_count()} CPUs")
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def stack_rows(peaks: list[tuple[str, float]]) -> list[tuple[str, str]]:
    return [("stack peak RSS", f"{sum(mb for _, mb in peaks):.0f} MB, the sum of:"),
            *((f"  {role}", f"{mb:.0f} MB") for role, mb in peaks)]


def resume_check(env: dict, work: Path, request: Path, args) -> list[tuple[str, str]]:
    photos = make_catalogue(work / "resume", args.resume_files)
    out = work / "resume-out"
    command = ["--concurrency", str(args.concurrency), "run", "--request", str(request), "--out", str(out), str(photos)]

    def half_done() -> bool:
        try:
            text = (out / MANIFEST).read_text()
        except OSError:
            return False
        return text.count('"outcome": "done"') >= args.resume_files // 2

    first_code, first_wall, _, _ = run_client(env, command, interrupt_when=half_done)
    before = manifest(out)
    finished = {key for key, r in before.items() if r["outcome"] == "done"}
    uploaded = {key for key, r in before.items() if r["asset_id"]}
    second_code, second_wall, _, _ = run_client(env, command)
    after = manifest(out)
    again = {key for key in uploaded if after[key]["asset_id"] != before[key]["asset_id"]}
    done_after = sum(1 for r in after.values() if r["outcome"] == "done")
    return [("resume: files", f"{args.resume_files}"),
            ("resume: 1st run (Ctrl-C at half)",
             f"exit {first_code} after {first_wall:.0f} s: {len(finished)} done, {len(uploaded)} uploaded"),
            ("resume: 2nd run",
             f"exit {second_code} after {second_wall:.0f} s: {done_after} done, {outputs(out)} files in --out"),
            ("resume: uploaded again",
             f"{len(again & finished)} of {len(finished)} finished, {len(again)} of {len(uploaded)} uploaded (must be 0)")]


if __name__ == "__main__":
    main()
