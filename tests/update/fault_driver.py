"""Run one ``bayesnet.update.store.update_folder`` in its own process, with fault injection.

Used by tests/update/test_store.py (never by the package)::

    python tests/fault_driver.py ROOT FILE... [--remove ID ...] [--new-nodes FILE]
        [--kill-at K] [--delay SECONDS] [--no-exchange]

Every file-system operation that changes something (``os.fsync``, ``os.replace``,
``os.rename``, ``os.unlink``, ``os.rmdir``, ``os.mkdir`` and the store's directory exchange)
is counted. ``--kill-at K`` sends SIGKILL to this process just before the K-th operation, so
the operations 1..K-1 have happened and none after; ``--delay`` sleeps before each one (to
hold the lock long, or to give an outside kill a window). The first operation prints
``WRITING`` (flushed); a run that finishes prints ``OPS <count>``. ``--no-exchange`` makes
the store fall back to two renames, as on a system without an atomic directory exchange.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bayesnet.update import store

COUNT = 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("files", nargs="*")
    parser.add_argument("--remove", nargs="+", default=[])
    parser.add_argument("--new-nodes")
    parser.add_argument("--kill-at", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--no-exchange", action="store_true")
    args = parser.parse_args()

    def counted(original):
        def wrapper(*a, **kw):
            global COUNT  # noqa: PLW0603 - one counter for the whole process
            COUNT += 1
            if COUNT == 1:
                print("WRITING", flush=True)
            if args.delay:
                time.sleep(args.delay)
            if args.kill_at == COUNT:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*a, **kw)

        return wrapper

    for name in ("fsync", "replace", "rename", "unlink", "rmdir", "mkdir"):
        setattr(os, name, counted(getattr(os, name)))
    store._exchange = counted((lambda a, b: False) if args.no_exchange else store._exchange)
    change = store.update_folder(args.root, args.files, remove=args.remove, new_nodes=args.new_nodes)
    print(f"CHANGE {len(change.added)} {len(change.replaced)} {len(change.removed)}", flush=True)
    print(f"OPS {COUNT}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
