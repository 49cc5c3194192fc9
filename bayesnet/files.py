"""Atomic file writes: a temporary file in the same folder, fsync, then rename.

A reader (or a process killed half-way) sees either the old file or the new one, never a
mix. :func:`check_output_file` and :func:`check_output_folder` check, writing nothing, that
an output path can be written, so commands refuse a bad ``--out`` before computing. Every
write of the package goes through :func:`write_bytes_atomic` or
:func:`write_text_atomic`; :func:`fsync_dir` makes renames and deletions in a folder durable.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from bayesnet.errors import OutputError

__all__ = [
    "TEMP_SUFFIX",
    "check_output_file",
    "check_output_folder",
    "fsync_dir",
    "is_temporary",
    "output_error",
    "umask_mode",
    "write_bytes_atomic",
    "write_text_atomic",
]

TEMP_SUFFIX = ".tmp"
"""Suffix of the temporary file of an atomic write (``.<name>.<random>.tmp``, beside the target)."""

_UMASK = os.umask(0)
os.umask(_UMASK)


def umask_mode(mode: int = 0o666) -> int:
    """``mode`` with the process's umask applied: what an ordinary ``open``/``mkdir`` gives."""
    return mode & ~_UMASK


def is_temporary(path: str | Path) -> bool:
    """True for the name of an atomic write's temporary file (left behind only by a kill)."""
    name = Path(path).name
    return name.startswith(".") and name.endswith(TEMP_SUFFIX) and name.count(".") >= 3


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, creating parent folders.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            # mkstemp creates 0600; give the file the mode an ordinary write would have
            mode = target.stat().st_mode & 0o7777 if target.exists() else umask_mode(0o666)
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            else:  # Windows before Python 3.13
                os.chmod(tmp, mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
    return target


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def fsync_dir(folder: str | Path) -> None:
    """Make renames and deletions in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _nearest_existing(path: Path) -> Path:
    here = path.absolute()
    while not here.exists() and here != here.parent:
        here = here.parent
    return here


def _writable_dir(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def check_output_file(path: str | Path, *, suffixes: tuple[str, ...] = (), what: str = "output") -> Path:
    """Check, writing nothing, that ``path`` can be written as a file.

    Parameters
    ----------
    path : path
    suffixes : tuple of str
        Allowed suffixes (lower case, with the dot); empty: any.
    what : str
        What the file is, for the message (``"report"``).

    Raises
    ------
    OutputError
        An unknown suffix, an existing folder or non-regular file at ``path``, a parent that
        is a file, or a folder that cannot be written (permissions, a read-only file system).
    """
    target = Path(path)
    if suffixes and target.suffix.lower() not in suffixes:
        allowed = ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]
        raise OutputError(f"{target}: unknown {what} format {target.suffix!r}; use {allowed}")
    if target.is_dir():
        raise OutputError(f"{target}: is a directory, expected a file name for the {what}")
    if target.exists() and not target.is_file():
        raise OutputError(f"{target}: is not a regular file (a pipe or device); name a file for the {what}")
    parent = _nearest_existing(target.parent)
    if not parent.is_dir():
        raise OutputError(f"{target}: cannot be created, {parent} is a file, not a folder")
    if not _writable_dir(parent):
        raise OutputError(f"{target}: cannot be written, the folder {parent} is not writable")
    return target


def check_output_folder(path: str | Path, *, what: str = "output") -> Path:
    """Check, writing nothing, that ``path`` is or can be made a writable folder.

    Raises
    ------
    OutputError
        An existing file at ``path`` (or at a parent), or a folder that cannot be written.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, expected a folder for the {what} (name a new or existing folder)")
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise OutputError(f"{folder}: cannot be created, {existing} is a file, not a folder")
    if not _writable_dir(existing):
        raise OutputError(f"{folder}: cannot be written, the folder {existing} is not writable")
    return folder


def output_error(path: str | Path, err: OSError) -> OutputError:
    """The :class:`~bayesnet.errors.OutputError` for a write to ``path`` that failed with ``err``."""
    return OutputError(f"{path}: could not be written: {err.strerror or err}")
