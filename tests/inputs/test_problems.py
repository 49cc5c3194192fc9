"""Readers report every error of a file at once; ``load`` still fails at the first, carrying
them all (bayesnet.inputs.problems)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bayesnet import load
from bayesnet.errors import InputError, SchemaError, UnknownNodeError
from bayesnet.inputs.folder import read_codebook, read_evidence, read_source_file
from tests.helpers import MINI_CODEBOOK, cmoc, make_model_dir, source, write_yaml

HEADER = "source_id,source_kind,reference,citation,context,mechanism,direction\n"


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    return make_model_dir(tmp_path / "model")


@pytest.fixture
def codebook(model_dir: Path):
    return read_codebook(model_dir / "priors" / "codebook.yaml")


def test_a_sheet_with_three_bad_rows_names_all_three(tmp_path, codebook):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        HEADER
        + "S300,included_study,300,Study 300.,quick_wins,trsut,increases\n"      # row 2: unknown node
        + "S301,included_study,301,Study 301.,quick_wins,trust,increases\n"      # row 3: fine
        + "S302,included_study,302,Study 302.,quick_wins,trust,raises\n"         # row 4: bad direction
        + "S303,included_stduy,303,Study 303.,quick_wins,trust,increases\n",     # row 5: bad kind
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_source_file(sheet, codebook)
    err = info.value
    assert isinstance(err, UnknownNodeError) and err.line == 2  # the first, as before
    found = [(e.line, e.field) for e in err.errors]
    assert found == [(2, "mechanism"), (4, "direction"), (5, "source_kind")]
    assert "did you mean 'trust'" in err.errors[0].message
    assert "did you mean 'included_study'" in err.errors[2].message
    assert str(err).endswith("(and 2 more errors: 'bayesnet validate' lists every one)")


def test_every_bad_field_of_one_cmoc_and_every_cmoc_of_a_yaml_file(tmp_path, codebook):
    path = write_yaml(tmp_path / "S99.yaml", source(99, [
        cmoc("quik_wins", "trsut", "raises"),       # three errors in one CMOC
        cmoc("quick_wins", "trust"),                # fine
        cmoc("quick_wins", "trust", lag=2),         # lag out of range
    ], kind="study"))
    with pytest.raises(InputError) as info:
        read_source_file(path, codebook)
    fields = [e.field for e in info.value.errors]
    assert fields == ["kind", "cmocs[0].context", "cmocs[0].mechanism", "cmocs[0].direction", "cmocs[2].lag"]
    lines = [e.line for e in info.value.errors]
    assert lines == sorted(lines)


def test_a_check_that_depends_on_a_failed_field_is_skipped(tmp_path, codebook):
    # an unknown node is not also reported as a self-loop or a moderator of its own end
    path = write_yaml(tmp_path / "S99.yaml", source(99, [cmoc("trsut", "trsut", when={"trsut": "high"})]))
    with pytest.raises(InputError) as info:
        read_source_file(path, codebook)
    assert [e.field for e in info.value.errors] == ["cmocs[0].context", "cmocs[0].mechanism", "cmocs[0].when"]
    assert all(isinstance(e, UnknownNodeError) for e in info.value.errors)


def test_a_codebook_reports_every_bad_node(tmp_path):
    book = yaml.safe_load(yaml.safe_dump(MINI_CODEBOOK))
    book["nodes"][0]["kind"] = "contxt"
    book["nodes"][2]["states"] = ["only_one"]
    book["nodes"][4]["id"] = "Conflict"
    path = write_yaml(tmp_path / "codebook.yaml", book)
    with pytest.raises(SchemaError) as info:
        read_codebook(path)
    assert [e.field for e in info.value.errors] == ["nodes[0].kind", "nodes[2].states", "nodes[4].id"]


def test_every_file_of_a_folder_is_read_before_raising(tmp_path, codebook):
    folder = tmp_path / "new"
    write_yaml(folder / "S98.yaml", source(98, [cmoc("quick_wins", "trsut")]))
    write_yaml(folder / "S99.yaml", source(99, [cmoc("quick_wins", "trust")]))
    write_yaml(folder / "S100.yaml", source(100, [cmoc("quick_wins", "trust", "raises")]))
    with pytest.raises(InputError) as info:
        read_evidence([folder], codebook)
    assert sorted(Path(e.path).name for e in info.value.errors) == ["S100.yaml", "S98.yaml"]


def test_load_raises_the_first_error_carrying_all(model_dir):
    write_yaml(model_dir / "evidence" / "S98.yaml", source(98, [cmoc("quick_wins", "trsut")]))
    write_yaml(model_dir / "evidence" / "S99.yaml", source(99, [cmoc("quick_wins", "trust", "raises")]))
    with pytest.raises(UnknownNodeError) as info:
        load(model_dir)
    assert len(info.value.errors) == 2
    assert info.value.errors[0] is info.value
    assert "(and 1 more error: 'bayesnet validate' lists every one)" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_single_error_reads_as_before(tmp_path, codebook):
    path = write_yaml(tmp_path / "S99.yaml", source(99, [cmoc("quick_wins", "trsut")]))
    with pytest.raises(UnknownNodeError) as info:
        read_source_file(path, codebook)
    assert info.value.errors == [info.value]
    assert str(info.value) == info.value.message
