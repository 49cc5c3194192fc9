"""The report: files, the same numbers in Markdown and CSV, key points, determinism, the
command line, and the default model's integrated care system report."""

from __future__ import annotations

import io
import re
from html import escape, unescape

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
from bayesnet.report.tables import FORMULA_STARTS, TABLES
from bayesnet.report.views import MAX_ROWS
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


# Which CSV columns each column of a page's table shows (by the start of its heading): the
# numbers in the cell, in order, are those of the CSV rounded.
SHOWN = {
    "tornado": {"#": ["rank"], "P at the first": ["p_low_state", "p_low_state_low", "p_low_state_high"],
                "P at the second": ["p_high_state", "p_high_state_low", "p_high_state_high"],
                "Swing": ["swing", "swing_low", "swing_high"]},
    "levers": {"#": ["rank"], "P with it": ["probability"], "Gain": ["gain", "low", "high"]},
    "lever_set": {"#": ["rank"], "P with the set": ["probability"], "Gain": ["gain", "low", "high"]},
    "givens": {"P with the other": ["p_other"], "Effect of the other": ["effect"], "Swing": ["swing"]},
    "findings": {"#": ["rank"], "Mutual information": ["mutual_info"], "Variance reduction": ["variance_reduction"],
                 "P over": ["p_min", "p_max"]},
    "evidence": {"#": ["rank"], "For / against": ["n_support", "n_contradict"], "P(direction)": ["p_direction"],
                 "Strength": ["strength"], "Sd after": ["sd_after"]},
    "scenarios": {"P (": ["probability", "low", "high"],
                  "Difference": ["difference", "difference_low", "difference_high"]},
    "studies": {"#": ["rank"], "P without it": ["probability"], "Change": ["change"]},
}
NAMES = {"tornado": "label", "levers": "label", "lever_set": "label", "givens": "label", "findings": "label",
         "evidence": "label", "scenarios": "label", "studies": "cited"}


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d+)?", text)]


def test_the_pages_tables_show_the_csv_numbers_by_label(report):
    """Each row of a page's table is the CSV's row: the same label, the same numbers rounded;
    the HTML page shows the Markdown's cells; long tables are cut with a line that says so."""
    md = report.markdown.read_text(encoding="utf-8")
    html = report.html.read_text(encoding="utf-8")
    for name, (title, _) in TABLES.items():
        if name not in SHOWN:  # robustness: run on request only (tests/report/test_report_reviewing.py)
            assert not (report.folder / f"{name}.csv").exists()
            continue
        csv = pd.read_csv(report.folder / f"{name}.csv", keep_default_na=False, na_values=[""])
        rows = _markdown_table(md, title)
        head, body = rows[0], rows[1:]
        assert len(body) == min(len(csv), MAX_ROWS), name
        if len(csv) > MAX_ROWS:
            assert f"The first {MAX_ROWS} of {len(csv)} rows; all of them, with every column, are in {name}.csv" in md
        for got, (_, want) in zip(body, csv.iterrows(), strict=False):
            cells = dict(zip(head, got, strict=True))
            label = want[NAMES[name]]
            label = label[1:] if isinstance(label, str) and label[:2] in NEUTRALISED else label
            assert any(c.startswith(str(label).replace("<", "&lt;")) for c in got), (name, label)
            for prefix, columns in SHOWN[name].items():
                heading = next(h for h in head if h.startswith(prefix))
                expected = [want[c] for c in columns if not pd.isna(want[c])]
                shown = _numbers(cells[heading])
                assert len(shown) == len(expected), (name, heading, cells[heading])
                for x, y in zip(shown, expected, strict=True):
                    decimals = len(re.search(r"(?:\.(\d+))?$", f"{x}").group(1) or "")
                    assert abs(x - y) <= 0.5 * 10 ** -max(decimals, 3) + 1e-12 or x == int(y), (name, heading)
            for heading, text in cells.items():
                raw = text.replace("&lt;", "<")
                if heading == "Sources":  # each a link to the list of sources, its full citation on hover
                    assert all(f"{escape(short)}</a>" in html for short in raw.split("; ")), text
                    assert raw == want["sources"].lstrip("'")  # the CSV's short citations
                elif heading == "Source":  # a left-out source, cited as everywhere else
                    assert f"{escape(raw)}</a>" in html and raw == want["cited"], text
                else:
                    assert escape(raw) in html, (name, text)
    # the CSV keeps full precision: the tornado's swing is not rounded there
    tornado = pd.read_csv(report.folder / "tornado.csv")
    np.testing.assert_allclose(tornado["swing"], report.data.tornado.frame["swing"].to_numpy(), rtol=0, atol=0)


def test_tables_show_labels_and_the_csv_keeps_the_ids(report):
    html = report.html.read_text(encoding="utf-8")
    tables = re.findall(r"<table>.*?</table>", html, flags=re.S)
    cells = {c for t in tables for c in re.findall(r"<td[^>]*>(.*?)</td>", t)}
    model = report.data.question.model
    states = {s for n in model.codebook for s in n.states}
    ids = {n.id for n in model.codebook if n.label != n.id} - states  # 'mandated' is a state too
    assert not cells & ids  # no node id as a cell
    assert not any(re.fullmatch(r"S\d+", c) for c in cells)  # no source as a bare id
    tornado = pd.read_csv(report.folder / "tornado.csv")
    assert set(tornado["node"]) <= set(model.codebook.ids)
    evidence = pd.read_csv(report.folder / "evidence.csv", keep_default_na=False)
    assert {"link", "name", "label", "support_ids", "sources"} <= set(evidence.columns)


def test_headline_box_comes_first_in_the_results_own_sentences(report):
    data = report.data
    html = report.html.read_text(encoding="utf-8")
    md = report.markdown.read_text(encoding="utf-8")
    sentences = [data.answer.headline_text(), data.levers.headline_text(), data.tornado.headline_text(),
                 data.comparison.headline_text(), data.evidence.headline_text()]
    box = html.split('<section class="headline"', 1)[1].split("</section>", 1)[0]
    for sentence in sentences:
        assert escape(sentence) in box, sentence
        assert sentence.replace("<", "&lt;") in md, sentence
    order = [html.index(x) for x in ('class="headline"', 'id="how-to-read"', 'id="web"', '<h2 id="tornado"',
                                    'id="sources"')]
    assert order == sorted(order)
    top = md.index("> The probability in this situation: **")
    assert top < md.index("## How to read this report") < md.index("## The situation")
    q = data.question
    assert f"<h1>What matters for {escape(q.label(q.target))} = {q.state}</h1>" in html
    # the headline's number is the tornado's baseline: one posterior, one answer
    assert data.answer.distribution[q.state] == pytest.approx(data.tornado.baseline["probability"], abs=1e-12)
    for lever in data.levers.singles.head(3)["label"]:
        assert re.search(rf"<li>\d\. {re.escape(escape(lever))} = \w+: gain [-+]\d\.\d{{3}} \(94% interval "
                         rf"[-+]\d\.\d{{3}} to [-+]\d\.\d{{3}}\); raises it in", box), lever


def test_html_page_is_self_contained_with_every_picture(report):
    html = report.html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["'](https?:|//)|url\((?!#)|@import""", html)  # nothing loaded from outside
    n_svg = html.count("<svg")
    assert n_svg == (4 if report.note is None else 3)  # tornado, evidence, forest, the web around the target
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    for table in TABLES:  # every table the report computed has its section; robustness runs on request
        assert (f'id="{table}"' in html) == (table in report.tables), table
    if report.note is None:
        assert '<a href="web.svg">' in html and (report.folder / "web.svg").is_file()  # the whole web, full size
        assert (report.folder / "web_near.svg").is_file()
        assert set(report.pictures) == {"tornado", "forest", "evidence", "web_near", "web"}
    assert set(report.dots) == {"web_near", "web"}


def test_without_graphviz_the_page_says_so(model, tmp_path, monkeypatch):
    from bayesnet.report import plots

    monkeypatch.setattr(plots.shutil, "which", lambda _name: None)
    files = write_report(*ask(model, TARGET, draws=50), tmp_path / "r", quiet=True)
    html = files.html.read_text(encoding="utf-8")
    assert files.note and "Graphviz's 'dot' program is not installed" in files.note
    assert "Graphviz&#x27;s &#x27;dot&#x27; program is not installed" in html
    assert html.count("<svg") == 3
    for name in ("web", "web_near"):
        assert (tmp_path / "r" / f"{name}.dot").is_file() and not (tmp_path / "r" / f"{name}.svg").exists()


def test_same_inputs_give_the_same_bytes(model, report, tmp_path):
    again = write_report(*ask(model, TARGET, scenario="voluntary", draws=DRAWS, seed=3), tmp_path / "again", quiet=True)
    for name in ("index.html", "report.md", "tornado.svg", "web_near.dot", "web.dot",
                 *(f"{t}.csv" for t in report.tables)):
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
    assert "given mandated=voluntary, trust=high" in md  # in ids, as the command line takes them
    assert "scenario: Voluntary; observed Trust = high" in md  # and in words
    assert "| Mandated | voluntary | observed (scenario) |" in md
    assert "| Trust | high | observed |" in md
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
    html = (out / "index.html").read_text(encoding="utf-8")
    box = html.split('<section class="headline"', 1)[1].split("</section>", 1)[0]
    named = re.findall(r"<li>\d\. (.+?) = \w+: gain [-+]\d\.\d{3} \(94% interval [-+]\d\.\d{3} to "
                       r"[-+]\d\.\d{3}\)", box)
    assert len(named) >= 3
    by_label = {n.label: n for n in model.codebook}
    assert all(by_label[unescape(label)].modifiable for label in named)
    evidence = pd.read_csv(out / "evidence.csv", keep_default_na=False)
    shown = html.split('<h2 id="evidence">', 1)[1].split("</table>", 1)[0]
    for label, sources in evidence[["label", "sources"]].head(3).itertuples(index=False):
        assert escape(label) in shown
        for short in sources.split("; "):
            assert f"{escape(short)}</a>" in shown  # cited by author and year, the full citation on hover
    sources = html.split('<h2 id="sources">', 1)[1]
    assert "Foundation Trust Network. Review of buddying arrangements" in sources
    levers = pd.read_csv(out / "levers.csv")
    assert all(model.codebook[n].modifiable for n in levers["lever"])
    givens = pd.read_csv(out / "givens.csv")
    assert not any(model.codebook[n].modifiable for n in givens["node"])
    assert set(pd.read_csv(out / "scenarios.csv")["scenario"]) == {"(none)", *(s.id for s in model.scenarios)}
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
    assert "**What to change:** No lever is left free" in md
    assert files.data.levers.best_set == {} and files.data.levers.k == 0
    assert files.data.levers.after["probability"] == files.data.levers.before["probability"]
    assert "| Quick wins | present | set (do) |" in md


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


def test_a_table_without_a_view_is_shown_rounded_and_a_table_not_run_is_left_out(report, monkeypatch):
    """A table added to TABLES before it has a view of its own is shown with every column,
    headings in words and numbers to three decimals; one its analysis did not compute (missing
    from the tables) gets no section."""
    from bayesnet.report import html as page
    from bayesnet.report import tables as report_tables
    from bayesnet.report.views import table_views

    extra = pd.DataFrame({"source_id": ["S44", "S18"], "change": [0.123456, -0.5], "holds": [True, False]})
    monkeypatch.setitem(report_tables.TABLES, "extra", ("A new analysis", lambda _data: extra))
    monkeypatch.setitem(report_tables.TABLES, "not_run", ("Not run", lambda _data: None))
    tables = {name: frame for name, frame in report_tables.all_tables(report.data).items() if frame is not None}
    views = table_views(report.data, tables)
    assert "not_run" not in views
    shown = views["extra"].frame
    assert list(shown.columns) == ["source id", "change", "holds"]
    assert shown.to_dict(orient="list") == {"source id": ["S44", "S18"], "change": ["0.123", "-0.500"],
                                            "holds": ["yes", ""]}
    assert views["extra"].numeric == {"change"}
    html = page.to_html(report.data, tables, {})
    assert '<h2 id="extra">A new analysis</h2>' in html and 'id="not_run"' not in html
