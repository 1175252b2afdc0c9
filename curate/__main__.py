"""`python -m curate ...`: the `curate` command."""

import sys

from curate.cli.main import main

sys.exit(main())
