"""How the generated quality set (bench/quality_set.py) is drawn: a drawing kit (drawing.py), the
stage with backdrops, shadows and reflections (stage.py), solids and products (solids.py,
objects.py, props.py), and the scenes themselves (recipe.py, recipes_*.py)."""
