"""Speed at 12 MP and peak memory at 24 MP of each bg_remove mode, for bench/quality.py.

Times come from the matte's own timings ("mask" includes inference, "refine" is the upsampling
to full resolution) and a clock around the whole call; each is the median of RUNS calls after
one warm-up call (sessions opened, thread pools started). Peak memory is measured in a fresh
child process that loads a 24 MP image and makes one call.
"""
from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from bench import quality_set as generated
from imagegraphics.errors import ImageGraphicsError
from imagegraphics.segmentation import get_segmenter

REPO = Path(__file__).resolve().parents[1]
QUALITY = REPO / "bench" / "quality.py"
PHOTO = REPO / "events" / "samples" / "astronaut.jpg"
RUNS = 3
RSS_SIZE = (6000, 4000)
STAGES = ("inference", "mask", "refine")
KEYS = (*STAGES, "mask_refine", "call")
COLUMNS = (("inference", 10), ("mask", 8), ("refine", 8), ("mask+refine", 12), ("call", 8))  # heading, width


def cover(photo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The photo scaled to cover `size` and centre-cropped (no distortion)."""
    scale = max(size[0] / photo.width, size[1] / photo.height)
    big = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.BICUBIC)
    left, top = (big.width - size[0]) // 2, (big.height - size[1]) // 2
    return big.crop((left, top, left + size[0], top + size[1]))


def timing_images(size: tuple[int, int], seed: int) -> dict[str, Image.Image]:
    """A generated product shot rendered at `size`, and the sample portrait upscaled to it."""
    return {"shadow-1": generated.sample("shadow-1", size, seed).image,
            "astronaut": cover(Image.open(PHOTO).convert("RGB"), size)}


def one_call(seg, mode: str, image: Image.Image) -> dict:
    start = time.perf_counter()
    matte = seg.matte(image, mode=mode)
    call = time.perf_counter() - start
    stages = {stage: matte.timings.get(stage, 0.0) for stage in STAGES}
    return {**stages, "mask_refine": stages["mask"] + stages["refine"], "call": call, "choice": matte.choice}


def run(seg, modes: list[str], size: tuple[int, int], seed: int, models_dir: Path | None) -> dict:
    images = timing_images(size, seed)
    print(f"\nTime per call at {size[0]}x{size[1]} ({size[0] * size[1] / 1e6:.0f} MP), median of {RUNS} "
          f"after a warm-up, ms")
    print(f"{'mode':<10}{'image':<11}{'ran':<10}" + "".join(f"{head:>{w}}" for head, w in COLUMNS))
    rows, failed = [], []
    for mode in modes:
        for name, image in images.items():
            try:
                one_call(seg, mode, image)
                runs = [one_call(seg, mode, image) for _ in range(RUNS)]
            except ImageGraphicsError as exc:
                failed.append(f"{mode} on {name}: {type(exc).__name__}: {exc.message}")
                print(f"{mode:<10}{name:<11}failed: {exc.message}")
                continue
            row = {"mode": mode, "image": name, "choice": runs[-1]["choice"]}
            row |= {key: statistics.median(r[key] for r in runs) for key in KEYS}
            rows.append(row)
            print(f"{mode:<10}{name:<11}{row['choice']:<10}" + "".join(
                f"{row[key] * 1000:{w}.0f}" for key, (_, w) in zip(KEYS, COLUMNS)))
    rss = peak_rss(modes, images["astronaut"], models_dir)  # a portrait: no mode refuses it
    peaks = ", ".join(f"{m} {'failed' if mb is None else f'{mb:.0f} MB'}" for m, mb in rss.items())
    print(f"\n24 MP peak RSS ({RSS_SIZE[0]}x{RSS_SIZE[1]} astronaut; a fresh process loads the image and makes "
          f"one call, models loaded cold): {peaks}")
    return {"size": size, "runs": RUNS, "rows": rows, "failed": failed, "rss_size": RSS_SIZE, "rss_mb": rss}


def peak_rss(modes: list[str], image: Image.Image, models_dir: Path | None) -> dict[str, float | None]:
    """Peak RSS in MB of one 24 MP call per mode, each in its own child process."""
    peaks: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "24mp.bmp"  # uncompressed: quick to write and to read back
        image.resize(RSS_SIZE, Image.BICUBIC).save(path)
        for mode in modes:
            command = [sys.executable, str(QUALITY), "--rss-child", str(path), mode]
            command += [str(models_dir)] if models_dir else []
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                print(f"  rss child for {mode} failed: {done.stderr.strip().splitlines()[-1:]}")
                peaks[mode] = None
                continue
            peaks[mode] = json.loads(done.stdout.strip().splitlines()[-1])["peak_mb"]
    return peaks


def peak_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts from its
    parent's peak (a child of a 1.5 GB parent reported 1.5 GB before doing anything), while
    VmHWM belongs to the child's own address space. ru_maxrss where /proc is missing."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_child(argv: list[str]) -> None:
    """Entry point of the child: `--rss-child IMAGE MODE [MODELS_DIR]`; prints {"peak_mb": ...}."""
    path, mode = argv[0], argv[1]
    seg = get_segmenter(argv[2] if len(argv) > 2 else None)
    image = Image.open(path)
    image = image if image.mode == "RGB" else image.convert("RGB")
    image.load()
    try:
        seg.matte(image, mode=mode)
    except ImageGraphicsError:
        pass  # a refusal still costs what it cost up to that point
    print(json.dumps({"peak_mb": peak_mb()}))
