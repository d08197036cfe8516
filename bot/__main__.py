"""`python -m bot` is the same entry point as the `giamngheo` command."""

import sys

from bot.cli import main

sys.exit(main())
