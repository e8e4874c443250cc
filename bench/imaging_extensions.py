"""The 12 MP cost of what goes beyond the public API: output formats, mask output, crop to subject,
shadow_add. Run by `bench/imaging.py` after its main tables; `bench/imaging.py --extensions` runs it alone.
"""
from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image

from bench.imaging import ASSET, SIZES, DictLoader, inputs, segmenter
from imagegraphics.imaging import RenderLimits, render_asset
from imagegraphics.imaging.decode import decode
from imagegraphics.request import parse_request

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
