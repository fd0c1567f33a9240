import sys

from sandboxes.dataverse.cli import main

sys.exit(main())
