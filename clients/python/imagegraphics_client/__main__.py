import sys

from imagegraphics_client.cli import main

sys.exit(main())
