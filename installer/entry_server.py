"""The frozen bundle's entry point for `labour-survey-server` (sync.server.cli:main)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # harmless when unused; a frozen program must call it first

    from sync.server.cli import main

    sys.exit(main())
