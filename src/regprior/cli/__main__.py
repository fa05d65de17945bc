"""``python -m regprior.cli``: the ``regprior`` command."""

import sys

from regprior.cli import main

sys.exit(main())
