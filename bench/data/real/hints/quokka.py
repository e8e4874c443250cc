# A quokka sitting up, facing the camera, in front of a dark green wall on pale sandy ground; it runs off the
# bottom of the frame. Hard parts: the backlit white fur halo (ear rims, top of the head, cheeks) against the
# green, and the pale grey fur of the flanks fading into the pale out-of-focus ground (soft edge, 3-5 px).
HINTS = Hints(
    keep=[[(110, 20), (480, 20), (500, 120), (520, 300), (570, 420), (580, 643), (170, 643), (130, 420), (110, 300)]],
    fg_polygons=[[(200, 120), (420, 120), (440, 250), (470, 350), (500, 450), (520, 643), (230, 643), (180, 500),
                  (170, 350), (180, 250)]],
    fg_strokes=[([(159, 100), (164, 84), (174, 73), (188, 66), (205, 64), (222, 67), (236, 74)], 4),  # left ear rim
                ([(166, 76), (176, 71), (195, 68), (210, 70), (222, 75), (234, 86)], 3),  # its dark inner edge
                ([(152, 308), (157, 330), (163, 350)], 3)],  # left cheek fur
)
