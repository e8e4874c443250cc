# An espresso cup on a saucer with a spoon, on a wooden table. Hard part: the red-brown saucer
# against the brown wood; the saucer's outline is close to an ellipse, which bounds the search.
HINTS = Hints(
    keep=[ellipse((278, 229), 216, 175), [(160, 130), (160, 60), (200, 15), (290, 3), (370, 15), (415, 60),
                                          (415, 130)], [(390, 110), (395, 60), (420, 50), (440, 70), (440, 110)]],
    fg_polygons=[ellipse((278, 229), 190, 150)],
    fg_strokes=[([(290, 30), (290, 90)], 12), ([(412, 75), (410, 110)], 4)],
    bg_polygons=[[(190, 400), (190, 378), (250, 386), (300, 389), (350, 386), (410, 375), (410, 400)]],
)
