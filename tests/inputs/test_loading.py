"""Loading and validating codebook and evidence: every bad input gets a located message,
and validation never writes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bayesnet import (
    load,
)
from bayesnet.build.graph import link_table
from bayesnet.build.model import Model
from bayesnet.errors import (
    CycleError,
    DuplicateIdError,
    FileFormatError,
    SchemaError,
    UnknownNodeError,
    UnknownStateError,
)
from bayesnet.inputs.evidence import SHEET_COLUMNS
from bayesnet.inputs.folder import read_codebook, read_evidence, read_model_files, read_source_file
from tests.helpers import (
    MINI_CODEBOOK,
    MINI_SOURCES,
    cmoc,
    make_model_dir,
    source,
    tree_digest,
    write_yaml,
)


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    return make_model_dir(tmp_path / "model")


@pytest.fixture
def codebook(model_dir: Path):
    return read_codebook(model_dir / "priors" / "codebook.yaml")


def _bad(tmp_path: Path, data) -> Path:
    return write_yaml(tmp_path / "bad" / "S99.yaml", data)


def test_unknown_node_names_file_line_field_and_suggests(tmp_path, codebook):
    path = _bad(tmp_path, source(99, [cmoc("quick_wins", "trsut")]))
    with pytest.raises(UnknownNodeError) as info:
        read_source_file(path, codebook)
    err = info.value
    assert err.path == str(path)
    assert err.field == "cmocs[0].mechanism"
    assert err.value == "trsut"
    assert err.line == 8  # the 'mechanism' key's line in the dumped YAML
    assert "did you mean 'trust'?" in str(err)
    assert str(err).startswith(f"{path}:8 (cmocs[0].mechanism): unknown node 'trsut'")


def test_unknown_state_in_moderator(tmp_path, codebook):
    path = _bad(tmp_path, source(99, [cmoc("quick_wins", "trust", when={"conflict": "presnt"})]))
    with pytest.raises(UnknownStateError, match=r"no state 'presnt'.*did you mean 'present'\?"):
        read_source_file(path, codebook)


def test_unknown_direction_word(tmp_path, codebook):
    path = _bad(tmp_path, source(99, [cmoc("quick_wins", "trust", "raises")]))
    with pytest.raises(
        SchemaError, match=r"cmocs\[0\]\.direction.*unknown value 'raises'; expected one of increases, decreases"
    ):
        read_source_file(path, codebook)


@pytest.mark.parametrize("missing", ["context", "mechanism"])
def test_record_missing_context_or_mechanism(tmp_path, codebook, missing):
    record = cmoc("quick_wins", "trust")
    del record[missing]
    path = _bad(tmp_path, source(99, [record]))
    with pytest.raises(SchemaError, match=rf"cmocs\[0\]\.{missing}\): missing required field '{missing}'"):
        read_source_file(path, codebook)


def test_duplicate_study_id_across_files(tmp_path, codebook):
    write_yaml(tmp_path / "ev" / "a.yaml", source(40, []))
    write_yaml(tmp_path / "ev" / "b.yaml", source(40, []))
    with pytest.raises(DuplicateIdError, match=r"source id 'S40' is defined twice"):
        read_evidence([tmp_path / "ev"], codebook)


def test_empty_file(tmp_path, codebook):
    path = tmp_path / "S1.yaml"
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"S1\.yaml: the file is empty"):
        read_source_file(path, codebook)


def test_non_utf8_bytes_name_the_line(tmp_path, codebook):
    path = tmp_path / "S1.yaml"
    path.write_bytes(b"id: S1\nkind: included_study\ncitation: Caf\xe9\n")
    with pytest.raises(FileFormatError, match=r"S1\.yaml:3: not UTF-8: byte 0xe9"):
        read_source_file(path, codebook)


def test_malformed_yaml_names_line_and_column(tmp_path, codebook):
    path = tmp_path / "S1.yaml"
    path.write_text("id: S1\ncmocs: [\n  {context: a\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"S1\.yaml:\d+: malformed YAML, column \d+"):
        read_source_file(path, codebook)


def test_duplicate_yaml_key_is_refused(tmp_path, codebook):
    path = tmp_path / "S1.yaml"
    path.write_text("id: S1\nid: S2\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="duplicate key 'id'"):
        read_source_file(path, codebook)


def test_yaml_tags_are_not_executed(tmp_path, codebook):
    path = tmp_path / "S1.yaml"
    path.write_text("id: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="malformed YAML"):
        read_source_file(path, codebook)


def test_unknown_field_suggests_closest(tmp_path, codebook):
    record = cmoc("quick_wins", "trust")
    record["mechansim"] = "trust"
    path = _bad(tmp_path, source(99, [record]))
    with pytest.raises(SchemaError, match=r"unknown field 'mechansim'; did you mean 'mechanism'\?"):
        read_source_file(path, codebook)


def test_cycle_names_the_whole_cycle_and_suggests_staging(tmp_path):
    sources = [*MINI_SOURCES, source(99, [cmoc("trust", "initial_trust")])]
    root = make_model_dir(tmp_path / "m", sources=sources)
    before = tree_digest(root)
    with pytest.raises(CycleError) as info:
        Model.from_files(read_model_files(root))
    err = info.value
    assert err.cycle[0] == err.cycle[-1]
    assert set(err.cycle) == {"initial_trust", "trust"}
    assert "initial_trust -> trust" in str(err) and "trust -> initial_trust" in str(err)
    assert "stage one end" in str(err) and "lag: 1" in str(err)
    assert err.path is not None and err.path.endswith(".yaml")
    assert tree_digest(root) == before


def test_feedback_links_with_lag_do_not_make_cycles(model_dir):
    model = load(model_dir)
    assert model.dag.has_edge("conflict", "trust")
    assert not model.dag.has_edge("trust", "conflict")
    feedback = model.links[model.links["lag"] == 1]
    assert list(zip(feedback["from"], feedback["to"], strict=True)) == [("trust", "conflict")]


def test_codebook_errors(tmp_path):
    data = yaml.safe_load(yaml.safe_dump(MINI_CODEBOOK))
    data["nodes"][1]["kind"] = "contex"
    path = write_yaml(tmp_path / "codebook.yaml", data)
    with pytest.raises(SchemaError, match=r"nodes\[1\]\.kind.*did you mean 'context'"):
        read_codebook(path)
    data["nodes"][1]["kind"] = "context"
    data["nodes"][2]["id"] = "quick_wins"
    path = write_yaml(tmp_path / "codebook.yaml", data)
    with pytest.raises(DuplicateIdError, match="node id 'quick_wins' is defined twice"):
        read_codebook(path)


def test_validation_writes_nothing(model_dir, tmp_path):
    bad = _bad(tmp_path, source(99, [cmoc("quick_wins", "trsut")]))
    before = tree_digest(model_dir)
    before_bad = bad.read_bytes()
    with pytest.raises(UnknownNodeError):
        read_evidence([bad], read_codebook(model_dir / "priors" / "codebook.yaml"))
    load(model_dir)
    assert tree_digest(model_dir) == before
    assert bad.read_bytes() == before_bad
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".tmp") == []


# -- counting -----------------------------------------------------------------------


def test_distinct_sources_count_once(model_dir):
    links = load(model_dir).links
    row = links[(links["from"] == "history_of_collaboration") & (links["to"] == "initial_trust")].iloc[0]
    # S36 and S57; S57 states the link twice but counts once.
    assert row["n_support"] == 2
    assert row["support_ids"] == ("S36", "S57")
    conflict = links[(links["from"] == "conflict") & (links["to"] == "trust")].iloc[0]
    assert conflict["sign"] == -1
    assert conflict["support_included_study"] == 1
    assert conflict["support_supporting_source"] == 1
    assert conflict["w_support"] == pytest.approx(1.5)


def test_contradicting_sources_are_counted_against_the_majority(tmp_path):
    sources = [*MINI_SOURCES, source(60, [cmoc("quick_wins", "trust", "decreases")])]
    links = load(make_model_dir(tmp_path / "m", sources=sources)).links
    row = links[(links["from"] == "quick_wins") & (links["to"] == "trust")].iloc[0]
    assert (row["sign"], row["n_support"], row["n_contradict"]) == (1, 2, 1)
    assert row["contradict_ids"] == ("S60",)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(list(range(len(MINI_SOURCES)))))
def test_loading_order_never_changes_the_link_table(tmp_path_factory, order):
    root = tmp_path_factory.mktemp("order")
    codebook_path = write_yaml(root / "codebook.yaml", MINI_CODEBOOK)
    paths = [write_yaml(root / "ev" / f"f{i}.yaml", MINI_SOURCES[i]) for i in range(len(MINI_SOURCES))]
    cb = read_codebook(codebook_path)
    reference = link_table(cb, read_evidence(paths, cb))
    shuffled = link_table(cb, read_evidence([paths[i] for i in order], cb))
    assert shuffled.equals(reference)


# -- spreadsheet forms ----------------------------------------------------------------


def _sheet_rows(src: dict) -> list[dict[str, str]]:
    rows = []
    for c in src["cmocs"] or [{}]:
        row = {k: "" for k in SHEET_COLUMNS}
        row.update(
            source_id=src["id"],
            source_kind=src["kind"],
            reference=str(src["reference"]),
            citation=src["citation"],
            year=str(src["year"]),
        )
        for k, v in c.items():
            row[k] = ";".join(f"{a}={b}" for a, b in v.items()) if isinstance(v, dict) else str(v)
        rows.append(row)
    return rows


def test_csv_xlsx_and_yaml_forms_give_the_same_records(tmp_path, codebook):
    import openpyxl

    src = source(
        44,
        [
            cmoc(
                "mandated",
                "initial_trust",
                "decreases",
                outcome="trust",
                outcome_direction="increases",
                when={"conflict": "present"},
                quote="imposed",
            ),
            cmoc("trust", "conflict", "decreases", lag=1),
        ],
        collaboration_type="buddying",
        collaboration_type_basis="title",
    )
    yaml_path = write_yaml(tmp_path / "S44.yaml", src)
    rows = _sheet_rows(src)
    for r in rows:
        r["collaboration_type"], r["collaboration_type_basis"] = "buddying", "title"
    csv_path = tmp_path / "S44.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(SHEET_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    xlsx_path = tmp_path / "S44.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(SHEET_COLUMNS))
    for r in rows:
        ws.append([r[c] for c in SHEET_COLUMNS])
    wb.save(xlsx_path)

    def strip(sources):
        return [
            (
                s.id,
                s.kind,
                s.reference,
                s.citation,
                s.year,
                s.collaboration_type,
                tuple(c.__class__(**{**c.__dict__, "line": None}) for c in s.cmocs),
            )
            for s in sources
        ]

    from_yaml = strip(read_source_file(yaml_path, codebook))
    assert strip(read_source_file(csv_path, codebook)) == from_yaml
    assert strip(read_source_file(xlsx_path, codebook)) == from_yaml
    assert from_yaml[0][6][0].when == ("conflict", "present")


def test_sheet_errors_name_the_row(tmp_path, codebook):
    rows = _sheet_rows(source(44, [cmoc("mandated", "trust"), cmoc("mandated", "trsut")]))
    path = tmp_path / "S44.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(SHEET_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(
        UnknownNodeError, match=r"S44\.csv:3 \(mechanism\): unknown node 'trsut'; did you mean 'trust'\?"
    ):
        read_source_file(path, codebook)


def test_sheet_source_fields_must_agree_between_rows(tmp_path, codebook):
    rows = _sheet_rows(source(44, [cmoc("mandated", "trust"), cmoc("quick_wins", "trust")]))
    rows[1]["year"] = "2011"
    path = tmp_path / "S44.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(SHEET_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(SchemaError, match=r"S44\.csv:3 \(year\): source 'S44' has year=2011 here but 2010 in row 2"):
        read_source_file(path, codebook)
