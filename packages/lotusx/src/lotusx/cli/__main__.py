"""``python -m lotusx.cli``."""

import sys

from lotusx.cli.main import main

sys.exit(main())
