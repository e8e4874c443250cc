"""Colour evidence: log-odds of a colour, lowering the model where the background reaches, and
deciding what the people and general models disagree about."""
import numpy as np

from imagegraphics.segmentation import evidence

ORANGE, WALL, BLUE = (230, 110, 40), (200, 200, 205), (30, 60, 200)


def person_on_wall(h: int = 200, w: int = 240) -> tuple[np.ndarray, np.ndarray]:
    rgb = np.empty((h, w, 3), np.float32)
    rgb[:] = WALL
    mask = np.zeros((h, w), np.float32)
    rgb[40:, 80:160] = ORANGE
    mask[40:, 80:160] = 0.98
    rgb += np.random.default_rng(1).normal(0, 5, rgb.shape)
    return np.clip(rgb, 0, 255), mask


def test_odds_speak_for_the_side_a_colour_was_seen_on():
    rgb, mask = person_on_wall()
    rgb[10:20, 10:20] = BLUE  # seen on neither side
    odds = evidence.colour_odds(rgb, mask)
    assert odds[100, 120] > 2 and odds[10, 10] < 2 and odds[10, 10] > -2 and odds[100, 20] < -2
    assert evidence.colour_odds(rgb[:5, :5], mask[:5, :5]) is None  # too few sure pixels to learn from


def test_colour_only_lowers_and_only_where_the_background_reaches():
    rgb, mask = person_on_wall()
    rgb[100:200, 60:80] = WALL  # a strip of wall beside the body, the model unsure of it
    mask[100:200, 60:80] = 0.7
    rgb[100:200, 110:125] = WALL  # a pale strap down the body, the wall's colour
    mask[100:200, 110:125] = 0.7
    rgb[60:80, 90:100] = ORANGE
    mask[60:80, 90:100] = 0.6  # unsure but of the subject's colour
    weighed = evidence.lowered(mask, evidence.colour_odds(rgb, mask))
    assert (weighed <= mask).all()
    assert weighed[100:200, 62:78].max() < 0.5  # the background reaches it: lowered under the cut
    assert np.array_equal(weighed[100:200, 110:125], mask[100:200, 110:125])  # walled in by the body
    assert np.allclose(weighed[60:80, 90:100], 0.6, atol=0.01)


def test_where_the_models_disagree_colour_decides():
    rgb, person = person_on_wall()
    subject = person.copy()
    rgb[60:120, 160:190] = BLUE  # a bag on the arm: only the general model sees it
    subject[60:120, 160:190] = 0.9
    subject[40:200, 60:80] = 0.9  # a strip of wall the general model glues to the person
    rgb[150:200, 160:200] = WALL  # the wall the people model alone runs into
    person[150:200, 160:200] = 0.9
    person[40:60, 160:175] = 0.95  # a sleeve only the people model sees, of the person's colour
    rgb[40:60, 160:175] = ORANGE
    decided = evidence.person_by_both(person, subject, rgb)
    assert decided[65:115, 165:185].min() > 0.5  # the bag is kept
    assert decided[45:195, 62:78].max() < 0.5  # the wall strip is not
    assert decided[155:195, 165:195].max() < 0.5  # nor the wall the people model ran into
    assert decided[42:58, 162:173].min() > 0.5  # the sleeve stays
