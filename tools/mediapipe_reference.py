"""Run MediaPipe's own selfie segmentation on prepared images (reference for the golden masks).

Runs inside the side environment .venv-goldens (mediapipe==0.10.14), not the project's; it imports
nothing from the project. tools.make_goldens calls it:

    .venv-goldens/bin/python tools/mediapipe_reference.py inputs.npz outputs.npz

inputs.npz holds uint8 RGB arrays named "m<selection>_<case>" (selection 0: general 256x256 model,
1: landscape 256x144 model); outputs.npz gets the float32 mask of each under the same name.
"""

import sys

import mediapipe as mp
import numpy as np


def segment(image: np.ndarray, selection: int) -> np.ndarray:
    # A fresh graph per image: no state carried from one image to the next.
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=selection) as seg:
        mask = seg.process(np.ascontiguousarray(image)).segmentation_mask
    return np.asarray(mask, dtype=np.float32).copy()


def main(src: str, dst: str) -> None:
    inputs = np.load(src)
    outputs = {}
    for name in inputs.files:
        selection = int(name[1])
        outputs[name] = segment(inputs[name], selection)
        print(f"{name}: {inputs[name].shape} -> {outputs[name].shape}", flush=True)
    np.savez(dst, **outputs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
