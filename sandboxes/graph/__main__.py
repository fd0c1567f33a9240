import sys

from sandboxes.graph.cli import main

sys.exit(main())
