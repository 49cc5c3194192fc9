"""A team's own model folder on disk: make one (``init``) and write updates to it safely.

File I/O at the edge; what an update changes is computed in memory by
:mod:`bayesnet.update.plan`. Loading (:func:`bayesnet.load`) and validation never write: only
:func:`init_model`, :func:`apply_update` (and :func:`update_folder`, which calls it) and
:func:`recover` do, and only in a team's folder, never in the embedded default model.

Guarantees and how they are kept
--------------------------------
* **One update at a time.** Every write happens under an exclusive lock on
  ``priors/.lock`` (:mod:`filelock`: ``flock`` on POSIX, ``msvcrt.locking`` on Windows); an
  update that finds it held says so and waits at most ``wait`` seconds
  (:data:`~bayesnet.defaults.DEFAULT_LOCK_WAIT`), then gives up with an error, having changed
  nothing. An update re-reads the folder *after* taking the lock and recomputes its change if
  another update got there first, so two updates at once both end up in.
* **All or nothing, even when killed.** A multi-file change cannot be made atomic file by
  file, so the whole new ``evidence/`` is built beside the old one (``.evidence.staged/``:
  unchanged files copied byte for byte, new and replaced sources written as YAML, removed
  ones left out), every file fsynced. Then a write-ahead journal
  (``priors/.update-journal.json``, written atomically) records the decision: from that
  moment the update is rolled forward, before it nothing has changed. The journal holds the
  new codebook text (when nodes are added) and a digest of every file of the staged
  folder. Rolling forward writes the codebook (atomically), then swaps the staged folder
  and ``evidence/`` in **one atomic directory exchange** (Linux ``renameat2
  RENAME_EXCHANGE``, macOS ``renamex_np RENAME_SWAP``), appends the history line, deletes
  the journal and then the old folder. So a process killed at any point leaves
  ``evidence/`` loading as exactly the old or exactly the new evidence, without any
  recovery step. The codebook is written before the swap and only ever gains nodes, so old
  evidence loads with it too. The next update (or ``init``), under the lock, finishes an
  interrupted one (journal present: roll forward) or discards its leftovers (no journal:
  roll back; ``evidence/`` was never touched), and removes the temporary files of atomic
  writes a kill left behind. Every run of :func:`update_folder` does this first, even one
  that then finds nothing to do, so a history line is never missing for long.
  Where the file system has no atomic exchange (other systems, some network file systems),
  the swap falls back to two renames; a kill between them leaves ``evidence/`` missing
  (loading then fails, it never gives a mix) until the next update or ``init`` rolls the
  journal forward.
* **Nothing written on refusal.** Options, inputs and the change are checked (unknown
  nodes, cycles, duplicate ids, a symbolic link an update would have to replace) before the
  lock is taken or any file touched. A write that fails before the commit point (a full
  disk, a read-only file system) removes what it staged and changes nothing; one that fails
  after it leaves the journal, and the next run finishes the update.
* **Files stay what they are.** ``evidence/`` itself must be a real folder (it is swapped
  whole); an evidence file that is a symbolic link (inside the model folder) stays a link
  with the same target, and a source whose file is a link cannot be replaced in place.
* **Audit trail.** ``priors/history.jsonl`` gets one JSON line per update (and one for
  ``init``): UTC time, ids added, replaced and removed, new nodes, the incoming files and
  :meth:`~bayesnet.inputs.evidence.Evidence.content_hash` of the evidence before and after. It is
  only ever appended to (rewritten atomically with one more line).
* **Idempotent.** An update that changes nothing (every incoming source already present
  with the same content) writes nothing at all, not even a history line: re-importing
  leaves the folder byte for byte as it was.

Concurrent *readers* do not take the lock: a reader listing ``evidence/`` at the very moment
of the exchange could in principle read files of both generations; a crash cannot cause
this, and an update's own reads are under the lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bayesnet.build.model import Model
from bayesnet.checks import check_seconds
from bayesnet.defaults import DEFAULT_LOCK_WAIT
from bayesnet.errors import FileFormatError, InputError, ParameterError, UnknownNodeError, UpdateError
from bayesnet.files import fsync_dir, is_temporary, umask_mode, write_bytes_atomic, write_text_atomic
from bayesnet.inputs.codebook import Codebook, Node, codebook_from_mapping
from bayesnet.inputs.evidence import Evidence, Source, source_from_mapping
from bayesnet.inputs.folder import default_model_dir, is_embedded, iter_model_texts, read_model_files, read_source_file
from bayesnet.inputs.yamlio import read_text, read_yaml
from bayesnet.update.plan import Change, extend_codebook, new_node_hint, plan_update

__all__ = [
    "HISTORY",
    "JOURNAL",
    "LOCK",
    "STAGED",
    "apply_update",
    "check_writable",
    "init_model",
    "locked",
    "needs_recovery",
    "read_history",
    "read_new_nodes",
    "read_update_inputs",
    "recover",
    "source_yaml",
    "update_folder",
    "update_model",
]

log = logging.getLogger(__name__)

LOCK = "priors/.lock"
"""The lock file, relative to the model folder."""
JOURNAL = "priors/.update-journal.json"
"""The write-ahead journal of an update in progress."""
HISTORY = "priors/history.jsonl"
"""The append-only record of updates."""
STAGED = ".evidence.staged"
"""Where the next ``evidence/`` is built (and where the old one lands after the swap)."""
_OLD = ".evidence.old"  # only used by the two-rename fallback


# ---------------------------------------------------------------------------
# Reading what an update brings
# ---------------------------------------------------------------------------


def read_new_nodes(path: str | Path) -> tuple[Node, ...]:
    """Read codebook entries for new concepts: a codebook-shaped file (``nodes:`` list).

    Raises
    ------
    FileFormatError, SchemaError, DuplicateIdError
        Located by file, line and field, as for ``priors/codebook.yaml``.
    """
    data = read_yaml(path)
    if isinstance(data, list):
        data = {"nodes": data}
    return codebook_from_mapping(data, str(path)).nodes


def read_update_inputs(
    files: Iterable[str | Path | Source], codebook: Codebook, new_nodes: str | Path | Iterable[Node] | None = None
) -> tuple[list[Source], tuple[Node, ...]]:
    """Read and validate incoming evidence files (YAML, CSV, XLSX) and new-node entries.

    Parameters
    ----------
    files : iterable of path or Source
        Evidence files as the loader reads them; :class:`Source` objects pass through.
    codebook : Codebook
        The model's codebook; the new nodes are added to it for validation.
    new_nodes : path or iterable of Node, optional
        A ``--new-nodes`` file, or the nodes themselves.

    Returns
    -------
    (list of Source, tuple of Node)

    Raises
    ------
    InputError
        The first bad file, naming file, line or row, field and value; an unknown node
        also says how to add it. Nothing is written.
    """
    if new_nodes is None:
        nodes: tuple[Node, ...] = ()
    elif isinstance(new_nodes, str | Path):
        nodes = read_new_nodes(new_nodes)
    else:
        nodes = tuple(new_nodes)
    extended, _ = extend_codebook(codebook, nodes)
    sources: list[Source] = []
    for item in files:
        if isinstance(item, Source):
            sources.append(item)
            continue
        try:
            sources.extend(read_source_file(item, extended))
        except UnknownNodeError as err:
            raise new_node_hint(err) from err
    return sources, nodes


def update_model(
    model: Model,
    files: Iterable[str | Path | Source] = (),
    *,
    remove: Iterable[str] = (),
    new_nodes: str | Path | Iterable[Node] | None = None,
) -> Change:
    """The model with newly coded studies added (and others removed), in memory.

    Reads the files (YAML, CSV or XLSX, as the loader does) but writes nothing: to write an
    update to a model folder use :func:`update_folder` (``bayesnet update``).

    Parameters
    ----------
    model : Model
    files : iterable of path or Source
        Newly coded or re-coded sources.
    remove : iterable of str
        Ids of sources to take out.
    new_nodes : path or iterable of Node, optional
        Codebook entries for new concepts the files name.

    Returns
    -------
    Change
        What changed; ``change.after`` is the new model.

    Examples
    --------
    >>> import bayesnet
    >>> change = bayesnet.update_model(bayesnet.load(), remove=["S90"])
    >>> change.removed
    ('S90',)
    """
    sources, nodes = read_update_inputs(files, model.codebook, new_nodes)
    return plan_update(model, sources, remove=remove, new_nodes=nodes)


# ---------------------------------------------------------------------------
# Locking and guards
# ---------------------------------------------------------------------------

_held = threading.local()


def _say(on_wait: Callable[[str], None] | None, message: str) -> None:
    if on_wait is None:
        log.warning("%s", message)
    else:
        on_wait(message)


@contextlib.contextmanager
def locked(
    root: str | Path, *, wait: float = DEFAULT_LOCK_WAIT, on_wait: Callable[[str], None] | None = None
) -> Iterator[Path]:
    """Hold the exclusive update lock of a model folder (``priors/.lock``).

    Re-entrant within one thread. Creates the (empty) lock file if it is missing.

    Parameters
    ----------
    root : path
        The model folder.
    wait : float
        Seconds to wait while another process or thread holds the lock.
    on_wait : callable, optional
        Called once with a message when the lock is held by another (default: a logged
        warning); the command line prints it.

    Raises
    ------
    UpdateError
        The lock was still held after ``wait`` seconds, or it cannot be taken at all (a
        read-only file system, no permission). Nothing was changed.
    """
    import filelock

    wait = check_seconds(wait, "wait", "locked")
    folder = Path(root).resolve()
    held: dict[Path, int] | None = getattr(_held, "roots", None)
    if held is None:
        held = _held.roots = {}
    if held.get(folder):
        held[folder] += 1
        try:
            yield folder
        finally:
            held[folder] -= 1
        return
    path = folder / LOCK
    lock = filelock.FileLock(str(path))
    try:
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            _say(on_wait, f"waiting for the lock on {path}: another update of {folder} is running "
                          f"(giving up after {wait:g} s; --wait SECONDS changes that)")
            lock.acquire(timeout=wait)
    except filelock.Timeout:
        raise UpdateError(
            f"{folder}: another update still held the lock {path} after {wait:g} s, so nothing was changed; "
            "run again when it has finished, or wait longer with --wait SECONDS"
        ) from None
    except OSError as err:
        raise UpdateError(
            f"cannot take the update lock {path}: {err.strerror or err}; nothing was changed "
            "(is the model folder on a read-only file system, or not yours to write?)"
        ) from err
    held[folder] = 1
    try:
        yield folder
    finally:
        held[folder] = 0
        lock.release()


def check_writable(root: str | Path) -> Path:
    """Refuse to write to the embedded default model or to a folder that is no model.

    Raises
    ------
    UpdateError
        With a pointer to ``bayesnet init DIR``.
    """
    folder = Path(root)
    embedded = is_embedded(folder)
    if not embedded:
        with contextlib.suppress(FileFormatError):
            embedded = folder.resolve() == default_model_dir().resolve()
    if embedded:
        raise UpdateError(
            f"{folder} is the embedded default model inside the package, which updates never change; "
            "make a copy you own with 'bayesnet init DIR' and update that (--model DIR)"
        )
    if folder.exists() and not folder.is_dir():
        raise UpdateError(f"{folder} is a file, expected a model folder (holding priors/ and evidence/)")
    evidence_missing_mid_swap = not (folder / "evidence").exists() and (folder / JOURNAL).is_file()
    if not (folder / "priors").is_dir() or not ((folder / "evidence").is_dir() or evidence_missing_mid_swap):
        raise UpdateError(
            f"{folder} is not a model folder (it needs priors/ and evidence/); make one with 'bayesnet init DIR'"
        )
    for sub in ("priors", "evidence"):
        if (folder / sub).is_symlink():
            raise UpdateError(
                f"{folder / sub} is a symbolic link (to {(folder / sub).resolve()}); an update replaces {sub}/ "
                f"as a whole and would not keep the link: make {sub}/ a real folder inside the model folder"
            )
    return folder


# ---------------------------------------------------------------------------
# Making a folder
# ---------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def init_model(dest: str | Path) -> Path:
    """Copy the embedded default model (``priors/`` and ``evidence/``) into ``dest``.

    The copy is built beside ``dest`` and renamed into place, so ``dest`` is either absent
    (or empty) or a complete model. ``priors/history.jsonl`` starts with an ``init`` line.

    Raises
    ------
    UpdateError
        When ``dest`` exists and is not an empty folder: nothing there is overwritten.
    """
    target = Path(dest)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UpdateError(
            f"{target} exists and is not empty; 'bayesnet init' only writes into a new or empty folder, "
            "so nothing there is overwritten"
        )
    source = default_model_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
    try:
        # mkdtemp makes the folder 0700; the model folder gets what an ordinary mkdir gives
        os.chmod(build, umask_mode(0o777))
        for path in iter_model_texts(source):
            rel = path.relative_to(source)
            if any(part.startswith(".") for part in rel.parts) or rel.as_posix() == HISTORY:
                continue
            write_bytes_atomic(build / rel, path.read_bytes())
        files = read_model_files(build)  # the copy must load
        (build / LOCK).touch()
        record = {"id": uuid.uuid4().hex, "time": _now(), "action": "init", "from": "embedded default model",
                  "sources": len(files.evidence), "evidence_after": files.evidence.content_hash()}
        write_text_atomic(build / HISTORY, json.dumps(record, ensure_ascii=False) + "\n")
        if target.exists():
            target.rmdir()
        os.rename(build, target)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    fsync_dir(target.parent)
    return target


# ---------------------------------------------------------------------------
# Writing an update
# ---------------------------------------------------------------------------


def source_yaml(src: Source, codebook: Codebook) -> bytes:
    """The YAML file of one source; checked to read back to the same content.

    Raises
    ------
    UpdateError
        If the YAML would not read back identically (it always should).
    """
    text = yaml.safe_dump(src.to_dict(), sort_keys=False, allow_unicode=True, width=100)
    back = source_from_mapping(yaml.safe_load(text), src.path, codebook)
    if back.content_hash() != src.content_hash():
        raise UpdateError(f"source {src.id!r} from {src.path} would not read back identically as YAML")
    return text.encode("utf-8")


def _codebook_text(path: Path, old: Codebook, nodes: Sequence[Node]) -> str:
    """``codebook.yaml`` with ``nodes`` appended to its ``nodes:`` list, comments kept."""
    text = read_text(path)
    entries = [{k: v for k, v in n.to_dict().items() if v is not None} for n in nodes]
    dumped = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=100)
    indent = ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("- id:"):
            indent = line[: len(line) - len(stripped)]
            break
    block = "".join(indent + line + "\n" for line in dumped.splitlines())
    candidate = text + ("" if text.endswith("\n") else "\n") + block
    expected = old.nodes + tuple(nodes)
    with contextlib.suppress(yaml.YAMLError, InputError):
        if codebook_from_mapping(yaml.safe_load(candidate), str(path)).nodes == expected:
            return candidate
    # the nodes list is not the file's last block: write the whole codebook out again
    data = yaml.safe_load(text)
    version = data.get("version", 1) if isinstance(data, dict) else 1
    full = [{k: v for k, v in n.to_dict().items() if v is not None} for n in expected]
    log.warning("%s: nodes: is not the last block, rewriting the whole codebook (comments are lost)", path)
    return yaml.safe_dump({"version": version, "nodes": full}, sort_keys=False, allow_unicode=True, width=100)


def _entries(folder: Path) -> list[tuple[str, str, Path]]:
    """``(relative path, kind, path)`` of everything under ``folder``, links not followed;
    kind is ``dir``, ``file``, ``link`` or ``other`` (a named pipe, device or socket)."""
    import stat

    out: list[tuple[str, str, Path]] = []
    for top, dirs, names in os.walk(folder, followlinks=False):
        for name in sorted(dirs + names):
            path = Path(top) / name
            mode = path.lstat().st_mode
            kind = ("link" if stat.S_ISLNK(mode) else "dir" if stat.S_ISDIR(mode)
                    else "file" if stat.S_ISREG(mode) else "other")
            out.append((path.relative_to(folder).as_posix(), kind, path))
    return sorted(out)


def _tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of each regular file, or ``link:<target>`` of each symbolic link."""
    import hashlib

    return {
        rel: (f"link:{os.readlink(path)}" if kind == "link" else hashlib.sha256(path.read_bytes()).hexdigest())
        for rel, kind, path in _entries(folder) if kind in ("file", "link")
    }


def _file_plan(root: Path, current: Evidence, change: Change) -> dict[str, bytes | None]:
    """Relative path in ``evidence/`` -> new bytes, or None to leave the file out.

    Raises
    ------
    UpdateError
        What the update could not write without losing something: a replaced source sharing
        a sheet with others or living in a symbolic link, a named pipe or device in
        ``evidence/``, a new file whose name is taken (also up to case).
    """
    evidence_dir = root / "evidence"
    entries = _entries(evidence_dir)
    for _, kind, path in entries:
        if kind == "other":
            raise UpdateError(
                f"{path} is a named pipe, device or socket; an update copies evidence/ file by file and cannot copy "
                "it: move it out of evidence/ and run the update again"
            )
    by_file: dict[Path, list[str]] = {}
    for src in current:
        by_file.setdefault(Path(src.path), []).append(src.id)
    going = set(change.removed) | set(change.replaced)
    plan: dict[str, bytes | None] = {}
    for sid in sorted(going):
        old = current.get(sid)
        assert old is not None
        path = Path(old.path)
        others = sorted(set(by_file[path]) - going)
        if others:
            raise UpdateError(
                f"source {sid!r} is in {path} together with {', '.join(others)}; an update rewrites whole "
                f"files only: move {sid}'s rows to a file of their own and run the update again"
            )
        if sid in change.replaced and path.is_symlink():
            raise UpdateError(
                f"source {sid!r} is in {path}, a symbolic link to {path.resolve()}; an update would replace the link "
                "by a regular file: edit the file it points to, or replace the link by the file itself, and run "
                "the update again"
            )
        plan[path.relative_to(evidence_dir).as_posix()] = None
    existing = {rel for rel, kind, _ in entries if kind != "dir"}
    staying = {rel.casefold(): rel for rel in existing if rel not in plan}
    for src in change.incoming:
        rel = f"{src.id}.yaml"
        if rel in existing and plan.get(rel, b"") is not None:
            raise UpdateError(
                f"cannot write source {src.id!r}: {evidence_dir / rel} already exists and holds another source"
            )
        if rel.casefold() in staying and staying[rel.casefold()] != rel:
            raise UpdateError(
                f"cannot write source {src.id!r} as {evidence_dir / rel}: {evidence_dir / staying[rel.casefold()]} "
                "differs from it only in case, and would be the same file on a case-insensitive file system; "
                "rename one of the two ids"
            )
        plan[rel] = source_yaml(src, change.after.codebook)
    return plan


def _stage(folder: Path, plan: dict[str, bytes | None]) -> None:
    """Build the next ``evidence/`` in ``STAGED``: files copied byte for byte, links kept as
    links (same target text), the planned files written; every file fsynced."""
    evidence, staged = folder / "evidence", folder / STAGED
    staged.mkdir()
    os.chmod(staged, evidence.stat().st_mode & 0o7777)  # the new evidence/ keeps the old one's mode
    for rel, kind, path in _entries(evidence):
        if rel in plan:
            continue
        if kind == "dir":
            (staged / rel).mkdir(exist_ok=True)
        elif kind == "link":
            (staged / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(path), staged / rel)
            fsync_dir((staged / rel).parent)
        elif kind == "file":
            write_bytes_atomic(staged / rel, path.read_bytes())
    for rel, data in sorted(plan.items()):
        if data is not None:
            write_bytes_atomic(staged / rel, data)
    fsync_dir(staged)
    fsync_dir(folder)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically; False where the system cannot."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_fdcwd, rename_exchange = -100, 2
        rc = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        rc = libc.renamex_np(os.fsencode(a), os.fsencode(b), 2)  # RENAME_SWAP
    else:
        return False
    if rc == 0:
        return True
    err = ctypes.get_errno()
    import errno

    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _swap_in(root: Path) -> None:
    """Make the staged folder ``evidence/``; the old one ends up where the staged one was."""
    evidence, staged = root / "evidence", root / STAGED
    if evidence.is_dir():
        if _exchange(evidence, staged):
            fsync_dir(root)
            return
        log.info("no atomic directory exchange here: swapping %s with two renames", evidence)
        os.rename(evidence, root / _OLD)
        fsync_dir(root)
    os.rename(staged, evidence)
    fsync_dir(root)


def read_history(root: str | Path) -> list[dict[str, Any]]:
    """The records of ``priors/history.jsonl`` (empty if there is none)."""
    path = Path(root) / HISTORY
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _append_history(root: Path, record: dict[str, Any]) -> None:
    path = root / HISTORY
    old = path.read_bytes() if path.is_file() else b""
    if old.strip():
        last = json.loads(old.decode("utf-8").strip().splitlines()[-1])
        if last.get("id") == record["id"]:
            return  # already appended before an interruption
    if old and not old.endswith(b"\n"):
        old += b"\n"
    write_bytes_atomic(path, old + (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))


def _roll_forward(root: Path, journal: dict[str, Any]) -> None:
    if journal.get("codebook") is not None:
        path = root / "priors" / "codebook.yaml"
        if read_text(path) != journal["codebook"]:
            write_text_atomic(path, journal["codebook"])
    evidence = root / "evidence"
    if not evidence.is_dir() or _tree_digest(evidence) != journal["digest_after"]:
        staged = root / STAGED
        if not staged.is_dir() or _tree_digest(staged) != journal["digest_after"]:
            raise UpdateError(
                f"{root}: an interrupted update (journal {root / JOURNAL}) cannot be finished: neither "
                f"evidence/ nor {STAGED}/ holds its files; restore evidence/ from a backup and delete the journal"
            )
        _swap_in(root)
    _append_history(root, journal["history"])
    os.unlink(root / JOURNAL)
    fsync_dir(root / "priors")
    _discard_leftovers(root)


def _discard_leftovers(root: Path) -> bool:
    """Remove a staged or old evidence folder and the temporary files of atomic writes in the
    model folder and ``priors/`` (each left only by a process killed while writing)."""
    found = False
    for name in (STAGED, _OLD):
        path = root / name
        if path.is_symlink() or path.is_file():
            path.unlink()
            found = True
        elif path.is_dir():
            shutil.rmtree(path)
            found = True
    for folder in (root, root / "priors"):
        if folder.is_dir() and not folder.is_symlink():
            for path in folder.iterdir():
                if is_temporary(path) and (path.is_file() or path.is_symlink()):
                    path.unlink()
                    found = True
    if found:
        fsync_dir(root)
        fsync_dir(root / "priors")
    return found


def needs_recovery(root: str | Path) -> bool:
    """True when an interrupted update left a journal, a staged folder or temporary files."""
    folder = Path(root)
    if any((folder / name).exists() or (folder / name).is_symlink() for name in (JOURNAL, STAGED, _OLD)):
        return True
    return any(is_temporary(p) for sub in (folder, folder / "priors") if sub.is_dir() for p in sub.iterdir())


def recover(
    root: str | Path, *, wait: float = DEFAULT_LOCK_WAIT, on_wait: Callable[[str], None] | None = None
) -> str | None:
    """Finish or undo an interrupted update of ``root`` (under the lock).

    A journal means the update was committed: it is rolled forward (codebook, swap, the
    history line if it is missing), and the journal removed. Without one, a staged folder
    is discarded (nothing visible had changed). Either way the temporary files of atomic
    writes a kill left behind are removed.

    Returns
    -------
    str or None
        ``"rolled forward"``, ``"rolled back"`` or None when there was nothing to do.

    Raises
    ------
    UpdateError
        A journal that cannot be read or finished, or a file system that refuses the writes.
    """
    folder = Path(root)
    with locked(folder, wait=wait, on_wait=on_wait):
        journal_path = folder / JOURNAL
        try:
            if journal_path.is_file():
                try:
                    journal = json.loads(journal_path.read_text(encoding="utf-8"))
                    time = journal["history"]["time"]
                except (ValueError, KeyError, TypeError) as err:
                    raise UpdateError(
                        f"{journal_path}: the journal of an interrupted update cannot be read ({err}); it was not "
                        "written by bayesnet: restore it or evidence/ from a backup"
                    ) from err
                _roll_forward(folder, journal)
                log.warning("%s: finished an interrupted update (%s)", folder, time)
                return "rolled forward"
            if _discard_leftovers(folder):
                log.warning("%s: discarded the leftover files of an earlier update", folder)
                return "rolled back"
        except OSError as err:
            raise UpdateError(
                f"{folder}: an interrupted update could not be finished: {err.strerror or err} "
                f"({getattr(err, 'filename', None) or folder}); run the update again once that is fixed"
            ) from err
    return None


def apply_update(
    root: str | Path,
    change: Change,
    *,
    files: Sequence[str | Path] = (),
    wait: float = DEFAULT_LOCK_WAIT,
    on_wait: Callable[[str], None] | None = None,
) -> dict[str, Any] | None:
    """Write ``change`` to the model folder ``root``, all or nothing, under the lock.

    Parameters
    ----------
    root : path
        A model folder made with :func:`init_model` (never the embedded default).
    change : Change
        From :func:`bayesnet.update.plan_update` on the model as it is on disk now.
    files : sequence of path
        The incoming files, recorded in the history.
    wait : float
        Seconds to wait for another update's lock (see :func:`locked`).
    on_wait : callable, optional
        Told when the lock is held by another update.

    Returns
    -------
    dict or None
        The history record, or None for a no-op (nothing is written).

    Raises
    ------
    UpdateError
        The embedded default model; a folder whose evidence changed since ``change`` was
        computed; a replaced source that shares a spreadsheet with others; the lock not
        free in time; a write that failed (a full disk, a read-only file system): before
        the commit point nothing is changed, after it the next update finishes this one.
    """
    folder = check_writable(root)
    if change.is_noop:
        return None
    with locked(folder, wait=wait, on_wait=on_wait):
        recover(folder)
        current = read_model_files(folder)
        if (current.evidence.content_hash() != change.before_hash
                or current.codebook.nodes != change.before.codebook.nodes):
            raise UpdateError(
                f"{folder} changed since this update was computed (evidence {change.before_hash[:12]} is now "
                f"{current.evidence.content_hash()[:12]}); compute it again from the folder as it is"
            )
        plan = _file_plan(folder, current.evidence, change)
        codebook = None
        if change.new_nodes:
            codebook = _codebook_text(folder / "priors" / "codebook.yaml", current.codebook, change.new_nodes)
        record = {
            "id": uuid.uuid4().hex,
            "time": _now(),
            "action": "update",
            "added": list(change.added),
            "replaced": list(change.replaced),
            "removed": list(change.removed),
            "new_nodes": [n.id for n in change.new_nodes],
            "files": [str(f) for f in files],
            "evidence_before": change.before_hash,
            "evidence_after": change.after_hash,
        }
        try:
            _stage(folder, plan)
            journal = {"history": record, "codebook": codebook, "digest_after": _tree_digest(folder / STAGED)}
            write_text_atomic(folder / JOURNAL, json.dumps(journal, ensure_ascii=False, indent=1))  # commit point
        except OSError as err:
            if not (folder / JOURNAL).exists():
                with contextlib.suppress(OSError):
                    _discard_leftovers(folder)
                raise UpdateError(
                    f"could not write the update to {folder}: {err.strerror or err} "
                    f"({getattr(err, 'filename', None) or folder}); nothing was changed"
                ) from err
            raise _unfinished(folder, err) from err
        try:
            _roll_forward(folder, journal)
        except OSError as err:
            raise _unfinished(folder, err) from err
    return record


def _unfinished(folder: Path, err: OSError) -> UpdateError:
    return UpdateError(
        f"the update of {folder} is committed (its journal {folder / JOURNAL} is written) but could not be "
        f"finished: {err.strerror or err} ({getattr(err, 'filename', None) or folder}); once that is fixed, run "
        "any update of the folder (the same one again will do) and it is finished first"
    )


def _check_update_args(
    files: Sequence[str | Path | Source], remove: Iterable[str], wait: float
) -> tuple[list[str | Path | Source], tuple[str, ...], float]:
    if isinstance(files, str | Path):
        raise ParameterError(
            f"The 'files' parameter of update_folder must be a sequence of paths or Sources. Got {str(files)!r} "
            "instead (a single path: put it in a list)."
        )
    items = list(files)
    for item in items:
        if not isinstance(item, str | Path | Source):
            raise ParameterError.out_of_range("files", "update_folder", "a sequence of paths or Sources", item)
    if isinstance(remove, str):
        raise ParameterError.out_of_range("remove", "update_folder", "a sequence of source ids", remove)
    ids = tuple(dict.fromkeys(remove))
    for sid in ids:
        if not isinstance(sid, str):
            raise ParameterError.out_of_range("remove", "update_folder", "a sequence of source ids", sid)
    return items, ids, check_seconds(wait, "wait", "update_folder")


def update_folder(
    root: str | Path,
    files: Sequence[str | Path | Source] = (),
    *,
    remove: Iterable[str] = (),
    new_nodes: str | Path | Iterable[Node] | None = None,
    dry_run: bool = False,
    wait: float = DEFAULT_LOCK_WAIT,
    on_wait: Callable[[str], None] | None = None,
    check: Callable[[Change], None] | None = None,
) -> Change:
    """Read, check and (unless ``dry_run``) write an update of the model folder ``root``.

    First of all (unless ``dry_run``), an interrupted earlier update is finished or rolled
    back (:func:`recover`), even when this one turns out to change nothing. Then everything
    is read and checked before anything is written; the change is recomputed under the lock
    if another update changed the folder meanwhile.

    Parameters
    ----------
    root : path
    files : sequence of path or Source
    remove : iterable of str
        Ids of sources to take out.
    new_nodes : path or iterable of Node, optional
    dry_run : bool
        Compute and check only; write nothing.
    wait : float
        Seconds to wait for another update's lock before giving up (a message goes to
        ``on_wait`` while waiting).
    on_wait : callable, optional
        Told (one message) when the lock is held by another update; default: a logged warning.
    check : callable, optional
        Called with the change before anything is written (also for ``dry_run``); raise to
        refuse it. The command line checks the report's options on both models here.

    Returns
    -------
    Change
        The change as written (or as it would be written, for ``dry_run``).

    Raises
    ------
    InputError, UpdateError, ParameterError
        Bad incoming file (named by file, row, field and value), unknown node, cycle,
        unknown id to remove, the embedded default model, a bad option. Nothing is written.
    """
    items, remove, wait = _check_update_args(files, remove, wait)
    folder = Path(root) if dry_run else check_writable(root)
    if not dry_run and needs_recovery(folder):
        recover(folder, wait=wait, on_wait=on_wait)
    model = Model.from_files(read_model_files(folder))
    sources, nodes = read_update_inputs(items, model.codebook, new_nodes)
    change = plan_update(model, sources, remove=remove, new_nodes=nodes)
    if check is not None:
        check(change)
    if dry_run or change.is_noop:
        return change
    _file_plan(folder, model.evidence, change)  # refuse what cannot be written before taking the lock
    paths = [f for f in items if not isinstance(f, Source)]
    with locked(folder, wait=wait, on_wait=on_wait):
        recover(folder)
        now = Model.from_files(read_model_files(folder))
        if (now.evidence.content_hash() != model.evidence.content_hash()
                or now.codebook.nodes != model.codebook.nodes):
            change = plan_update(now, sources, remove=remove, new_nodes=nodes)
            if check is not None:
                check(change)
            if change.is_noop:
                return change
        apply_update(folder, change, files=paths)
    return change
