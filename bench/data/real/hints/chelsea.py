# A tabby cat's face filling the frame, its shoulder out of focus at the left; background is a
# blurred pale room (top left, right). Hard part: the white chin and chest against the pale
# blur at the bottom right, and whiskers (left out: thinner than a pixel, see README).
HINTS = Hints(
    rect=(0, 0, 451, 300),
    fg_polygons=[[(45, 5), (330, 5), (352, 80), (348, 150), (328, 210), (295, 300), (0, 300), (0, 160),
                  (40, 120)],
                 [(340, 0), (393, 0), (381, 22), (372, 40), (364, 58), (350, 60)]],  # right ear
    bg_polygons=[[(0, 0), (22, 0), (20, 60), (18, 100), (0, 112)],
                 [(405, 0), (451, 0), (451, 300), (345, 300), (350, 260), (365, 215), (378, 170),
                  (385, 120), (385, 70), (392, 40)]],
)
