"""`python -m imagegraphics render`: run the imaging engine on local files, no AWS involved.

Writes `<out>/<asset_id>/<conversion name>.<png|webp|jpg>` per asset (the layout conversions have in
the bucket; the extension follows disposition.format) and prints a summary shaped like the job status (`status`, `output`, `error`). Being local,
it says more than the API: an output gives its file path, size and timings instead of a URL, and an
error keeps its HTTP-like `status` and the whole `{"message", "errors"}` body where the job status
flattens it to one line. A request that does not parse prints just that error body (exit 2); an
output that cannot be written stops the run with an error body naming the path (exit 3).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from imagegraphics.errors import AssetMissing, ImageGraphicsError, InvalidRequest, detail
from imagegraphics.imaging import RenderLimits, render_asset


class FileLoader:
    """Asset ids map to files given on the command line; image_url may only be a file:// URL."""

    def __init__(self, files: dict[str, Path]):
        self.files = files

    def load(self, asset_id: str) -> bytes:
        if asset_id not in self.files:
            raise AssetMissing(f"asset {asset_id} not found: pass --asset {asset_id}=PATH")
        return self._read(self.files[asset_id])

    def load_url(self, url: str) -> bytes:
        parsed = urlparse(url)
        if parsed.scheme != "file":
            raise AssetMissing(f"{url} not fetched: the command line reads only file:// URLs")
        return self._read(Path(unquote(parsed.path)))

    @staticmethod
    def _read(path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise AssetMissing(f"cannot read {path}: {exc.strerror}") from exc


def _asset_arg(text: str) -> tuple[str, Path]:
    asset_id, sep, path = text.partition("=")
    if not sep or not asset_id or not path:
        raise argparse.ArgumentTypeError(f"expected ID=PATH, got {text!r}")
    if not Path(path).is_file():
        raise argparse.ArgumentTypeError(f"no such file: {path}")
    return asset_id, Path(path)


def _folder_arg(text: str) -> Path:
    # A mistyped folder would otherwise mean "no models": auto and product would fall back to the
    # backdrop colour distance and answer "no foreground found" for the wrong reason.
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"no such folder: {text}")
    return Path(text)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m imagegraphics")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="render every asset of a request from local files")
    render.add_argument("--request", required=True, type=Path, help="Image Graphics request (JSON)")
    render.add_argument("--asset", action="append", type=_asset_arg, default=[], metavar="ID=PATH",
                        help="file for an asset id or image_id used by the request (repeatable)")
    render.add_argument("--out", type=Path, default=Path("out"), help="output folder (default out/)")
    render.add_argument("--models-dir", type=_folder_arg, help="folder with the segmentation models")
    render.add_argument("--max-pixels", type=_positive_int, default=RenderLimits.max_pixels)
    render.add_argument("--max-side", type=_positive_int, default=10000, help="largest side a size may ask for")
    return parser


def _load_request(path: Path, max_side: int):
    from imagegraphics.request import RequestLimits, json_object, parse_request

    try:
        text = path.read_bytes()
    except OSError as exc:
        raise InvalidRequest("request file is not readable", [detail([], f"{path}: {exc.strerror}")]) from exc
    # Offline by design: graphics image_url may only name a local file (file://).
    return parse_request(json_object(text), RequestLimits(max_side=max_side, image_url_schemes=("file",)))


def _write_atomically(path: Path, data: bytes) -> None:
    """Never leave a half-written file where a previous output was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(args: argparse.Namespace) -> int:
    try:
        req = _load_request(args.request, args.max_side)
    except ImageGraphicsError as exc:
        print(json.dumps(exc.to_body(), indent=2), file=sys.stderr)
        return 2
    segmenter = None
    if args.models_dir is not None and any(op.name == "bg_remove" for op in req.operations):
        from imagegraphics.segmentation import get_segmenter

        segmenter = get_segmenter(args.models_dir)
    loader = FileLoader(dict(args.asset))
    limits = RenderLimits(max_pixels=args.max_pixels)
    summary: dict = {"status": "OK", "output": [], "error": []}
    for index, entry in enumerate(req.assets):
        name = entry.options.disposition.conversion_name_or_default
        try:
            result = render_asset(req, index, loader, segmenter, limits)
        except ImageGraphicsError as exc:
            summary["error"].append({"name": name, "asset_id": entry.asset_id, "status": exc.status,
                                     "code": exc.code, "error": exc.to_body()})
            continue
        path = args.out / entry.asset_id / f"{name}.{entry.options.disposition.extension}"
        try:
            _write_atomically(path, result.data)
        except OSError as exc:
            # Every later asset would fail the same way: stop, saying where and why.
            body = {"message": "cannot write the output", "errors": [
                detail(["--out"], f"{exc.filename or path}: {exc.strerror or exc}")]}
            print(json.dumps(body, indent=2), file=sys.stderr)
            return 3
        summary["output"].append({
            "name": name, "asset_id": entry.asset_id, "path": str(path), "content_type": result.content_type,
            "width": result.width, "height": result.height, "notes": result.notes,
            "timings_ms": {k: round(v * 1000, 1) for k, v in result.timings.items()},
        })
    if summary["error"]:
        summary["status"] = "ERROR"
    print(json.dumps(summary, indent=2))
    return 1 if summary["error"] else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return render(args)
