"""``python -m data validate|export|manifest``."""

import sys

from data.cli import main

sys.exit(main())
