"""A child process for test_migration: encrypts a plain profile, printing each durable step,
and kills itself with SIGKILL right after the step named on its command line ("none": the
test kills it at a random moment instead).

    python -m tests.security.encrypter DB STEP
"""

from __future__ import annotations

import os
import signal
import sys

from forms import profiles
from tests.security.helpers import FAST, PASSPHRASE


def main(db: str, kill_at: str) -> None:
    def step(name: str) -> None:
        print(name, flush=True)
        if name == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    print("started", flush=True)
    profiles.encrypt(db, PASSPHRASE, kdf=FAST, on_step=step)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
