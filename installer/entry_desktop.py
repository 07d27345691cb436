"""The frozen bundle's entry point for `labour-survey` (desktop.launcher:main).

freeze_support() first: `households import` parses large files in worker processes started
with "spawn", and in a frozen program each worker is this executable started again; without
it the worker would run the program's command line instead of its task."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from desktop.launcher import main

    sys.exit(main())
