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
        return Matte(np.clip(np.linalg.norm(rgb - border, axis=-1) / 60.0, 0, 1), "stand-in")


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
    images = inputs(SIZES[label])
    floor = min(floor_once(images[ASSET]) for _ in range(repeats))
    runs = [render_once(images, seg, options) for _ in range(repeats)]
    total, timings = min(runs, key=lambda run: run[0])
    return {"label": name or label, "floor": floor, "total": total, **timings}


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


def process_ratio(label: str = "12MP", runs: int = 5) -> str:
    """The whole CLI process (start, imports, models, the full flow, PNG written) against a process
    that only decodes the JPEG and writes PNG level 1 with Pillow: medians of alternating runs."""
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
        times: dict[str, list[float]] = {"cli": [], "floor": []}
        for _ in range(runs):
            for name, command in (("cli", cli), ("floor", floor)):
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, timeout=600)
                times[name].append(time.perf_counter() - start)
    cli_s, floor_s = statistics.median(times["cli"]), statistics.median(times["floor"])
    return f"{cli_s:.2f} s against {floor_s:.2f} s: {cli_s / floor_s:.2f}x (median of {runs} each)"


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
    rows = [measure("1MP", seg, 3), measure("12MP", seg, 2), measure("12MP", seg, 2, web, "12>1k")]
    header = (f"{'input':>6} " + " ".join(f"{s:>9}" for s in STAGES)
              + f" {'render':>8} {'floor':>7} {'ratio':>6}")
    print("\nfull render (bg_remove + bg_add image as-is + border), seconds, best of runs;"
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


# -- beyond the public API: output formats, mask output, crop to subject, shadow_add -------------------
# `.venv/bin/python bench/imaging.py --extensions` runs this section alone.
EXTENSION_TARGETS = ("targets: webp and jpeg encodes reported next to PNG at 12 MP; shadow_add <= 0.15 s at"
                     " 12 MP (default blur 10), its reduced-resolution blur within a few levels of a"
                     " full-resolution one")


def best(work, repeats: int = 3, setup=None) -> float:
    """Best wall time of `work(setup())` (setup untimed)."""
    times = []
    for _ in range(repeats):
        arg = setup() if setup is not None else None
        start = time.perf_counter()
        work(arg)
        times.append(time.perf_counter() - start)
    return min(times)


def soft_cutout(image: Image.Image) -> Image.Image:
    """The photo with a cut-out-like alpha: an opaque blob with a soft 3 px edge, transparent around it."""
    from PIL import ImageDraw, ImageFilter

    alpha = Image.new("L", image.size, 0)
    w, h = image.size
    ImageDraw.Draw(alpha).ellipse((w // 5, h // 10, w * 4 // 5, h * 97 // 100), fill=255)
    cut = image.convert("RGBA")
    cut.putalpha(alpha.filter(ImageFilter.GaussianBlur(3)))
    return cut


def format_costs(photo: Image.Image, cut: Image.Image) -> None:
    from imagegraphics.imaging.encode import WEBP_METHOD, encode

    print(f"\noutput formats at 12 MP, seconds (best of 3) and MB; quality 90, webp method {WEBP_METHOD}")
    print(f"{'image':>8} {'format':>6} {'seconds':>8} {'MB':>7} {'x png':>6}")
    for name, picture in (("photo", photo), ("cut-out", cut)):
        png_s = None
        for fmt in ("png", "webp", "jpeg"):
            data = encode(picture, fmt, 90)[0]
            seconds = best(lambda _: encode(picture, fmt, 90))
            png_s = png_s or seconds
            print(f"{name:>8} {fmt:>6} {seconds:8.3f} {len(data) / 1e6:7.2f} {seconds / png_s:6.2f}")
    print("webp effort on the cut-out (method: seconds, MB):", ", ".join(
        f"{m}: {best(lambda _: cut.save(io.BytesIO(), 'WEBP', quality=90, method=m), 2):.2f} s "
        f"{len(_webp(cut, m)) / 1e6:.2f}" for m in (0, 1, 2, 4)))
    for fmt in ("webp", "jpeg"):
        sizes = [len(encode(photo, fmt, q)[0]) / 1e6 for q in (50, 75, 90, 100)]
        print(f"{fmt} MB at quality 50/75/90/100: " + " / ".join(f"{mb:.2f}" for mb in sizes))


def _webp(image: Image.Image, method: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=90, method=method)
    return buffer.getvalue()


def shadow_costs(cut: Image.Image) -> float:
    import cv2

    from imagegraphics.imaging import shadow

    alpha = np.asarray(cut.getchannel("A"))
    print("\nshadow_add at 12 MP (the cut-out over its shadow, in place), seconds (best of 5); its blur alone"
          " at reduced resolution and OpenCV's full-resolution Gaussian (8-bit; not timed past blur 10: minutes);"
          " their largest difference in levels of 255, on the alpha at 1/4 scale with blur/4")
    print(f"{'blur':>6} {'shadow':>8} {'reduced':>8} {'full':>8} {'max diff':>9}")
    quarter = np.asarray(cut.getchannel("A").reduce(4))
    default = 0.0
    for blur in (0, 10, 50, 200):
        spec = shadow.Shadow((0, 0, 0, 255), 0.5, blur, (0, 10))
        seconds = best(lambda image: shadow.cast(image, spec, cut.size, (0, 0), in_place=True), 5, cut.copy)
        default = seconds if blur == 10 else default
        if blur == 0:
            print(f"{blur:>6} {seconds:8.3f} {'-':>8} {'-':>8} {'-':>9}")
            continue
        reduced_s = best(lambda _: shadow.blurred(alpha, blur))
        full_s = "-"
        if blur <= 10:
            padded = np.pad(alpha, shadow.blurred(alpha, blur)[1])
            full_s = f"{best(lambda _: cv2.GaussianBlur(padded, (0, 0), blur), 1):.3f}"
        reduced, pad = shadow.blurred(quarter, blur / 4)
        full = cv2.GaussianBlur(np.pad(quarter, pad).astype(np.float32), (0, 0), blur / 4,
                                borderType=cv2.BORDER_CONSTANT)
        diff = float(np.abs(reduced[:full.shape[0], :full.shape[1]].astype(np.float32) - full).max())
        print(f"{blur:>6} {seconds:8.3f} {reduced_s:8.3f} {full_s:>8} {diff:9.2f}")
    return default


def subject_costs(cut: Image.Image) -> None:
    from imagegraphics.imaging.encode import encode
    from imagegraphics.imaging.subject import crop_to_subject, subject_box
    from imagegraphics.request import MarginValue

    box = subject_box(cut)
    margin = MarginValue("10%", percent=10.0)
    mask = cut.getchannel("A")
    print(f"\nmask output at 12 MP: alpha {best(lambda _: cut.getchannel('A')):.3f} s + grayscale PNG "
          f"{best(lambda _: encode(mask, 'png')):.3f} s ({len(encode(mask, 'png')[0]) / 1e6:.2f} MB)")
    print(f"crop_to_subject at 12 MP: subject box {best(lambda _: subject_box(cut)):.3f} s, crop with a 10% "
          f"margin {best(lambda _: crop_to_subject(cut, box, margin, None)):.3f} s")


def render_increments(seg) -> None:
    """What each option adds to a full 12 MP render (bg_remove, then a white background)."""
    images = inputs(SIZES["12MP"])
    base = [{"bg_remove": {"options": {"mode": "portrait"}}}, {"bg_add": {"options": {"color": "#ffffff"}}}]
    cases = {
        "public API": ({}, base),
        "+ webp": ({"disposition": {"format": "webp"}}, base),
        "+ jpeg": ({"disposition": {"format": "jpeg"}}, base),
        "+ shadow_add": ({}, [base[0], {"shadow_add": {}}, base[1]]),
        "+ crop 10%": ({}, [{"bg_remove": {"options": {"mode": "portrait", "crop_to_subject": {"margin": "10%"}}}},
                           base[1]]),
        "mask": ({}, [{"bg_remove": {"options": {"mode": "portrait", "output": "mask"}}}]),
    }
    print("\nfull 12 MP render with each option, seconds (best of 2): composite and encode stages, total")
    print(f"{'case':>13} {'composite':>9} {'encode':>7} {'total':>7}")
    for name, (options, operations) in cases.items():
        req = parse_request({"assets": [{ASSET: {"options": options}}], "operations": operations})
        runs = []
        for _ in range(2):
            start = time.perf_counter()
            result = render_asset(req, 0, DictLoader(images), seg)
            runs.append((time.perf_counter() - start, result.timings))
        total, timings = min(runs, key=lambda run: run[0])
        print(f"{name:>13} {timings['composite']:9.3f} {timings['encode']:7.3f} {total:7.3f}")


def extensions(seg=None) -> None:
    photo = decode(inputs(SIZES["12MP"])[ASSET], RenderLimits().max_pixels)
    cut = soft_cutout(photo)
    format_costs(photo, cut)
    default_shadow = shadow_costs(cut)
    subject_costs(cut)
    render_increments(seg or segmenter()[0])
    print(f"\n12 MP shadow_add (blur 10): {default_shadow:.3f} s (target <= 0.15 s)")
    print(EXTENSION_TARGETS)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--rss-child":
        rss_child(sys.argv[2])
    elif sys.argv[1:] == ["--extensions"]:
        extensions()
    else:
        main()
        extensions()
