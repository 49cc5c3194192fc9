"""`bayesnet validate` lists every error in one run and calls OK only what it fully checked."""

from __future__ import annotations

import json

from bayesnet.cli import main
from tests.helpers import cmoc, make_model_dir, source, tree_digest, write_yaml

HEADER = "source_id,source_kind,reference,citation,context,mechanism,direction\n"


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("bayesnet validate: error: ")]


def test_a_sheet_with_three_bad_rows_shows_all_three_in_one_run(tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        HEADER
        + "S300,included_study,300,Study 300.,quick_wins,trsut,increases\n"
        + "S301,included_study,301,Study 301.,quick_wins,trust,increases\n"
        + "S302,included_study,302,Study 302.,quick_wins,trust,raises\n"
        + "S303,included_stduy,303,Study 303.,quick_wins,trust,increases\n",
        encoding="utf-8",
    )
    before = tree_digest(tmp_path)
    assert main(["validate", str(sheet)]) == 2
    out, err = capsys.readouterr()
    assert "OK" not in out
    assert _errors(err) == [
        f"bayesnet validate: error: {sheet}:2 (mechanism): unknown node 'trsut'; did you mean 'trust'?",
        f"bayesnet validate: error: {sheet}:4 (direction): unknown value 'raises'; expected one of increases, "
        "decreases; did you mean 'decreases'?",
        f"bayesnet validate: error: {sheet}:5 (source_kind): unknown value 'included_stduy'; expected one of "
        "included_study, supporting_source, review_synthesis; did you mean 'included_study'?",
    ]
    assert tree_digest(tmp_path) == before


def test_a_file_that_closes_a_cycle_is_never_called_ok(tmp_path, capsys):
    study = write_yaml(tmp_path / "S310.yaml", source(310, [cmoc("trust", "initial_trust")]))
    assert main(["validate", str(study)]) == 2
    out, err = capsys.readouterr()
    assert "OK" not in out
    (line,) = _errors(err)
    assert line.startswith(f"bayesnet validate: error: {study}:")  # this file's CMOC, not the model's
    assert "trust -> initial_trust (S310)" in line and "close a cycle" in line


def test_a_model_folder_with_a_cycle_is_never_called_ok(tmp_path, capsys):
    root = make_model_dir(tmp_path / "m")
    write_yaml(root / "evidence" / "S99.yaml", source(99, [cmoc("trust", "initial_trust")]))
    assert main(["validate", str(root)]) == 2
    out, err = capsys.readouterr()
    assert "OK" not in out and "close a cycle" in err


def test_good_and_bad_paths_in_one_run(tmp_path, capsys):
    good = write_yaml(tmp_path / "S311.yaml", source(311, [cmoc("quick_wins", "trust")]))
    bad = write_yaml(tmp_path / "S312.yaml", source(312, [cmoc("quick_wins", "trsut"), cmoc("quik_wins", "trust")]))
    assert main(["validate", str(good), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == f"{good}: OK (1 source, 1 CMOC)\n"
    assert len(_errors(err)) == 2
    assert main(["validate", str(good)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{good}: OK (1 source, 1 CMOC)\n" and err.startswith("model: embedded default model (")


def test_errors_past_the_cap_are_counted(tmp_path, capsys):
    study = write_yaml(tmp_path / "S320.yaml", source(320, [cmoc("quick_wins", f"trsut{i}") for i in range(8)]))
    assert main(["validate", str(study), "--max-errors", "3"]) == 2
    errors = _errors(capsys.readouterr().err)
    assert len(errors) == 4
    assert errors[-1] == f"bayesnet validate: error: {study}: and 5 more errors (8 in all; --max-errors N lists more)"
    assert main(["validate", str(study), "--format", "json", "--max-errors", "3"]) == 2
    data = json.loads(capsys.readouterr().out)
    (path,) = data["paths"]
    assert data["ok"] is False and len(path["errors"]) == 3 and path["more_errors"] == 5
    assert path["errors"][0] == {"file": str(study), "line": 8, "field": "cmocs[0].mechanism", "value": "trsut0",
                                 "type": "UnknownNodeError", "message": path["errors"][0]["message"],
                                 "suggestions": "trust"}


def test_validate_dot_in_a_broken_model_folder_lists_all_its_errors(tmp_path, capsys, monkeypatch):
    root = make_model_dir(tmp_path / "m")
    write_yaml(root / "evidence" / "S98.yaml", source(98, [cmoc("quick_wins", "trsut")]))
    write_yaml(root / "evidence" / "S99.yaml", source(99, [cmoc("quick_wins", "trust", "raises")]))
    monkeypatch.chdir(root)
    assert main(["validate", "."]) == 2
    errors = _errors(capsys.readouterr().err)
    assert len(errors) == 2 and "S98.yaml:8" in errors[0] and "S99.yaml:9" in errors[1]
