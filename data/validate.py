"""``python -m data.validate``: alias of ``python -m data validate`` (RELIABILITY DATA-01)."""

import sys

from data.cli import validate_main

if __name__ == "__main__":
    sys.exit(validate_main())
