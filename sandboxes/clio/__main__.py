import sys

from sandboxes.clio.cli import main

sys.exit(main())
