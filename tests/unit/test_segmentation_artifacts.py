"""Mask clean-up: small islands go, pinholes are filled, real holes and the subject stay."""
import numpy as np
import pytest

from imagegraphics.segmentation import artifacts


def flood_labels(mask: np.ndarray, diagonal: bool) -> list[int]:
    """Component sizes by a plain flood fill, to check the run-based labelling against."""
    seen = np.zeros(mask.shape, bool)
    sizes = []
    h, w = mask.shape
    steps = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
             if (dy or dx) and (diagonal or not (dy and dx))]
    for y, x in zip(*np.nonzero(mask)):
        if seen[y, x]:
            continue
        stack, size = [(y, x)], 0
        seen[y, x] = True
        while stack:
            cy, cx = stack.pop()
            size += 1
            for dy, dx in steps:
                ny, nx = cy + dy, cx + dx
                if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        sizes.append(size)
    return sorted(sizes)


@pytest.mark.parametrize("diagonal", [True, False])
def test_labels_match_a_flood_fill(diagonal):
    mask = np.random.default_rng(3).random((50, 61)) > 0.55
    found = artifacts.label(mask, diagonal)
    assert sorted(found.sizes().astype(int).tolist()) == flood_labels(mask, diagonal)
    painted = found.paint(np.ones(found.count, bool), mask.shape)
    assert np.array_equal(painted, mask)


def test_diagonal_touch_joins_only_with_eight_connectivity():
    mask = np.zeros((4, 4), bool)
    mask[1, 1] = mask[2, 2] = True
    assert artifacts.label(mask, diagonal=True).count == 1
    assert artifacts.label(mask, diagonal=False).count == 2


def crafted() -> np.ndarray:
    """200x200: a subject with a pinhole and a real hole, plus two specks of noise."""
    mask = np.zeros((200, 200), bool)
    mask[40:160, 50:150] = True  # subject
    mask[80:82, 90:92] = False  # pinhole: 4 px
    mask[100:130, 60:90] = False  # real hole (between arm and body): 900 px
    mask[10:13, 10:13] = True  # speck: 9 px
    mask[185:190, 170:175] = True  # speck: 25 px
    return mask


def test_clean_drops_islands_and_fills_pinholes_only():
    mask = crafted()
    islands, holes = artifacts.clean(mask)
    assert islands[10:13, 10:13].all() and islands[185:190, 170:175].all()
    assert islands.sum() == 9 + 25
    assert holes[80:82, 90:92].all() and holes.sum() == 4
    cleaned = (mask & ~islands) | holes
    assert cleaned[40:80, 50:150].all()  # subject kept
    assert not cleaned[100:130, 60:90].any()  # the real hole stays background
    assert not cleaned[:20, :20].any() and not cleaned[180:, 160:].any()


def test_a_lone_small_subject_is_kept():
    mask = np.zeros((300, 300), bool)
    mask[100:105, 100:105] = True  # smaller than the island limit, but it is all there is
    islands, holes = artifacts.clean(mask)
    assert not islands.any() and not holes.any()


def test_patch_applies_the_fixes_at_full_resolution():
    low = crafted()
    islands, holes = artifacts.clean(low)
    full = np.kron(low.astype(np.float32), np.ones((8, 8), np.float32))  # 1600x1600
    artifacts.patch(full, islands, holes, low)
    assert full[80:104, 80:104].max() == 0.0  # speck at low (10..13) gone, with its rim
    assert full[8 * 185:8 * 190, 8 * 170:8 * 175].max() == 0.0
    assert full[8 * 80:8 * 82, 8 * 90:8 * 92].min() == 1.0  # pinhole filled
    assert full[8 * 102:8 * 128, 8 * 62:8 * 88].max() == 0.0  # real hole untouched
    assert full[8 * 45:8 * 75, 8 * 55:8 * 145].min() == 1.0  # subject untouched
