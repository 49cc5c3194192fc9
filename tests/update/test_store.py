"""Writing updates to a model folder: init, history, idempotence, refusals that write nothing,
the embedded default left alone, kill-during-write and concurrent updates (bayesnet.update.store,
``bayesnet init`` and ``bayesnet update``), and the buddying example."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import bayesnet
from bayesnet import (
    load,
    query,
    update_model,
)
from bayesnet.cli import main
from bayesnet.errors import CycleError, FileFormatError, SchemaError, UnknownNodeError, UpdateError
from bayesnet.inputs.folder import default_model_dir, read_model_files
from bayesnet.update.store import (
    JOURNAL,
    STAGED,
    apply_update,
    init_model,
    read_history,
    recover,
    update_folder,
)
from tests.helpers import MINI_SOURCES, REPO, cmoc, make_model_dir, source, tree_digest, write_yaml

DRIVER = Path(__file__).resolve().parent / "fault_driver.py"
EXAMPLE = REPO / "inference_examples" / "update_buddying_study"
NEW_NODE = {
    "id": "joint_appointments", "label": "Joint appointments", "kind": "context", "stage": "middle",
    "states": ["absent", "present"], "modifiable": True, "definition": "Posts held jointly.",
    "section": "Middle",
}


def evidence_hash(root: Path) -> str:
    return read_model_files(root).evidence.content_hash()


def updates(root: Path) -> list[dict]:
    return [r for r in read_history(root) if r["action"] == "update"]


@pytest.fixture
def folder(tmp_path):
    root = make_model_dir(tmp_path / "model")
    (root / "priors" / ".lock").touch()
    return root


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    base = tmp_path_factory.mktemp("inputs")
    return {
        "study": write_yaml(base / "S200.yaml", source(200, [cmoc("joint_appointments", "trust"),
                                                            cmoc("quick_wins", "trust")])),
        "recoded": write_yaml(base / "S55.yaml", source(55, [cmoc("quick_wins", "trust", "decreases")])),
        "nodes": write_yaml(base / "nodes.yaml", {"nodes": [NEW_NODE]}),
        "other": write_yaml(base / "S201.yaml", source(201, [cmoc("mandated", "conflict")])),
        "third": write_yaml(base / "S202.yaml", source(202, [cmoc("conflict", "collaborative_behaviour",
                                                                 "decreases")])),
    }


# --- init ---------------------------------------------------------------------------------


def test_init_copies_the_default_model_and_refuses_a_non_empty_folder(tmp_path):
    dest = init_model(tmp_path / "team")
    default = default_model_dir()
    ours = tree_digest(dest / "evidence")
    assert ours == tree_digest(default / "evidence")
    for name in ("codebook.yaml", "settings.yaml", "scenarios.yaml"):
        assert (dest / "priors" / name).read_bytes() == (default / "priors" / name).read_bytes()
    (record,) = read_history(dest)
    assert record["action"] == "init"
    assert record["evidence_after"] == bayesnet.load().evidence.content_hash() == evidence_hash(dest)
    before = tree_digest(dest)
    with pytest.raises(UpdateError, match="not empty"):
        init_model(dest)
    assert tree_digest(dest) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["init", str(empty)]) == 0
    assert (empty / "priors" / "codebook.yaml").is_file()
    assert not list(tmp_path.glob(".*init-*"))  # no build folder left behind


# --- writing an update ----------------------------------------------------------------------


def test_update_writes_yaml_history_and_codebook(folder, inputs, tmp_path):
    before = evidence_hash(folder)
    sheet = tmp_path / "coded.csv"
    sheet.write_text("source_id,source_kind,reference,citation,context,mechanism,direction\n"
                     "S210,included_study,210,Sheet 210.,mandated,conflict,increases\n", encoding="utf-8")
    change = update_folder(folder, [inputs["study"], inputs["recoded"], sheet], remove=["S18"],
                           new_nodes=inputs["nodes"])
    assert (change.added, change.replaced, change.removed) == (("S200", "S210"), ("S55",), ("S18",))
    names = sorted(p.name for p in (folder / "evidence").iterdir())
    assert names == ["S200.yaml", "S210.yaml", "S36.yaml", "S44.yaml", "S55.yaml", "S57.yaml", "S76.yaml"]
    model = load(folder)
    assert model.evidence.content_hash() == change.after_hash
    assert model.evidence.get("S210").path.endswith("S210.yaml")  # the sheet's study is now YAML
    assert "joint_appointments" in model.codebook
    assert (folder / "priors" / "codebook.yaml").read_text().endswith("section: Middle\n")
    (record,) = updates(folder)
    assert record["added"] == ["S200", "S210"] and record["replaced"] == ["S55"] and record["removed"] == ["S18"]
    assert record["new_nodes"] == ["joint_appointments"]
    assert (record["evidence_before"], record["evidence_after"]) == (before, change.after_hash)
    assert record["time"].endswith("Z")
    assert not (folder / STAGED).exists() and not (folder / JOURNAL).exists()


def test_reimport_writes_nothing_not_even_history(folder, inputs):
    update_folder(folder, [inputs["study"]], new_nodes=inputs["nodes"])
    digest = tree_digest(folder)
    change = update_folder(folder, [inputs["study"]], new_nodes=inputs["nodes"])
    assert change.is_noop and change.unchanged == ("S200",)
    assert tree_digest(folder) == digest
    assert main(["update", str(inputs["study"]), "--model", str(folder), "--new-nodes", str(inputs["nodes"]),
                 "--draws", "20"]) == 0
    assert tree_digest(folder) == digest


def test_update_then_remove_gives_back_identical_evidence(folder, inputs):
    digest = tree_digest(folder / "evidence")
    codebook = (folder / "priors" / "codebook.yaml").read_bytes()
    update_folder(folder, [inputs["other"]])
    assert tree_digest(folder / "evidence") != digest
    update_folder(folder, remove=["S201"])
    assert tree_digest(folder / "evidence") == digest
    assert (folder / "priors" / "codebook.yaml").read_bytes() == codebook
    first, second = updates(folder)
    assert first["evidence_after"] == second["evidence_before"]
    assert first["evidence_before"] == second["evidence_after"]


def test_a_stale_change_is_refused(folder, inputs):
    model = load(folder)
    first = update_model(model, [inputs["other"]])
    second = update_model(model, [inputs["third"]])
    apply_update(folder, first)
    digest = tree_digest(folder)
    with pytest.raises(UpdateError, match="changed since this update was computed"):
        apply_update(folder, second)
    assert tree_digest(folder) == digest
    # update_folder recomputes under the lock instead, so nothing is lost
    update_folder(folder, [inputs["third"]])
    assert {"S201", "S202"} <= set(load(folder).evidence.ids)


def test_a_source_sharing_a_sheet_cannot_be_replaced_alone(tmp_path, inputs):
    root = make_model_dir(tmp_path / "m", sources=[s for s in MINI_SOURCES if s["id"] not in {"S55", "S76"}])
    (root / "evidence" / "sheet.csv").write_text(
        "source_id,source_kind,reference,citation,context,mechanism,direction\n"
        "S55,included_study,55,Study 55.,quick_wins,trust,increases\n"
        "S76,included_study,76,Study 76.,quick_wins,trust,increases\n", encoding="utf-8")
    digest = tree_digest(root)
    with pytest.raises(UpdateError, match=r"'S55' is in .*sheet.csv together with S76"):
        update_folder(root, [inputs["recoded"]])
    assert tree_digest(root) == digest


# --- refused inputs leave every byte in place -------------------------------------------------


def _bad_inputs(tmp: Path, inputs: dict) -> dict:
    sheet = tmp / "bad.csv"
    sheet.write_text("source_id,source_kind,reference,citation,context,mechanism,direction\n"
                     "S300,included_study,300,A.,quick_wins,trust,increases\n"
                     "S300,included_study,300,A.,quick_wins,conflict,upwards\n", encoding="utf-8")
    malformed = tmp / "S301.yaml"
    malformed.write_text("id: S301\ncmocs: [unclosed\n", encoding="utf-8")
    return {
        "unknown node": ([write_yaml(tmp / "S302.yaml", source(302, [cmoc("quick_wins", "trsut")]))], {},
                         UnknownNodeError, "did you mean 'trust'"),
        "bad sheet row": ([inputs["other"], sheet], {}, SchemaError, f"{sheet}:3 (direction)"),
        "malformed yaml": ([inputs["other"], malformed], {}, FileFormatError, "S301.yaml:3: malformed YAML"),
        "cycle": ([write_yaml(tmp / "S303.yaml", source(303, [cmoc("trust", "initial_trust")]))], {},
                  CycleError, "trust -> initial_trust"),
        "unknown id to remove": ([], {"remove": ["S99"]}, UpdateError, "cannot remove 'S99'"),
        "same id twice": ([inputs["other"], inputs["other"]], {}, bayesnet.DuplicateIdError, "comes twice"),
        "conflicting new node": ([inputs["study"]], {"new_nodes": write_yaml(
            tmp / "n.yaml", {"nodes": [{**NEW_NODE, "id": "quick_wins"}]})}, bayesnet.DuplicateIdError,
            "different entry"),
        "new node missing": ([inputs["study"]], {}, UnknownNodeError, "--new-nodes"),
    }


@pytest.mark.parametrize("case", ["unknown node", "bad sheet row", "malformed yaml", "cycle",
                                  "unknown id to remove", "same id twice", "conflicting new node",
                                  "new node missing"])
def test_refused_inputs_leave_the_folder_byte_for_byte_unchanged(tmp_path, inputs, case, capsys):
    root = make_model_dir(tmp_path / "m")  # no lock file yet: a refusal must not even create it
    files, kwargs, error, text = _bad_inputs(tmp_path, inputs)[case]
    digest = tree_digest(root)
    with pytest.raises(error) as err:
        update_folder(root, files, **kwargs)
    assert text in str(err.value)
    assert tree_digest(root) == digest
    argv = ["update", *map(str, files), "--model", str(root)]
    if "remove" in kwargs:
        argv += ["--remove", *kwargs["remove"]]
    if "new_nodes" in kwargs:
        argv += ["--new-nodes", str(kwargs["new_nodes"])]
    assert main(argv) == 2
    assert text in capsys.readouterr().err
    assert tree_digest(root) == digest


def test_the_embedded_default_model_is_never_updated(inputs, capsys, monkeypatch):
    default = default_model_dir()
    digest = tree_digest(default / "evidence") | tree_digest(default / "priors")
    study = EXAMPLE / "study.yaml"
    with pytest.raises(UpdateError, match="bayesnet init DIR"):
        update_folder(default, [study])
    assert main(["update", str(study), "--model", str(default)]) == 2
    assert "bayesnet init DIR" in capsys.readouterr().err
    monkeypatch.chdir(default)  # the default folder of 'bayesnet update' is the current one
    assert main(["update", str(study), "--remove", "S55"]) == 2
    model = load(default)
    with pytest.raises(UpdateError, match="bayesnet init"):
        apply_update(default, update_model(model, [study]))
    assert tree_digest(default / "evidence") | tree_digest(default / "priors") == digest


# --- the command line -----------------------------------------------------------------------


def test_cli_dry_run_writes_nothing_and_reports(folder, inputs, capsys, tmp_path):
    digest = tree_digest(folder)
    assert main(["update", str(inputs["other"]), "--model", str(folder), "--dry-run", "--draws", "50",
                 "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sources"] == [{"id": "S201", "status": "added", "path": str(inputs["other"])}]
    assert [(r["from"], r["to"], r["status"]) for r in report["links"]] == [("mandated", "conflict", "new")]
    assert tree_digest(folder) == digest
    out = tmp_path / "report.md"
    assert main(["update", str(inputs["other"]), "--model", str(folder), "--draws", "50", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "updated" in printed.err and "| S201 | added |" in printed.out
    assert out.read_text(encoding="utf-8") == printed.out
    assert "S201" in load(folder).evidence


def test_cli_uses_the_current_folder_and_removes(folder, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(folder)
    assert main(["update", "--remove", "S18", "--draws", "20", "--out", str(tmp_path / "r.json")]) == 0
    assert "S18" not in load(folder).evidence
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["sources"][0]["status"] == "removed"
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["update", "--remove", "S36"]) == 2
    assert "no model folder" in capsys.readouterr().err
    assert main(["update", "--model", str(folder)]) == 2
    assert main(["update", "--remove", "S36", "--model", str(folder), "--out", "r.txt"]) == 2


# --- kill during write, and two updates at once ---------------------------------------------


UPDATE = ["S200.yaml", "S55.yaml", "--remove", "S18", "--new-nodes", "nodes.yaml"]


def _argv(root: Path, inputs: dict, *extra: str) -> list[str]:
    base = inputs["study"].parent
    args = [str(base / a) if a.endswith(".yaml") else a for a in UPDATE]
    return [sys.executable, str(DRIVER), str(root), *args, *extra]


@pytest.fixture(scope="module")
def states(tmp_path_factory, inputs):
    """The old and new state of the fault-injection update, and its number of operations."""
    base = make_model_dir(tmp_path_factory.mktemp("fault") / "base")
    ops = {}
    for mode, extra in (("two renames", ["--no-exchange"]), ("exchange", [])):
        done = tmp_path_factory.mktemp("fault") / "done"
        shutil.copytree(base, done)
        run = subprocess.run(_argv(done, inputs, *extra), capture_output=True, text=True, check=True)
        ops[mode] = int(run.stdout.split("OPS ")[1])
    return {
        "base": base, "ops": ops,
        "old": (evidence_hash(base), tree_digest(base / "evidence"), (base / "priors" / "codebook.yaml").read_text()),
        "new": (evidence_hash(done), tree_digest(done / "evidence"), (done / "priors" / "codebook.yaml").read_text()),
    }


def leftovers(root: Path) -> list[str]:
    """Journal, staged or old evidence folders and temporary files of atomic writes anywhere in ``root``."""
    found = [name for name in (JOURNAL, STAGED, ".evidence.old") if (root / name).exists()]
    return found + sorted(str(p.relative_to(root)) for p in root.rglob("*.tmp"))


def _check_killed(root: Path, states: dict, *, exchange: bool = True) -> str:
    """Old or new, never a mix: before recovery (loading only) and after it."""
    old, new = states["old"], states["new"]
    committed = (root / JOURNAL).is_file()
    codebook = (root / "priors" / "codebook.yaml").read_text()
    assert codebook in (old[2], new[2])
    try:
        seen = evidence_hash(root)
    except FileFormatError:
        # only the two-rename fallback has a moment without evidence/, after the commit
        assert not exchange and committed and not (root / "evidence").exists()
        seen = None
    if seen is not None:
        assert seen in (old[0], new[0])
        assert tree_digest(root / "evidence") == (old[1] if seen == old[0] else new[1])
        if seen == new[0]:
            assert codebook == new[2]  # the codebook is never behind the evidence
    recover(root)
    final = evidence_hash(root)
    assert final == (new[0] if committed or seen == new[0] else old[0])
    assert tree_digest(root / "evidence") == (new[1] if final == new[0] else old[1])
    assert leftovers(root) == []
    records = updates(root)
    assert len(records) == (1 if final == new[0] else 0)
    if records:
        assert (records[0]["evidence_before"], records[0]["evidence_after"]) == (old[0], new[0])
    return "new" if final == new[0] else "old"


def _kill_at(k: int, states: dict, inputs: dict, tmp: Path, *extra: str) -> tuple[int, Path]:
    root = tmp / f"k{k}"
    shutil.copytree(states["base"], root)
    run = subprocess.run(_argv(root, inputs, "--kill-at", str(k), *extra), capture_output=True, text=True,
                         check=False)
    return run.returncode, root


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["exchange", "two renames"])
def test_killed_at_every_write_leaves_old_or_new_state(states, inputs, tmp_path, mode):
    """SIGKILL just before each file-system operation of the update, one run per operation."""
    extra = ("--no-exchange",) if mode == "two renames" else ()
    n = states["ops"][mode] + 1  # the last run is never killed
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda k: _kill_at(k, states, inputs, tmp_path, *extra), range(1, n + 1)))
    outcomes = []
    for k, (code, root) in enumerate(runs, start=1):
        assert code == (0 if k == n else -9), (k, code)
        committed = (root / JOURNAL).is_file()
        # the same update run again, with no explicit recovery first, must complete the history
        rerun = root.with_name(f"{root.name}-rerun")
        shutil.copytree(root, rerun, symlinks=True)
        try:
            done = committed or evidence_hash(rerun) == states["new"][0]
        except FileFormatError:  # no evidence/ between the two renames: committed
            done = True
        update_folder(rerun, [inputs["study"], inputs["recoded"]], remove=[] if done else ["S18"],
                      new_nodes=inputs["nodes"])
        assert evidence_hash(rerun) == states["new"][0], k
        assert len(updates(rerun)) == 1, (k, updates(rerun))
        assert updates(rerun)[0]["evidence_after"] == states["new"][0]
        assert leftovers(rerun) == [], k
        outcome = _check_killed(root, states, exchange=mode == "exchange")
        outcomes.append((committed, outcome))
        # running the update again afterwards gives the new state, recorded once
        remove = ["S18"] if outcome == "old" else []
        again = update_folder(root, [inputs["study"], inputs["recoded"]], remove=remove, new_nodes=inputs["nodes"])
        assert again.is_noop == (outcome == "new")
        assert evidence_hash(root) == states["new"][0]
        assert len(updates(root)) == 1
    assert {o for _, o in outcomes} == {"old", "new"}
    assert any(c for c, _ in outcomes)  # some kills fell after the commit point


@pytest.mark.slow
def test_killed_from_outside_at_random_moments(states, inputs, tmp_path):
    rng = np.random.default_rng(20210602)
    delay = 0.01
    for i in range(6):
        root = tmp_path / f"r{i}"
        shutil.copytree(states["base"], root)
        proc = subprocess.Popen(_argv(root, inputs, "--delay", str(delay)), stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "WRITING"
        time.sleep(rng.uniform(0.0, states["ops"]["exchange"] * delay))
        proc.kill()
        proc.communicate()
        _check_killed(root, states)


def test_two_updates_at_once_both_end_up_in(folder, inputs):
    slow = subprocess.Popen([sys.executable, str(DRIVER), str(folder), str(inputs["other"]), "--delay", "0.02"],
                            stdout=subprocess.PIPE, text=True)
    assert slow.stdout.readline().strip() == "WRITING"  # it holds the lock now
    fast = subprocess.run([sys.executable, str(DRIVER), str(folder), str(inputs["third"])],
                          capture_output=True, text=True, check=False)
    slow.communicate()
    assert slow.returncode == 0 and fast.returncode == 0, fast.stderr
    assert {"S201", "S202"} <= set(load(folder).evidence.ids)
    first, second = updates(folder)
    assert first["added"] == ["S201"] and second["added"] == ["S202"]
    assert second["evidence_before"] == first["evidence_after"]
    assert second["evidence_after"] == evidence_hash(folder)


# --- the example ------------------------------------------------------------------------------


@pytest.mark.slow
def test_buddying_example_strengthens_links_and_removes_cleanly(tmp_path):
    default_digest = tree_digest(default_model_dir() / "evidence")
    module = runpy.run_path(str(EXAMPLE / "run.py"))
    root = tmp_path / "team"
    change, report = module["update_copy"](root, draws=300, seed=5)
    assert change.added == ("F9001",)
    links = report.links.set_index(["from", "to"])
    for link in [("quick_wins", "trust"), ("joint_appointments", "interpersonal_communication"),
                 ("interpersonal_communication", "trust"), ("trust", "risk_tolerance")]:
        assert links.loc[link, "status"] == "strengthened"
        assert links.loc[link, "n_support_after"] == links.loc[link, "n_support_before"] + 1
    assert links.loc[("joint_appointments", "trust"), "status"] == "new"
    buddying = report.queries.set_index("scenario").loc["buddying"]
    assert buddying["shift"] == pytest.approx(buddying["probability_after"] - buddying["probability_before"])
    text = report.to_markdown()
    assert "| buddying |" in text and "strengthened" in text
    # taking the study out again gives byte-identical evidence and identical answers
    copy = tmp_path / "untouched"
    init_model(copy)
    update_folder(root, remove=["F9001"])
    assert tree_digest(root / "evidence") == tree_digest(copy / "evidence") == default_digest
    a = query(load(root), "collaborative_behaviour", scenario="buddying", draws=200, seed=3)
    b = query(load(copy), "collaborative_behaviour", scenario="buddying", draws=200, seed=3)
    np.testing.assert_array_equal(a.point, b.point)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert tree_digest(default_model_dir() / "evidence") == default_digest


# --- recovery on every run, modes and links kept ------------------------------------------------


def test_init_gives_the_folder_the_mode_of_an_ordinary_mkdir(tmp_path):
    import os

    umask = os.umask(0o022)
    os.umask(umask)
    dest = init_model(tmp_path / "team")
    (tmp_path / "plain").mkdir()
    assert dest.stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777 == 0o777 & ~umask


def test_a_noop_rerun_finishes_an_update_killed_before_its_history_line(folder, inputs, monkeypatch):
    """The swap happened, the history line did not (a kill at that moment): running the same
    update again changes no evidence, but must still write the missing line and clean up."""
    from bayesnet.update import store

    def killed(root, record):
        raise KeyboardInterrupt  # stands for SIGKILL: nothing after this point runs

    monkeypatch.setattr(store, "_append_history", killed)
    with pytest.raises(KeyboardInterrupt):
        update_folder(folder, [inputs["other"]])
    monkeypatch.undo()
    assert (folder / JOURNAL).is_file() and "S201" in load(folder).evidence and updates(folder) == []
    (folder / "priors" / ".history.jsonl.abc123.tmp").write_bytes(b"half a line")  # a killed atomic write
    again = update_folder(folder, [inputs["other"]])
    assert again.is_noop
    (record,) = updates(folder)
    assert record["added"] == ["S201"] and record["evidence_after"] == evidence_hash(folder)
    assert leftovers(folder) == []


def test_a_symlinked_evidence_file_stays_a_link(folder, inputs):
    (folder / "shared").mkdir()
    (folder / "evidence" / "S55.yaml").rename(folder / "shared" / "S55.yaml")
    (folder / "evidence" / "S55.yaml").symlink_to("../shared/S55.yaml")
    update_folder(folder, [inputs["other"]])
    link = folder / "evidence" / "S55.yaml"
    assert link.is_symlink() and str(link.readlink()) == "../shared/S55.yaml"
    assert "S55" in load(folder).evidence and "S201" in load(folder).evidence
    update_folder(folder, remove=["S55"])  # removing its source drops the link, not the file it points to
    assert not link.exists() and not link.is_symlink() and (folder / "shared" / "S55.yaml").is_file()


def test_the_evidence_folder_keeps_its_mode(folder, inputs):
    (folder / "evidence").chmod(0o750)
    update_folder(folder, [inputs["other"]])
    assert (folder / "evidence").stat().st_mode & 0o777 == 0o750
