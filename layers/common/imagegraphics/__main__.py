from imagegraphics.cli import main

raise SystemExit(main())
