"""Imaging benchmark: per-stage times, render/floor ratio, model inference, PNG levels, peak RSS.

Plain Python, prints tables. Run from the repo root: `.venv/bin/python bench/imaging.py`.
Inputs are built from the committed sample photo (upscaled); a synthetic photo is used if absent.
"""
from __future__ import annotations

import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from imagegraphics.imaging import RenderLimits, render_asset
from imagegraphics.imaging.compose import alpha_to_8bit
from imagegraphics.imaging.decode import decode
from imagegraphics.imaging.encode import encode_png
from imagegraphics.request import parse_request
from imagegraphics.segmentation.segmenter import Matte

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "events" / "samples" / "astronaut.jpg"
MODEL = ROOT / "models" / "selfie_segmentation.onnx"
ASSET, BG, BORDER = "a" * 32, "b" * 32, "c" * 32
SIZES = {"1MP": (1155, 866), "12MP": (4000, 3000), "24MP": (6000, 4000)}
STAGES = ("decode", "resize", "mask", "refine", "composite", "encode")
TARGETS = ("targets: 12 MP render <= 1.0x floor (Pillow decoding the JPEG and writing PNG level 1);"
           " the CLI process <= 1.25x the floor process; mask+refine <= 0.35 s at 12 MP with u2netp;"
           " 24 MP peak RSS <= 1 GB")


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def source_photo() -> Image.Image:
    if SAMPLE.exists():
        return Image.open(SAMPLE).convert("RGB")
    rng = np.random.default_rng(0)  # smooth synthetic scene with a bright blob as "subject"
    y, x = np.mgrid[0:512, 0:512] / 512.0
    subject = (((x - 0.5) ** 2 + (y - 0.55) ** 2) < 0.08)[..., None]
    scene = np.stack([160 + 60 * x, 120 + 80 * y, 90 + 40 * x * y], -1)
    pixels = np.where(subject, [220, 180, 150], scene) + rng.normal(0, 4, (512, 512, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def inputs(size: tuple[int, int]) -> dict[str, bytes]:
    """The asset at `size`, a 1920x1080 background and a 1000x1000 ring border."""
    photo = source_photo()
    scale = max(size[0] / photo.width, size[1] / photo.height)
    big = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.Resampling.BICUBIC)
    left, top = (big.width - size[0]) // 2, (big.height - size[1]) // 2
    asset = big.crop((left, top, left + size[0], top + size[1]))
    gradient = np.linspace(0, 255, 1920, dtype=np.float32)[None, :, None] * np.ones((1080, 1, 3))
    background = Image.fromarray((gradient * [0.3, 0.6, 1.0]).astype(np.uint8))
    ring = Image.new("RGBA", (1000, 1000), (20, 20, 20, 255))
    ring.paste((0, 0, 0, 0), (30, 30, 970, 970))
    return {ASSET: jpeg(asset), BG: jpeg(background), BORDER: png(ring)}


class DictLoader:
    def __init__(self, images):
        self.images = images

    def load(self, asset_id):
        return self.images[asset_id]

    def load_url(self, url):
        return self.images[url]


class StandIn:
    """Used only when the model is not built: border-colour distance matte at full resolution."""

    def matte(self, image, mode="auto", strength="medium", remove_artifacts=True) -> Matte:
        rgb = np.asarray(image, dtype=np.float32)
        border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]).mean(axis=0)
        return Matte(alpha_to_8bit(np.clip(np.linalg.norm(rgb - border, axis=-1) / 60.0, 0, 1)), "stand-in")


def segmenter():
    try:
        from imagegraphics.segmentation import get_segmenter

        real = get_segmenter()
        real.alpha(source_photo(), mode="auto")  # opens every session the render will use
        return real, "model"
    except Exception as exc:  # the bench runs with whatever is built
        print(f"(segmenter unavailable: {type(exc).__name__}: {exc}; using a stand-in)")
        return StandIn(), "stand-in"


REQUEST = {
    "assets": [{ASSET: {"options": {}}}],
    "operations": [
        {"bg_remove": {"options": {"mode": "portrait"}}},
        {"bg_add": {"options": {"image_id": BG, "mode": "as-is"}}},
        {"border_add": {"options": {"image_id": BORDER}}},
    ],
}


def floor_once(data: bytes) -> float:
    """Pillow decoding the JPEG and re-encoding it as PNG level 1: what any service must at least do."""
    start = time.perf_counter()
    Image.open(io.BytesIO(data)).save(io.BytesIO(), "PNG", compress_level=1)
    return time.perf_counter() - start


def render_once(images, seg, options: dict | None = None) -> tuple[float, dict]:
    req = parse_request({**REQUEST, "assets": [{ASSET: {"options": options or {}}}]})
    start = time.perf_counter()
    result = render_asset(req, 0, DictLoader(images), seg)
    return time.perf_counter() - start, result.timings


def measure(label: str, seg, repeats: int, options: dict | None = None, name: str = "") -> dict:
    """Medians of floor and render runs taken in turn, so a host that speeds up or slows down
    meanwhile moves both (the stages shown are those of the median render)."""
    images = inputs(SIZES[label])
    render_once(images, seg, options)  # the first render of a size pays its page faults
    floors, runs = [], []
    for _ in range(repeats):
        floors.append(floor_once(images[ASSET]))
        runs.append(render_once(images, seg, options))
    total, timings = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    return {"label": name or label, "floor": statistics.median(floors), "total": total, **timings}


def model_inference_ms(repeats: int = 20) -> str:
    if not MODEL.exists():
        return "n/a (model not built)"
    import onnxruntime as ort

    session = ort.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: np.random.rand(1, 256, 256, 3).astype(np.float32)}
    session.run(None, feed)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.run(None, feed)
        times.append((time.perf_counter() - start) * 1000)
    return f"{statistics.median(times):.1f} ms median, {min(times):.1f} ms min ({repeats} runs)"


def png_levels(label: str = "12MP") -> None:
    image = decode(inputs(SIZES[label])[ASSET], RenderLimits().max_pixels)
    print(f"\nPNG encoders on the {label} photo: Pillow at levels 1-6 (optimize off unless noted), then"
          f" imaging.png (ours) on the photo and on a cut-out of it (RGBA), and Pillow level 1 on that")
    print(f"{'level':>10} {'seconds':>8} {'MB':>7}")
    for level, optimize in [(1, False), (2, False), (3, False), (4, False), (5, False), (6, False),
                            (1, True)]:
        buffer = io.BytesIO()
        start = time.perf_counter()
        image.save(buffer, "PNG", compress_level=level, optimize=optimize)
        seconds = time.perf_counter() - start
        name = f"{level}{' +opt' if optimize else ''}"
        print(f"{name:>10} {seconds:8.2f} {len(buffer.getvalue()) / 1e6:7.2f}")
    cutout = image.convert("RGBA")
    cutout.putalpha(Image.radial_gradient("L").resize(image.size))
    for name, picture in (("ours RGB", image), ("ours RGBA", cutout)):
        start = time.perf_counter()
        data, _ = encode_png(picture)
        print(f"{name:>10} {time.perf_counter() - start:8.2f} {len(data) / 1e6:7.2f}")
    start = time.perf_counter()
    cutout.save(buffer := io.BytesIO(), "PNG", compress_level=1)
    print(f"{'1 RGBA':>10} {time.perf_counter() - start:8.2f} {len(buffer.getvalue()) / 1e6:7.2f}")


FLOOR_PROCESS = ("import io, sys; from PIL import Image; "
                 "Image.open(sys.argv[1]).save(io.BytesIO(), 'PNG', compress_level=1)")
# What the CLI process loads before it renders, and nothing else: its start-up share of the ratio.
IMPORTS_PROCESS = ("from imagegraphics import startup; startup.before_imports(); "
                   "import imagegraphics.cli, imagegraphics.request.parse, onnxruntime, cv2; "
                   "import imagegraphics.imaging.pipeline, imagegraphics.segmentation.segmenter; "
                   "startup.imports_done(); startup.before_exit()")


def process_ratio(label: str = "12MP", runs: int = 7) -> str:
    """The whole CLI process (start, imports, models, the full flow, PNG written) against a process
    that only decodes the JPEG and writes PNG level 1 with Pillow: medians of alternating runs.
    A process that only imports what the CLI imports shows how much of the ratio start-up takes."""
    images = inputs(SIZES[label])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = {}
        for asset_id, data in images.items():
            paths[asset_id] = folder / asset_id
            paths[asset_id].write_bytes(data)
        (folder / "req.json").write_text(json.dumps({**REQUEST, "assets": [{ASSET: {}}]}))
        cli = [sys.executable, "-m", "imagegraphics", "render", "--request", str(folder / "req.json"),
               "--out", str(folder / "out"), *[f"--asset={k}={v}" for k, v in paths.items()]]
        floor = [sys.executable, "-c", FLOOR_PROCESS, str(paths[ASSET])]
        imports = [sys.executable, "-c", IMPORTS_PROCESS]
        times: dict[str, list[float]] = {"cli": [], "floor": [], "imports": []}
        for _ in range(runs):
            for name, command in (("cli", cli), ("floor", floor), ("imports", imports)):
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, timeout=600)
                times[name].append(time.perf_counter() - start)
    cli_s, floor_s, imports_s = (statistics.median(times[k]) for k in ("cli", "floor", "imports"))
    return (f"{cli_s:.2f} s against {floor_s:.2f} s: {cli_s / floor_s:.2f}x (median of {runs} each);"
            f" of which starting and importing alone {imports_s:.2f} s = {imports_s / floor_s:.2f}x,"
            f" the render and the write {cli_s - imports_s:.2f} s = {(cli_s - imports_s) / floor_s:.2f}x")


def rss_child(label: str) -> None:
    """Entry for the subprocess: one full render, then report this process's peak RSS."""
    seg, _ = segmenter()
    images = inputs(SIZES[label])
    render_once(images, seg)
    print(json.dumps({"maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def peak_rss(label: str) -> float:
    done = subprocess.run([sys.executable, __file__, "--rss-child", label], capture_output=True,
                          text=True, check=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])["maxrss_mb"]


def main() -> None:
    seg, kind = segmenter()
    print(f"sample: {SAMPLE.name if SAMPLE.exists() else 'synthetic'}; segmenter: {kind}")
    web = {"size": {"width": 1000, "height": 1000}}  # shrunk: the JPEG is decoded at 1/2 scale
    rows = [measure("1MP", seg, 5), measure("12MP", seg, 7), measure("12MP", seg, 3, web, "12>1k")]
    header = (f"{'input':>6} " + " ".join(f"{s:>9}" for s in STAGES)
              + f" {'render':>8} {'floor':>7} {'ratio':>6}")
    print("\nfull render (bg_remove + bg_add image as-is + border), seconds, medians of runs in turn with the floor;"
          " 12>1k: 12 MP asset with size 1000x1000 (floor: the 12 MP decode + encode)")
    print(header)
    for row in rows:
        stages = " ".join(f"{row.get(s, 0.0):9.3f}" for s in STAGES)
        print(f"{row['label']:>6} {stages} {row['total']:8.3f} {row['floor']:7.3f} "
              f"{row['total'] / row['floor']:6.2f}")
    big = rows[1]
    print(f"\n12 MP mask+refine: {big['mask'] + big['refine']:.3f} s; "
          f"render/floor: {big['total'] / big['floor']:.2f}x")
    print(f"model inference (256x256, onnxruntime CPU): {model_inference_ms()}")
    print(f"24 MP full render peak RSS (subprocess): {peak_rss('24MP'):.0f} MB")
    print(f"12 MP full flow as a whole CLI process vs Pillow decode + PNG level 1 as a process: {process_ratio()}")
    png_levels()
    print("\n" + TARGETS)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--rss-child":
        rss_child(sys.argv[2])
    else:
        sys.path.insert(0, str(ROOT))  # run as a script: make `bench.*` importable
        from bench.imaging_extensions import extensions

        if sys.argv[1:] != ["--extensions"]:
            main()
        extensions()
