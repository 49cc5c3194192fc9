"""What a report writes is safe to open: labels and citations stay text in HTML and Markdown
(in the tables, the headline box, the pictures and their tooltips), CSV cells cannot run as
formulas, the tornado picture draws with any number of draws, and a bad ``--out`` is refused
before anything is computed."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest

from bayesnet import load, posterior, question, write_report
from bayesnet.cli import main
from bayesnet.errors import OutputError
from bayesnet.report.data import analyse
from bayesnet.report.plots import tornado_svg
from bayesnet.report.tables import csv_text
from tests.analysis.test_sensitivity import SENS_SOURCES, TARGET, sens_codebook
from tests.helpers import make_model_dir

PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "section", "dl", "dt", "dd", "ul",
    "li", "nav", "a", "div", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "span",
    "strong", "footer", "br", "svg", "g", "path", "polygon", "polyline", "ellipse", "text", "defs", "use", "clipPath",
    "rect", "line", "metadata", "circle", "rdf", "cc", "dc",  # matplotlib writes RDF metadata in its SVG
}

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
FORMULA = "=HYPERLINK(\"http://example.invalid\",\"click\")"
CITATION = '=cmd|"/c calc"!A0 <img src=y onerror="alert(3)"> Et Al. A hostile title.'


def _hostile_sources() -> list[dict]:
    """The small model's sources, one of them (S93, on conflict -| collaborative behaviour)
    with a citation that is a formula and a tag."""
    return [{**src, "citation": CITATION} if src["id"] == "S93" else src for src in SENS_SOURCES]


def _hostile_codebook() -> dict:
    book = sens_codebook()
    labels = {0: SCRIPT, 1: IMG, 2: FORMULA, 3: "+1 then @SUM(A1)", 4: "-2 & <b>bold</b>"}
    for i, label in labels.items():
        book["nodes"][i]["label"] = label
    return book


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = make_model_dir(tmp_path_factory.mktemp("hostile") / "m", sources=_hostile_sources(),
                          codebook=_hostile_codebook())
    model = load(root)
    q = question(model, TARGET, scenario="voluntary")
    files = write_report(q, posterior(model, draws=60, seed=4), tmp_path_factory.mktemp("out") / "r", quiet=True)
    return root, files


def test_markdown_keeps_labels_as_text(hostile):
    _, files = hostile
    text = files.markdown.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in text or "&lt;img" in text  # the labels are in the report ...
    for raw in ("<script", "<img", "<b>"):
        assert raw not in text  # ... but never as HTML


def test_html_keeps_labels_as_text(hostile):
    _, files = hostile
    html = files.html.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html and "<img src=y" not in html
    assert "&lt;script&gt;alert(1)" in html  # the label is shown, as text ...
    box = html.split('<section class="headline"', 1)[1].split("</section>", 1)[0]
    assert "<script" not in box and "<img" not in box
    assert re.search(r'title="=cmd\|&quot;/c calc&quot;!A0 &lt;img src=y onerror=&quot;alert\(3\)&quot;&gt;', html)
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= PAGE_TAGS, tags - PAGE_TAGS  # only the page's own markup and the pictures' SVG


def test_markdown_keeps_citations_as_text(hostile):
    _, files = hostile
    text = files.markdown.read_text(encoding="utf-8")
    assert "&lt;img src=y" in text and "<img src=y" not in text


def test_causal_web_files_keep_labels_as_text(hostile):
    _, files = hostile
    assert {"web_near", "web"} <= set(files.pictures)  # SVG: Graphviz writes every label as text
    for name in ("web_near", "web"):
        text = files.pictures[name].read_text(encoding="utf-8")
        assert "<script>" not in text and "<img" not in text and "&lt;img src=x" in text, name


def test_report_csv_text_cells_cannot_run_as_formulas(hostile):
    _, files = hostile
    cells = [value for path in files.tables.values()
             for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) for value in row]
    for value in cells:
        assert not value.startswith(("=", "+", "@")), value
        if value.startswith("-"):
            float(value)  # only numbers may start with '-', and they are left as numbers
    assert "'" + FORMULA in cells and "'+1 then @SUM(A1)" in cells and "'-2 & <b>bold</b>" in cells
    assert any(value.startswith("'=cmd") for value in cells)  # a citation that starts like a formula, too
    assert any(value.startswith("-0.") for value in cells)  # negative numbers are still numbers


def test_csv_text_leaves_numbers_alone_and_prefixes_text():
    frame = pd.DataFrame({"label": ["=1+2", "-x", "plain", "@a", "+b"], "value": [-0.5, 1.0, -2.0, 0.0, 3.0]},
                         index=pd.Index(["=i", "a", "b", "c", "d"], name="node"))
    rows = list(csv.reader(io.StringIO(csv_text(frame, index=True))))
    assert rows[1] == ["'=i", "'=1+2", "-0.5"]
    assert rows[2] == ["a", "'-x", "1.0"]
    assert rows[3] == ["b", "plain", "-2.0"]
    assert [r[1] for r in rows[4:]] == ["'@a", "'+b"]


def test_cli_csv_outputs_are_neutralised(hostile, capsys):
    root, _ = hostile
    assert main(["edges", "--model", str(root), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert all(not line.startswith(("=", "+", "@")) for line in out.splitlines())
    assert main(["sensitivity", TARGET, "--model", str(root), "--draws", "30", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    labels = [dict(zip(rows[0], r, strict=True)).get("label", "") for r in rows[1:]]
    assert "'" + FORMULA in labels and FORMULA not in labels


@pytest.mark.parametrize("draws", [2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 30, 40])
def test_tornado_picture_draws_with_few_draws(hostile, draws):
    """The whisker spans the swing's HDI from the low end; with few draws that interval need
    not hold the mean network's swing, and drawing it must not fail (it once raised
    "'xerr' must not contain negative values" for 7 of these 13 draw counts)."""
    root, _ = hostile
    model = load(root)
    q = question(model, TARGET, scenario="voluntary")
    data = analyse(q, posterior(model, draws=draws, seed=11), k=1, show_progress=False)
    svg = tornado_svg(data)
    assert svg.startswith("<?xml")
    frame = data.tornado.frame
    assert np.all(frame["swing_low"].fillna(0) <= frame["swing_high"].fillna(0))


def test_report_with_20_draws_from_the_command_line(hostile, tmp_path, capsys):
    root, _ = hostile
    assert main(["report", "--model", str(root), "--target", TARGET, "--draws", "20", "--out", str(tmp_path / "r"),
                 "--quiet"]) == 0
    assert (tmp_path / "r" / "tornado.svg").is_file()


def test_write_report_refuses_a_file_as_its_folder_before_computing(hostile, tmp_path, monkeypatch):
    root, _ = hostile
    model = load(root)
    taken = tmp_path / "taken"
    taken.write_text("mine", encoding="utf-8")

    def no_analysis(*args, **kwargs):
        raise AssertionError("the analyses ran before the folder was checked")

    monkeypatch.setattr("bayesnet.report.writer.analyse", no_analysis)
    with pytest.raises(OutputError, match="is a file, expected a folder"):
        write_report(question(model, TARGET), posterior(model, draws=20), taken, quiet=True)
    assert taken.read_text(encoding="utf-8") == "mine"
