"""The cut and its trimap: opaque inside, nothing left outside, strength moves the line.

Masks are built at working resolution as a model would answer them; `seen` wraps one the way the
segmenter does (colour evidence, guided filter) so each rule is tested on what it really gets."""
import numpy as np
import pytest

from imagegraphics.segmentation import evidence, refine, trimap
from imagegraphics.segmentation.segmenter import GUIDE_EPS, GUIDE_RADIUS
from imagegraphics.segmentation.trimap import Evidence

ORANGE, WALL, RED = (230, 110, 40), (200, 200, 205), (150, 20, 30)


def seen(rgb: np.ndarray, model: np.ndarray, held: np.ndarray | None = None) -> Evidence:
    """The evidence the segmenter hands the trimap for this image and model answer."""
    rgb = rgb.astype(np.float32)
    odds = evidence.colour_odds(rgb, model, None if held is None else held > 0)
    weighed = evidence.lowered(model, odds, held)
    coef = refine.solve(rgb, weighed, GUIDE_RADIUS, GUIDE_EPS, held)
    return Evidence(model, weighed, coef.low_res(refine.project(rgb, coef.matrix)), odds, held)


def scene(h: int = 200, w: int = 240) -> tuple[np.ndarray, np.ndarray]:
    """An orange coat on a grey wall (textured), and a model sure of both."""
    rng = np.random.default_rng(0)
    rgb = np.empty((h, w, 3), np.float32)
    rgb[:] = WALL
    model = np.zeros((h, w), np.float32)
    rgb[40:200, 60:180] = ORANGE
    model[40:200, 60:180] = 0.97
    rgb += rng.normal(0, 6, rgb.shape)
    return np.clip(rgb, 0, 255), model


def test_the_model_s_doubt_inside_the_coat_is_filled_and_opaque():
    rgb, model = scene()
    rgb[100:130, 100:140] = (240, 240, 245)  # a white badge, the wall's colour
    model[100:130, 100:140] = 0.35  # the model doubts it
    regions = trimap.trimap(seen(rgb, model), "medium")
    assert regions.subject[95:135, 95:145].all()  # opaque, rim and all: nowhere near the outline
    assert regions.background[:30].all() and regions.background[:, :50].all()


def test_a_backdrop_hole_the_model_is_sure_of_stays_carved():
    rgb, model = scene()
    rgb[110:140, 100:130] = WALL  # the wall seen between arm and body
    model[110:140, 100:130] = 0.03
    regions = trimap.trimap(seen(rgb, model), "medium")
    assert regions.background[114:136, 104:126].all()
    assert regions.subject[60:100, 80:160].all()


def test_a_doubtful_strip_of_the_background_s_colours_beside_the_subject_goes():
    rgb, model = scene()
    rgb[40:200, 30:60] = RED  # a flag's stripe beside the arm...
    rgb[:40, :60] = RED  # ...which also shows where the model is sure it is background
    model[40:200, 30:60] = 0.6  # the model leans to subject there
    regions = trimap.trimap(seen(rgb, model), "medium")
    assert regions.background[45:200, 30:56].all()
    assert regions.subject[45:195, 66:174].all()


def test_a_strap_the_background_cannot_reach_is_kept_whatever_its_colour():
    rgb, model = scene()
    rgb[60:200, 110:125] = WALL  # a pale strap down the coat, the wall's colour, to the frame's edge
    model[60:200, 110:125] = 0.7
    regions = trimap.trimap(seen(rgb, model), "medium")
    assert regions.subject[60:196, 108:127].all()


def test_doubt_open_to_the_frame_s_edge_is_filled_unless_it_is_the_background_s_colour():
    rgb, model = scene()
    model[170:200, 90:150] = 0.3  # the lower body fades out where the frame cuts it
    regions = trimap.trimap(seen(rgb, model), "medium")
    assert regions.subject[160:200, 85:155].all()
    rgb[170:200, 90:150] = WALL  # ...but the wall's colour there is the wall seen below an arm
    rgb[:40] = WALL
    regions = trimap.trimap(seen(rgb, model), "medium")
    assert regions.background[175:200, 95:145].all()


def test_stray_pieces_go_and_a_sure_thin_part_tied_by_faint_matte_stays():
    rgb, model = scene()
    rgb[10:30, 200:230], model[10:30, 200:230] = (90, 140, 60), 0.6  # a tuft, loose from the subject
    rgb[100:102, 180:230] = (30, 30, 30)  # a spectacle arm, faint at working resolution...
    model[100:102, 180:230] = 0.3
    model[100:102, 195:215] = 0.85  # ...with a sure piece the cut breaks off
    rgb[5:8, 5:8], model[5:8, 5:8] = (60, 50, 40), 0.95  # dust
    inside = trimap.cut(seen(rgb, model), 0.5)
    assert not inside[10:30, 200:230].any()
    assert inside[100:102, 197:213].all()
    assert not inside[5:8, 5:8].any()
    loose = trimap.cut(seen(rgb, model), 0.5, remove_artifacts=False)
    assert loose[6, 6] and not loose[10:30, 200:230].any()  # dust is remove_artifacts' business; the tuft is not


def test_a_lone_small_subject_is_still_the_subject():
    rgb = np.full((300, 300, 3), WALL, np.float32)
    model = np.zeros((300, 300), np.float32)
    rgb[100:105, 100:105], model[100:105, 100:105] = ORANGE, 0.99  # under the island limit, all there is
    inside = trimap.cut(seen(rgb, model), 0.5)
    assert inside[100:105, 100:105].all() and inside.sum() == 25


def test_pinholes_are_remove_artifacts_business():
    rgb, model = scene()
    rgb[90:92, 100:102], model[90:92, 100:102] = WALL, 0.02  # a glint the model is sure of
    assert not trimap.cut(seen(rgb, model), 0.5, remove_artifacts=False)[90:92, 100:102].any()
    assert trimap.cut(seen(rgb, model), 0.5)[90:92, 100:102].all()


@pytest.mark.parametrize("remove_artifacts", [False, True])
def test_strengths_nest_and_move_the_line_not_the_opacity(remove_artifacts):
    rgb, model = scene()
    xx = np.arange(240, dtype=np.float32)
    model[40:200, 180:230] = np.clip(0.97 - (xx[180:230] - 180) / 50, 0, 1)  # a long unsure slope
    model[120:160, 80:120] = 0.72  # unsure inside: opaque at every strength
    evidence_ = seen(rgb, model)
    maps = {s: trimap.trimap(evidence_, s, remove_artifacts) for s in ("low", "medium", "high")}
    for lower, higher in (("low", "medium"), ("medium", "high")):
        assert not (maps[higher].subject & ~maps[lower].subject).any()
        assert not (maps[lower].background & ~maps[higher].background).any()
    assert maps["high"].background.sum() > maps["medium"].background.sum() > maps["low"].background.sum()
    for regions in maps.values():
        assert regions.subject[115:165, 75:125].all()


def test_soft_alpha_only_in_a_band_along_the_outline():
    rgb, model = scene()
    regions = trimap.trimap(seen(rgb, model), "medium")
    band = regions.band
    columns = np.flatnonzero(band[120])  # the coat's left edge is at x = 60
    left = columns[columns < 120]
    assert left.min() >= 56 and left.max() <= 63 and 3 <= len(left) <= 5
    assert not band[:, :55].any() and not band[46:, 66:174].any()
    assert not (regions.subject & regions.background).any()


def test_clear_objects_keep_their_estimate_but_their_opaque_parts_are_pinned():
    rgb, model = scene()
    held = np.zeros(model.shape, np.float32)
    held[60:200, 70:170] = 1.0
    model[60:200, 70:170] = 0.45  # a glass: its estimate, under the cut
    model[60:80, 70:170] = 1.0  # its cap
    regions = trimap.trimap(seen(rgb, model, held), "medium", True)
    assert not regions.subject[82:200, 70:170].any() and not regions.background[60:200, 70:170].any()
    assert regions.subject[62:78, 80:160].all()


def test_a_cut_across_flat_colour_is_crisp_not_the_model_s_blur(tmp_path, monkeypatch):
    """The model answers a slow slope (36 pixels between 0.05 and 0.95) across a flat coat: the
    image shows no edge there, so the cut-out does not turn that slope into a see-through fade;
    across the coat's real edge the alpha still follows the image."""
    from PIL import Image

    from imagegraphics.segmentation import Segmenter

    h, w = 200, 400
    xx = np.arange(w, dtype=np.float32)
    rgb = np.empty((h, w, 3), np.float32)
    rgb[:] = ORANGE
    rgb[:, 300:] = WALL  # the coat's own edge
    model = np.zeros((h, w), np.float32)
    model[:100] = np.clip((160 - xx) / 40 + 0.5, 0, 1)  # the slope, in the middle of the flat coat
    model[100:] = np.clip((300 - xx) / 40 + 0.5, 0, 1)  # the same slope, on the coat's edge
    image = Image.fromarray(rgb.astype(np.uint8))
    seg = Segmenter(tmp_path)
    monkeypatch.setattr(seg, "low_res_mask", lambda small, rgb, mode, timings: (model, "product", "test", None))
    levels = seg.matte(image, mode="product").levels
    soft = (levels > 5) & (levels < 250)
    assert 0 < soft[50].sum() <= 3 and soft[50, :130].sum() == 0 and soft[50, 190:].sum() == 0
    assert (levels[150, :298] == 255).all() and (levels[150, 302:] == 0).all()  # on the image's edge
