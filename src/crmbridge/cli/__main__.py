"""``python -m crmbridge.cli``: the same as the ``crmbridge`` command."""

import sys

from . import main

sys.exit(main())
