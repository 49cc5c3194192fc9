"""The report: files, the same numbers in Markdown and CSV, key points, determinism, the
command line, and the default model's integrated care system report."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

import bayesnet
from bayesnet import (
    load,
    query,
    write_report,
)
from bayesnet.analysis.ranking import TIE
from bayesnet.cli import main
from bayesnet.report.tables import FORMULA_STARTS, TABLES, cell
from tests.analysis.test_sensitivity import SENS_SOURCES, TARGET, sens_codebook
from tests.helpers import ask, make_model_dir

DRAWS = 300
NEUTRALISED = tuple("'" + c for c in FORMULA_STARTS)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return load(make_model_dir(tmp_path_factory.mktemp("report") / "m", sources=SENS_SOURCES, codebook=sens_codebook()))


@pytest.fixture(scope="module")
def report(model, tmp_path_factory):
    return write_report(
        *ask(model, TARGET, scenario="voluntary", draws=DRAWS, seed=3),
        tmp_path_factory.mktemp("out") / "report",
        quiet=True,
        settings=4,
    )


def _markdown_table(md: str, title: str) -> list[list[str]]:
    """Rows (header first) of the first table after the heading ``## title``."""
    lines = md.split(f"## {title}\n", 1)[1].splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    table = []
    for ln in lines[start:]:
        if not ln.startswith("|"):
            break
        if re.fullmatch(r"\|(-+:?\|)+", ln):
            continue
        table.append([c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", ln)[1:-1]])
    return table


def test_report_files_exist(report):
    folder = report.folder
    for name in (
        "index.html",
        "report.md",
        "tornado.svg",
        "forest.svg",
        "evidence.svg",
        "web.dot",
        *(f"{t}.csv" for t in TABLES),
    ):
        assert (folder / name).is_file(), name
    assert not list(folder.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_markdown_and_csv_hold_the_same_numbers(report):
    md = report.markdown.read_text(encoding="utf-8")
    html = report.html.read_text(encoding="utf-8")
    for name, (title, _) in TABLES.items():
        csv = pd.read_csv(report.folder / f"{name}.csv", keep_default_na=False, na_values=[""])
        rows = _markdown_table(md, title)
        assert rows[0] == list(csv.columns), name
        assert len(rows) - 1 == len(csv), name
        for got, (_, want) in zip(rows[1:], csv.iterrows(), strict=True):
            # the CSV's text cells that start like a formula carry a leading ' (report.tables.csv_text)
            shown = [cell(c, want[c][1:] if isinstance(want[c], str) and want[c][:2] in NEUTRALISED else want[c])
                     for c in csv.columns]
            assert got == [s.replace("<", "&lt;") for s in shown], name
            for text in got:
                assert text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;") in html
    # the CSV keeps full precision: the tornado's swing is not rounded there
    tornado = pd.read_csv(report.folder / "tornado.csv")
    np.testing.assert_allclose(tornado["swing"], report.data.tornado.frame["swing"].to_numpy(), rtol=0, atol=0)


def test_key_points_name_levers_with_intervals_and_the_links_to_study(report):
    md = report.markdown.read_text(encoding="utf-8")
    points = md.split("## Key points\n", 1)[1].split("\n## ", 1)[0]
    assert re.search(
        r"Modifiable contexts that matter most: .*\(quick_wins\).*94% HDI -?\d\.\d{3} to -?\d\.\d{3}", points
    )
    assert "Coded links whose further study would most narrow the answer" in points
    top = report.data.evidence.frame.iloc[0]
    assert top["name"] in points
    assert "Givens that shape this situation (context, not advice): mandated=voluntary" in points


def test_html_page_is_self_contained_with_every_picture(report):
    html = report.html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["'](https?:|//)|url\((?!#)|@import""", html)  # nothing loaded from outside
    n_svg = html.count("<svg")
    assert n_svg == (4 if report.note is None else 3)
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    for table in TABLES:
        assert f'id="{table}"' in html


def test_without_graphviz_the_page_says_so(model, tmp_path, monkeypatch):
    from bayesnet.report import plots

    monkeypatch.setattr(plots.shutil, "which", lambda _name: None)
    files = write_report(*ask(model, TARGET, draws=50), tmp_path / "r", quiet=True)
    html = files.html.read_text(encoding="utf-8")
    assert files.note and "Graphviz's 'dot' program is not installed" in files.note
    assert "Graphviz&#x27;s &#x27;dot&#x27; program is not installed" in html
    assert html.count("<svg") == 3
    assert (tmp_path / "r" / "web.dot").is_file() and not (tmp_path / "r" / "web.svg").exists()


def test_same_inputs_give_the_same_bytes(model, report, tmp_path):
    again = write_report(*ask(model, TARGET, scenario="voluntary", draws=DRAWS, seed=3), tmp_path / "again", quiet=True,
                         settings=4)
    for name in ("index.html", "report.md", "tornado.svg", *(f"{t}.csv" for t in TABLES)):
        assert (again.folder / name).read_bytes() == (report.folder / name).read_bytes(), name


def test_scenario_forest_matches_queries(model, report):
    frame = pd.read_csv(report.folder / "scenarios.csv").set_index("scenario")
    assert list(frame.index) == ["(none)", "voluntary"]
    r = query(model, TARGET, scenario="voluntary", draws=DRAWS, seed=3)
    assert frame.loc["voluntary", "probability"] == pytest.approx(r.distribution["high"], abs=1e-12)
    lo, hi = r.interval.loc["high"]
    assert (frame.loc["voluntary", "low"], frame.loc["voluntary", "high"]) == pytest.approx((lo, hi), abs=1e-12)


def test_progress_is_silent_off_a_terminal(model, tmp_path, capfd):
    write_report(*ask(model, TARGET, draws=40), tmp_path / "q", quiet=False)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_cli_report(model, tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(
        [
            "report",
            "--model",
            str(model.root),
            "--scenario",
            "voluntary",
            "--given",
            "trust=high",
            "--target",
            TARGET,
            "--levers",
            "1",
            "--draws",
            "60",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    assert "index.html" in capsys.readouterr().out
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "given mandated=voluntary, trust=high" in md
    assert "| mandated | Mandated | voluntary | observed (scenario) |" in md
    assert "| trust | Trust | high | observed |" in md
    assert main(["report", "--model", str(model.root), "--target", "trsut", "--out", str(out)]) == 2
    assert "did you mean 'trust'?" in capsys.readouterr().err


def test_default_model_integrated_care_system_report(tmp_path, capsys):
    """The issue's command (with fewer draws, to keep the suite quick)."""
    out = tmp_path / "report"
    assert (
        main(["report", "--scenario", "integrated_care_system", "--out", str(out), "--draws", "1000", "--quiet"]) == 0
    )
    capsys.readouterr()
    model = bayesnet.load()
    md = (out / "report.md").read_text(encoding="utf-8")
    points = md.split("## Key points\n", 1)[1].split("\n## ", 1)[0]
    levers_line = next(ln for ln in points.splitlines() if ln.startswith("- Modifiable contexts that matter most:"))
    named = re.findall(r"\((\w+)\): \w+ rather than \w+ moves it from", levers_line)
    assert len(named) == 3
    assert all(model.codebook[n].modifiable for n in named)
    assert len(re.findall(r"94% HDI -?\d\.\d{3} to -?\d\.\d{3}", levers_line)) == 3
    links_line = next(ln for ln in points.splitlines() if ln.startswith("- Coded links whose further study"))
    evidence = pd.read_csv(out / "evidence.csv")
    for name in evidence["name"].head(3):
        assert name in links_line
    levers = pd.read_csv(out / "levers.csv")
    assert all(model.codebook[n].modifiable for n in levers["lever"])
    givens = pd.read_csv(out / "givens.csv")
    assert not any(model.codebook[n].modifiable for n in givens["node"])
    assert set(pd.read_csv(out / "scenarios.csv")["scenario"]) == {"(none)", *(s.id for s in model.scenarios)}
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3
    swing = pd.read_csv(io.StringIO((out / "tornado.csv").read_text(encoding="utf-8")))["swing"].to_numpy()
    assert np.all(np.diff(swing) <= TIE)  # ranked; ties (within rounding) by name


def test_a_situation_that_fixes_every_lever(model, tmp_path):
    do = {
        "quick_wins": "present",
        "realistic_ambition": "realistic",
        "leadership_stability": "stable",
        "joint_teams": "present",
    }
    files = write_report(
        *ask(model, TARGET, do=do, given={"mandated": "mandated"}, draws=50), tmp_path / "fixed", quiet=True
    )
    md = files.markdown.read_text(encoding="utf-8")
    assert "No modifiable context is left free by this situation." in md
    assert files.data.levers.best_set == {} and files.data.levers.k == 0
    assert files.data.levers.after["probability"] == files.data.levers.before["probability"]
    assert "| quick_wins | Quick wins | present | set (do) |" in md


def test_the_report_shows_the_numbers_of_the_analyses_run_alone(model, report):
    """The report runs the analyses once over one posterior; alone, each gives the same numbers."""
    from bayesnet.analysis import Conclusion, evidence_ranking, levers, tornado
    from bayesnet.errors import QueryError

    q, post = ask(model, TARGET, scenario="voluntary", draws=DRAWS, seed=3)
    t = tornado(q, post, kinds=("context", "mechanism"))
    pd.testing.assert_frame_equal(report.data.tornado.frame, t.frame)
    lv = levers(q, post, k=2)
    pd.testing.assert_frame_equal(report.data.levers.sets, lv.sets)
    alone = evidence_ranking(q, post, conclusion=Conclusion.best_levers(lv))
    pd.testing.assert_frame_equal(report.data.evidence.frame, alone.frame)
    with pytest.raises(QueryError, match="answers another question"):
        levers(*ask(model, TARGET, draws=DRAWS, seed=3), k=2, tornado_result=t)
