"""``python -m inceptionsk``: the command line of :mod:`inceptionsk.cli`."""

import sys

from .cli import main

sys.exit(main())
