"""Every bad input ends in one clear line: return code 2, no traceback, no hang, no write.

Each class of hostile or unlucky input (issue 17) runs through the command line as a user
would, ``bayesnet.cli.main`` in this process or, where a hang is the danger, a subprocess
with a time limit. Each asserts the return code, that stderr is one line naming the
problem, and that every byte (and link, and file type) under the test's folder, the model
folder included, is as it was.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bayesnet.cli import main
from bayesnet.inputs.limits import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ID_CHARS
from bayesnet.update import store
from tests.helpers import MINI_CODEBOOK, REPO, cmoc, make_model_dir, source, write_yaml

HEADER = "source_id,source_kind,reference,citation,context,mechanism,direction\n"
ROW = "S300,included_study,300,Study 300.,quick_wins,trust,increases\n"
BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
)


def tree_state(root: Path) -> dict[str, str]:
    """Relative path -> what it is: a file's bytes and mode, a link's target, a folder's mode,
    or the kind of a special file (never read: a FIFO would block)."""
    out: dict[str, str] = {}
    for top, dirs, names in os.walk(root, followlinks=False):
        for name in dirs + names:
            path = Path(top) / name
            info = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                out[rel] = f"link {os.readlink(path)}"
            elif stat.S_ISREG(info.st_mode):
                out[rel] = f"file {oct(info.st_mode)} {path.read_bytes()!r}"
            elif stat.S_ISDIR(info.st_mode):
                out[rel] = f"dir {oct(info.st_mode)}"
            else:
                out[rel] = f"special {stat.S_IFMT(info.st_mode)}"
    return out


@dataclass(frozen=True)
class Case:
    """One class of bad input: ``setup(tmp, model) -> argv`` and what the message must say."""

    setup: Callable[[Path, Path], list[str]]
    expect: str


def _csv(tmp: Path, text: str, name: str = "sheet.csv") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp: Path, fill: Callable[..., None], name: str = "sheet.xlsx") -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    fill(book)
    path = tmp / name
    book.save(path)
    return path


def _header_cells(ws) -> None:
    for col, name in enumerate(HEADER.strip().split(","), start=1):
        ws.cell(1, col, name)


def _merged(book) -> None:
    ws = book.active
    _header_cells(ws)
    for row in (2, 3):
        for col, value in enumerate(ROW.strip().split(","), start=1):
            ws.cell(row, col, value)
    ws.merge_cells("A2:A3")


def _formula(book) -> None:
    ws = book.active
    _header_cells(ws)
    for col, value in enumerate(ROW.strip().split(","), start=1):
        ws.cell(2, col, value)
    ws.cell(2, 3, "=100+200")  # openpyxl saves no cached value


def _second_sheet(book) -> None:
    ws = book.create_sheet("Data")
    _header_cells(ws)
    for col, value in enumerate(ROW.strip().split(","), start=1):
        ws.cell(2, col, value)


def _validate(path: Path, model: Path) -> list[str]:
    return ["validate", str(path), "--model", str(model)]


def _update(model: Path, *args: object) -> list[str]:
    return ["update", *map(str, args), "--model", str(model), "--draws", "20"]


def _study(tmp: Path, ref: int = 300, **extra) -> Path:
    return write_yaml(tmp / f"S{ref}.yaml", source(ref, [cmoc("quick_wins", "trust")], **extra))


def _timeline(tmp: Path, text: str) -> Path:
    path = tmp / "timeline.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _trajectory(model: Path, timeline: Path) -> list[str]:
    return ["trajectory", "--timeline", str(timeline), "--model", str(model), "--draws", "20"]


def _symlinked_evidence_dir(tmp: Path, model: Path) -> list[str]:
    outside = tmp / "outside"
    shutil.copytree(model / "evidence", outside)
    shutil.rmtree(model / "evidence")
    (model / "evidence").symlink_to(outside)
    return _update(model, _study(tmp))


def _inner_symlinked_evidence_dir(tmp: Path, model: Path) -> list[str]:
    (model / "evidence").rename(model / "data")
    (model / "evidence").symlink_to("data")
    return _update(model, _study(tmp))


def _symlinked_file_replaced(tmp: Path, model: Path) -> list[str]:
    (model / "shared").mkdir()
    (model / "evidence" / "S55.yaml").rename(model / "shared" / "S55.yaml")
    (model / "evidence" / "S55.yaml").symlink_to("../shared/S55.yaml")
    return _update(model, write_yaml(tmp / "S55.yaml", source(55, [cmoc("quick_wins", "trust", "decreases")])))


def _codebook_with(**node_changes) -> dict:
    book = yaml.safe_load(yaml.safe_dump(MINI_CODEBOOK))
    book["nodes"][0].update(node_changes)
    return book


def _write_codebook(model: Path, data: dict) -> None:
    write_yaml(model / "priors" / "codebook.yaml", data)


def _file_too_big(tmp: Path, model: Path) -> list[str]:
    big = model / "evidence" / "S999.yaml"
    with big.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    return ["query", "trust", "--model", str(model), "--draws", "20"]


def _out_existing_file(tmp: Path, model: Path) -> list[str]:
    (tmp / "taken").write_text("not a folder", encoding="utf-8")
    return ["report", "--model", str(model), "--target", "trust", "--out", str(tmp / "taken"), "--draws", "20"]


def _out_under_a_file(tmp: Path, model: Path) -> list[str]:
    (tmp / "afile").write_text("x", encoding="utf-8")
    return ["report", "--model", str(model), "--target", "trust", "--out", str(tmp / "afile" / "report")]


CASES: dict[str, Case] = {
    # --- YAML ------------------------------------------------------------------------------
    "yaml alias bomb": Case(lambda t, m: _validate(_csv(t, BOMB, "S300.yaml"), m), "MAX_YAML_NODES"),
    "yaml alias bomb in a timeline": Case(
        lambda t, m: _trajectory(m, _timeline(t, BOMB + "events: []\n")), "MAX_YAML_NODES"),
    "yaml nested 5000 deep": Case(
        lambda t, m: _validate(_csv(t, "id: " + "[" * 5000 + "]" * 5000 + "\n", "S300.yaml"), m), "MAX_YAML_DEPTH"),
    "yaml recursive alias": Case(
        lambda t, m: _validate(_csv(t, "id: &a [1, *a]\n", "S300.yaml"), m), "recursive structure"),
    "yaml not utf-8": Case(
        lambda t, m: (t.joinpath("S300.yaml").write_bytes(b"id: S\xff300\n"), _validate(t / "S300.yaml", m))[1],
        "not UTF-8"),
    "yaml malformed": Case(lambda t, m: _validate(_csv(t, "id: [S300\n", "S300.yaml"), m), "malformed YAML"),
    "yes in a timeline": Case(
        lambda t, m: _trajectory(m, _timeline(t, "events:\n  - slice: 2\n    given: {quick_wins: yes}\n")),
        "found yes (YAML reads an unquoted yes"),
    # --- CSV -------------------------------------------------------------------------------
    "csv cell over the csv module's limit": Case(
        lambda t, m: _validate(_csv(t, HEADER + "S300,included_study,300," + "x" * 131_073 + ",quick_wins,trust,"
                                    "increases\n"), m), "MAX_CELL_CHARS"),
    "csv cell over MAX_CELL_CHARS": Case(
        lambda t, m: _validate(_csv(t, HEADER + "S300,included_study,300," + "x" * (MAX_CELL_CHARS + 1)
                                    + ",quick_wins,trust,increases\n"), m), "MAX_CELL_CHARS"),
    "csv unclosed quote to the end": Case(
        lambda t, m: _validate(_csv(t, HEADER + 'S300,included_study,300,"Study,quick_wins,trust,increases\n'
                                    + ROW.replace("S300", "S301").replace("300", "301")), m), "never closed"),
    "csv quote that swallows a row": Case(
        lambda t, m: _validate(_csv(t, HEADER + 'S300,included_study,300,"Study,quick_wins,trust,increases\n'
                                    'S301,included_study,301,Study",quick_wins,trust,increases\n'), m),
        "runs from line 2 to line 3"),
    "csv semicolon-separated": Case(
        lambda t, m: _validate(_csv(t, HEADER.replace(",", ";") + ROW.replace(",", ";")), m),
        "looks semicolon-separated"),
    "csv tab-separated": Case(
        lambda t, m: _validate(_csv(t, HEADER.replace(",", "\t") + ROW.replace(",", "\t")), m),
        "looks tab-separated"),
    "csv header only": Case(lambda t, m: _validate(_csv(t, HEADER), m), "header but no rows"),
    # --- XLSX ------------------------------------------------------------------------------
    "xlsx merged cells": Case(lambda t, m: _validate(_xlsx(t, _merged), m), "cells A2:A3 are merged"),
    "xlsx formula without a saved value": Case(
        lambda t, m: _validate(_xlsx(t, _formula), m), "cell C2 holds a formula (=100+200) without a saved value"),
    "xlsx data on the second sheet": Case(
        lambda t, m: _validate(_xlsx(t, _second_sheet), m), "the data is on sheet 'Data'"),
    "xlsx that is no workbook": Case(
        lambda t, m: (t.joinpath("sheet.xlsx").write_bytes(b"PK\x03\x04 not a zip"),
                      _validate(t / "sheet.xlsx", m))[1], "not a readable XLSX workbook"),
    # --- ids -------------------------------------------------------------------------------
    "source id of 300 characters": Case(
        lambda t, m: _validate(write_yaml(t / "long.yaml", {**source(300, [cmoc("quick_wins", "trust")]),
                                                           "id": "S" * 300}), m), f"at most {MAX_ID_CHARS}"),
    "source id of 300 characters in an update": Case(
        lambda t, m: _update(m, write_yaml(t / "long.yaml", {**source(300, [cmoc("quick_wins", "trust")]),
                                                            "id": "S" * 300})), "MAX_ID_CHARS"),
    "source id outside ASCII": Case(
        lambda t, m: _validate(write_yaml(t / "S.yaml", {**source(300, [cmoc("quick_wins", "trust")]),
                                                        "id": "Sé300"}), m), "ASCII"),
    "source id with a slash": Case(
        lambda t, m: _update(m, write_yaml(t / "S.yaml", {**source(300, [cmoc("quick_wins", "trust")]),
                                                         "id": "S300/../../x"})), "ASCII letters"),
    "node id too long": Case(
        lambda t, m: (_write_codebook(m, _codebook_with(id="h" * 100)), ["nodes", "--model", str(m)])[1],
        "MAX_ID_CHARS"),
    # --- the model folder ------------------------------------------------------------------
    "model folder is a file": Case(
        lambda t, m: ["query", "trust", "--model", str(m / "priors" / "codebook.yaml")],
        "is a file, expected a model folder (holding priors/ and evidence/)"),
    "model folder missing": Case(lambda t, m: ["summary", "--model", str(t / "nowhere")], "model folder not found"),
    "codebook.yaml is a folder": Case(
        lambda t, m: ((m / "priors" / "codebook.yaml").unlink(), (m / "priors" / "codebook.yaml").mkdir(),
                      ["summary", "--model", str(m)])[2], "codebook.yaml: is a directory, expected a file"),
    "priors is a file": Case(
        lambda t, m: (shutil.rmtree(m / "priors"), (m / "priors").write_text("x"), ["summary", "--model", str(m)])[2],
        "is a file, expected the folder priors/"),
    "evidence folder missing": Case(
        lambda t, m: (shutil.rmtree(m / "evidence"), ["summary", "--model", str(m)])[1], "missing evidence/ folder"),
    "evidence file symlinked outside (/etc/passwd)": Case(
        lambda t, m: ((m / "evidence" / "S999.yaml").symlink_to("/etc/passwd"),
                      ["query", "trust", "--model", str(m)])[1], "leads outside the model folder"),
    "evidence file symlinked to /dev/zero": Case(
        lambda t, m: ((m / "evidence" / "S999.yaml").symlink_to("/dev/zero"),
                      ["validate", str(m), "--model", str(m)])[1], "leads outside the model folder"),
    "evidence folder symlinked outside": Case(
        lambda t, m: (_symlinked_evidence_dir(t, m), ["query", "trust", "--model", str(m)])[1],
        "leads outside the model folder"),
    "broken symlink in evidence": Case(
        lambda t, m: ((m / "evidence" / "S999.yaml").symlink_to("gone.yaml"),
                      ["summary", "--model", str(m)])[1], "is a broken symbolic link"),
    "directory named like an evidence file": Case(
        lambda t, m: ((m / "evidence" / "S999.yaml").mkdir(), ["summary", "--model", str(m)])[1],
        "S999.yaml: is a directory, expected a file"),
    "device as an evidence file (outside link refused, direct path as a device)": Case(
        lambda t, m: ["validate", "/dev/null", "--model", str(m)], "is a device"),
    "evidence file above MAX_FILE_BYTES": Case(_file_too_big, "MAX_FILE_BYTES"),
    # --- update: options checked before the folder is touched --------------------------------
    "update --draws 0": Case(lambda t, m: [*_update(m, _study(t)), "--draws", "0"], "'draws' parameter of update"),
    "update --hdi 2": Case(lambda t, m: [*_update(m, _study(t)), "--hdi", "2"], "'hdi_prob' parameter of update"),
    "update --seed -1": Case(lambda t, m: [*_update(m, _study(t)), "--seed", "-1"], "'seed' parameter of update"),
    "update --draws 100000000": Case(
        lambda t, m: [*_update(m, _study(t)), "--draws", "100000000"], "GiB of memory"),
    "update --wait -1": Case(lambda t, m: [*_update(m, _study(t)), "--wait", "-1"], "'wait' parameter of update"),
    "update --out of unknown type": Case(
        lambda t, m: [*_update(m, _study(t)), "--out", str(t / "r.txt")], "unknown report format '.txt'"),
    "update --out in a folder that is a file": Case(
        lambda t, m: ((t / "afile").write_text("x"), [*_update(m, _study(t)), "--out", str(t / "afile" / "r.md")])[1],
        "is a file, not a folder"),
    "update --out naming a folder": Case(
        lambda t, m: ((t / "r.md").mkdir(), [*_update(m, _study(t)), "--out", str(t / "r.md")])[1],
        "is a directory, expected a file name"),
    "update of a folder whose evidence/ is a link": Case(_inner_symlinked_evidence_dir, "is a symbolic link"),
    "update replacing a symlinked evidence file": Case(
        _symlinked_file_replaced, "an update would replace the link by a regular file"),
    "update naming no file": Case(lambda t, m: ["update", "--model", str(m)], "name at least one FILE"),
    "update of a folder that is a file": Case(
        lambda t, m: ["update", str(_study(t)), "--model", str(m / "priors" / "codebook.yaml")], "is a file"),
    # --- query, report, trajectory, render, export ------------------------------------------
    "query --draws 0": Case(lambda t, m: ["query", "trust", "--model", str(m), "--draws", "0"], "'draws'"),
    "query --hdi 1.5": Case(lambda t, m: ["query", "trust", "--model", str(m), "--hdi", "1.5"], "'hdi_prob'"),
    "query unknown node": Case(lambda t, m: ["query", "trsut", "--model", str(m)], "did you mean 'trust'"),
    "report --out naming an existing file": Case(_out_existing_file, "is a file, expected a folder for the report"),
    "report --out under a file": Case(_out_under_a_file, "is a file, not a folder"),
    "trajectory --out of unknown type": Case(
        lambda t, m: ["trajectory", "--model", str(m), "--out", str(t / "t.gif")], "unknown picture format '.gif'"),
    "trajectory timeline missing": Case(
        lambda t, m: ["trajectory", "--model", str(m), "--timeline", str(t / "none.yaml")], "file not found"),
    "export --out of unknown type": Case(
        lambda t, m: ["export", "--model", str(m), "--out", str(t / "net.txt")], "unknown export format '.txt'"),
    "render --out naming a folder": Case(
        lambda t, m: ((t / "web.svg").mkdir(), ["render", "--model", str(m), "--out", str(t / "web.svg")])[1],
        "is a directory"),
}


@pytest.fixture
def area(tmp_path: Path) -> tuple[Path, Path]:
    model = make_model_dir(tmp_path / "model")
    (model / "priors" / ".lock").touch()
    inputs = tmp_path / "in"
    inputs.mkdir()
    return tmp_path, model


def check_refused(argv: list[str], root: Path, expect: str, capsys) -> str:
    before = tree_state(root)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"bayesnet {argv[0]}: error: "), err
    assert expect in lines[0], err
    assert len(lines[0]) < 1000, "a message a person can read"
    assert tree_state(root) == before
    return lines[0]


def test_at_least_forty_classes_of_bad_input():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_one_line_rc_2_and_writes_nothing(name, area, capsys):
    tmp, model = area
    argv = CASES[name].setup(tmp / "in", model)
    check_refused(argv, tmp, CASES[name].expect, capsys)


# --- hangs: a subprocess with a time limit ----------------------------------------------------


CLI = "import sys; from bayesnet.cli import main; sys.exit(main(sys.argv[1:]))"


def _run(argv: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CLI, *argv], capture_output=True, text=True,
                          cwd=REPO, timeout=timeout, check=False)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("command", ["validate", "query", "update"])
def test_a_named_pipe_is_refused_not_read_forever(area, command):
    tmp, model = area
    os.mkfifo(model / "evidence" / "S999.yaml")
    argv = {
        "validate": ["validate", str(model), "--model", str(model)],
        "query": ["query", "trust", "--model", str(model), "--draws", "20"],
        "update": _update(model, _study(tmp / "in")),
    }[command]
    before = tree_state(tmp)
    done = _run(argv)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "is a named pipe (FIFO)" in done.stderr
    assert tree_state(tmp) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_given_as_a_file_to_add_is_refused(area):
    tmp, model = area
    pipe = tmp / "in" / "S300.yaml"
    os.mkfifo(pipe)
    before = tree_state(tmp)
    done = _run(_update(model, pipe))
    assert done.returncode == 2 and "is a named pipe (FIFO)" in done.stderr, done.stderr
    assert tree_state(tmp) == before


# --- the file system refuses: no write is left behind -----------------------------------------


def _fail_on(monkeypatch, name: str, code: int, *, after: int = 0) -> None:
    original = getattr(os, name)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(code, os.strerror(code), str(args[0]) if args else None)
        return original(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)


REFUSED_WRITES = {
    "a full disk half-way through staging": ("fsync", errno.ENOSPC, 3, "No space left on device"),
    "a folder the user may not write": ("mkdir", errno.EACCES, 0, "Permission denied"),
    "a read-only file system": ("mkdir", errno.EROFS, 0, "Read-only file system"),
}


@pytest.mark.parametrize("what", sorted(REFUSED_WRITES))
def test_a_refused_write_changes_nothing_and_leaves_nothing(area, capsys, monkeypatch, what):
    name, code, after, expect = REFUSED_WRITES[what]
    tmp, model = area
    study = _study(tmp / "in")
    before = tree_state(tmp)
    _fail_on(monkeypatch, name, code, after=after)
    assert main(_update(model, study)) == 2
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert len(err.strip().splitlines()) == 1 and expect in err and "nothing was changed" in err, err
    assert tree_state(tmp) == before  # no staged folder, no temporary file, no history line


def test_a_lock_that_cannot_be_taken_is_one_line(area, capsys, monkeypatch):
    import filelock

    tmp, model = area
    study = _study(tmp / "in")
    before = tree_state(tmp)

    def refuse(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(model / "priors" / ".lock"))

    monkeypatch.setattr(filelock.FileLock, "acquire", refuse)
    assert main(_update(model, study)) == 2
    err = capsys.readouterr().err
    assert "cannot take the update lock" in err and "Read-only file system" in err, err
    assert tree_state(tmp) == before


# --- the lock: says it waits, gives up after --wait -------------------------------------------


def test_a_second_update_says_it_waits_and_gives_up_after_wait(area, capsys):
    tmp, model = area
    study = _study(tmp / "in")
    before = tree_state(tmp)
    held, release = threading.Event(), threading.Event()

    def hold():
        with store.locked(model):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        # the holder is another thread: the lock is re-entrant only within one thread
        assert main([*_update(model, study), "--wait", "0.3"]) == 2
    finally:
        release.set()
        holder.join()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2, err
    assert err[0].startswith("bayesnet update: waiting for the lock on ") and "giving up after 0.3 s" in err[0]
    assert err[1].startswith("bayesnet update: error: ") and "still held the lock" in err[1]
    assert "--wait SECONDS" in err[1]
    assert tree_state(tmp) == before


def test_load_of_a_file_or_a_folder_without_a_model_says_what_it_is(area):
    import bayesnet
    from bayesnet.errors import FileFormatError

    tmp, model = area
    with pytest.raises(FileFormatError, match="is a file, expected a model folder"):
        bayesnet.load(model / "priors" / "settings.yaml")
    with pytest.raises(FileFormatError, match=r"missing codebook\.yaml"):
        bayesnet.load(tmp / "in")
