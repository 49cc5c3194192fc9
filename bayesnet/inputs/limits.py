"""The bounds every input is read within, and the one function that opens an input file.

A bound turns hostile or unlucky input (a YAML alias bomb, a file that is really a named
pipe or ``/dev/zero``, a 300-character id) into a one-line error that names the limit,
instead of a hang, a ``MemoryError`` or an ``OSError`` half-way through an update. Every
limit is far above what a coded review needs: the embedded model's largest file is 19 KB,
its deepest YAML 5 levels, its longest cell 400 characters.

:func:`read_input_bytes` is how every input file is opened: it refuses anything but a
regular file *before* reading (a FIFO would block forever, a device never ends), refuses a
file above :data:`MAX_FILE_BYTES`, and, given the model folder, refuses a path that leads
out of it (a symbolic link to ``/etc/passwd`` is not evidence). Never writes.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from bayesnet.errors import FileFormatError

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ID_CHARS",
    "MAX_UNZIPPED_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "SOURCE_ID",
    "check_inside",
    "check_regular",
    "inside",
    "read_input_bytes",
]

MAX_FILE_BYTES = 10 * 2**20
"""Largest input file read (10 MiB): about 500 times the embedded model's largest file."""
MAX_UNZIPPED_BYTES = 10 * MAX_FILE_BYTES
"""Most bytes an XLSX workbook (a zip archive) may unpack to (100 MiB): a zip bomb is refused
before a sheet is parsed."""
MAX_YAML_NODES = 200_000
"""Most values (mappings, lists and scalars) one YAML document may hold once its aliases are
expanded. A ~1 KB "billion laughs" file expands to 10^9; the embedded codebook holds ~1,200."""
MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and lists in a YAML document (evidence files use 4 levels)."""
MAX_CELL_CHARS = 10_000
"""Longest cell of a CSV or XLSX sheet, in characters (a coded quote is at most a few hundred)."""
MAX_ID_CHARS = 64
"""Longest source, node or scenario id: a source id becomes a file name (``evidence/<id>.yaml``)."""
SOURCE_ID = re.compile(rf"^[A-Za-z][A-Za-z0-9_-]{{0,{MAX_ID_CHARS - 1}}}$")
"""A source id: an ASCII letter, then ASCII letters, digits, ``-`` and ``_`` (safe as a file
name on every system), at most :data:`MAX_ID_CHARS` characters."""

_KINDS = (
    (stat.S_ISDIR, "is a directory, expected a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file; bayesnet reads only regular files"),
    (stat.S_ISCHR, "is a device, not a regular file; bayesnet reads only regular files"),
    (stat.S_ISBLK, "is a device, not a regular file; bayesnet reads only regular files"),
    (stat.S_ISSOCK, "is a socket, not a regular file; bayesnet reads only regular files"),
)


def inside(path: str | Path, root: str | Path) -> bool:
    """True when ``path``, with every symbolic link resolved, lies inside ``root`` (resolved)."""
    base = Path(root).resolve()
    try:
        Path(path).resolve().relative_to(base)
    except ValueError:
        return False
    return True


def check_inside(path: Path, root: Path | None) -> None:
    """Refuse a path of the model folder ``root`` that a symbolic link leads out of it.

    Raises
    ------
    FileFormatError
        Naming the link and where it leads.
    """
    if root is None or inside(path, root):
        return
    raise FileFormatError(
        f"leads outside the model folder {root} (to {Path(path).resolve()}) through a symbolic link; "
        "bayesnet reads only files inside the model folder: copy the file in instead of linking it",
        path=str(path),
    )


def _kind_error(path: Path, mode: int) -> FileFormatError | None:
    for test, message in _KINDS:
        if test(mode):
            return FileFormatError(message, path=str(path))
    if not stat.S_ISREG(mode):
        return FileFormatError("is not a regular file; bayesnet reads only regular files", path=str(path))
    return None


def check_regular(path: str | Path, *, root: str | Path | None = None) -> os.stat_result:
    """Check, without opening it, that ``path`` is a regular file within the bounds.

    Raises
    ------
    FileFormatError
        Missing, a directory, FIFO, device or socket, above :data:`MAX_FILE_BYTES`, or (with
        ``root``) reached through a symbolic link that leaves the model folder.
    """
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError as err:
        reason = "is a broken symbolic link" if p.is_symlink() else "file not found"
        raise FileFormatError(reason, path=str(p)) from err
    except OSError as err:
        raise FileFormatError(f"cannot be read: {err.strerror}", path=str(p)) from err
    check_inside(p, Path(root) if root is not None else None)
    bad = _kind_error(p, info.st_mode)
    if bad is not None:
        raise bad
    _check_size(p, info.st_size)
    return info


def _check_size(p: Path, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FileFormatError(
            f"is {size:,} bytes, above the limit of {MAX_FILE_BYTES:,} bytes for one input file "
            "(MAX_FILE_BYTES); split it into smaller files",
            path=str(p),
            value=size,
        )


def read_input_bytes(path: str | Path, *, root: str | Path | None = None) -> bytes:
    """The bytes of one input file, read only if it is a regular file within the bounds.

    The file is opened without blocking and checked on the open descriptor, so a named pipe
    put in place after :func:`check_regular` still cannot hang the read, and at most
    :data:`MAX_FILE_BYTES` + 1 bytes are ever read.

    Parameters
    ----------
    path : path
    root : path, optional
        The model folder the file belongs to: a path that a symbolic link leads out of it
        is refused.

    Raises
    ------
    FileFormatError
        See :func:`check_regular`; also a file that cannot be read (permissions).
    """
    p = Path(path)
    check_regular(p, root=root)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as err:
        if err.errno == errno.ENOENT:
            raise FileFormatError("file not found", path=str(p)) from err
        raise FileFormatError(f"cannot be read: {err.strerror}", path=str(p)) from err
    try:
        info = os.fstat(fd)
        bad = _kind_error(p, info.st_mode)
        if bad is not None:
            raise bad
        _check_size(p, info.st_size)
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(2**20, MAX_FILE_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        _check_size(p, total)
        return b"".join(chunks)
    except OSError as err:
        raise FileFormatError(f"cannot be read: {err.strerror}", path=str(p)) from err
    finally:
        os.close(fd)
