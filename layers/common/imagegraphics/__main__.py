from imagegraphics import startup

startup.before_imports()  # a process of its own: settings that must precede the engine's imports
from imagegraphics.cli import main

startup.imports_done()
code = main()
startup.before_exit()
raise SystemExit(code)
