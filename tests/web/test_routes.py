"""Every route of the explorer, every refusal, and the numbers it serves against the library's.

The numbers check is the issue's: for the ICS preset with quick wins set, the answer, the
paired contrast and the levers the page is sent equal what bayesnet.query, bayesnet.contrast,
bayesnet.levers and bayesnet.tornado give over the library's default posterior, exactly, so
they are equal at any printed precision too (the browser test checks the printed digits).
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import bayesnet
from bayesnet.web import create_app
from bayesnet.web.urlstate import MAX_QUERY
from tests.analysis.test_sensitivity import SENS_SOURCES, TARGET, sens_codebook
from tests.helpers import make_model_dir

ICS_QUICK_WINS = "target=collaborative_behaviour&preset=integrated_care_system&do.quick_wins=present"
ICS = "integrated_care_system"


def test_page_and_its_files_are_served_from_this_host_only(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    for asset in ("/static/explorer.js", "/static/explorer.css"):
        assert asset in html
        got = client.get(asset)
        assert got.status_code == 200 and len(got.text) > 1000
    everything = html + client.get("/static/explorer.js").text + client.get("/static/explorer.css").text
    for outside in ("http://", "https://", "//cdn", "@import", "fonts.googleapis"):
        # the only absolute URL allowed is the SVG namespace, which is a name, not a fetch
        assert everything.replace("http://www.w3.org/2000/svg", "").count(outside) == 0, outside


def test_model_route_groups_contexts_by_stage_levers_apart(client, model):
    data = client.get("/api/model").json()
    assert data["draws"] == 4000 and data["seed"] == 20210602 and data["hdi_prob"] == 0.94
    contexts = {n.id: n for n in model.codebook.of_kind("context")}
    seen = []
    for group in data["stages"]:
        for node in group["levers"]:
            assert contexts[node].modifiable and contexts[node].stage == group["stage"]
        for node in group["givens"]:
            assert not contexts[node].modifiable and contexts[node].stage == group["stage"]
        seen += group["levers"] + group["givens"]
    assert sorted(seen) == sorted(contexts)
    ics = next(p for p in data["presets"] if p["id"] == ICS)
    assert ics["description"] and all(v["basis"] for v in ics["values"])
    assert {v["node"]: v["state"] for v in ics["values"]} == model.scenarios[ICS].assignment


def test_answer_contrast_levers_and_tornado_equal_the_library(client, model):
    post = bayesnet.posterior(model)
    q = bayesnet.question(model, "collaborative_behaviour", scenario=ICS, do={"quick_wins": "present"})
    start = bayesnet.question(model, "collaborative_behaviour", scenario=ICS)

    answer = client.get(f"/api/answer?{ICS_QUICK_WINS}").json()
    result = bayesnet.query(model, "collaborative_behaviour", scenario=ICS, do={"quick_wins": "present"})
    assert answer["probability"] == pytest.approx(result.distribution["collaborative"], abs=1e-12)
    assert answer["low"] == pytest.approx(result.interval.at["collaborative", "low"], abs=1e-12)
    assert answer["high"] == pytest.approx(result.interval.at["collaborative", "high"], abs=1e-12)

    row = bayesnet.contrast([q, start], post, names=["now", "start"], baseline=1).contrasts.iloc[0]
    got = answer["contrast"]
    for key in ("difference", "low", "high", "p_higher"):
        assert got[key] == pytest.approx(float(row[key]), abs=1e-12), key
    assert got["start_probability"] == pytest.approx(
        bayesnet.query(model, "collaborative_behaviour", scenario=ICS).distribution["collaborative"], abs=1e-12)

    analysis = client.get(f"/api/analysis?{ICS_QUICK_WINS}").json()
    lv = bayesnet.levers(q, post, k=1)
    sets = lv.sets
    assert len(analysis["levers"]) == min(len(sets), 10) or analysis["levers"][-1]["tied"]
    for shown, (_, want) in zip(analysis["levers"], sets.iterrows(), strict=False):
        assert f"{shown['lever']}={shown['state']}" == want["levers"]
        assert shown["rank"] == want["rank"] and shown["tied"] == bool(want["tied"])
        for key in ("gain", "low", "high", "p_best", "probability"):
            assert shown[key] == pytest.approx(float(want[key]), abs=1e-12), key
    t = bayesnet.tornado(q, post)
    for shown, (node, want) in zip(analysis["tornado"], t.frame.iterrows(), strict=False):
        assert shown["node"] == node
        for key in ("p_low_state", "p_high_state", "swing", "swing_low", "swing_high"):
            assert shown[key] == pytest.approx(float(want[key]), abs=1e-12), key


def test_the_start_has_no_contrast_and_a_blank_page_starts_from_nothing(client):
    data = client.get("/api/answer?preset=buddying").json()
    assert data["contrast"] is None and data["given"]["mandated"] == "voluntary"
    blank = client.get("/api/answer").json()
    assert blank["target"] == "collaborative_behaviour" and blank["given"] == {} and blank["contrast"] is None


def test_web_is_centred_on_the_target_and_marks_what_is_fixed(client, model):
    web = client.get(f"/api/web?{ICS_QUICK_WINS}").json()
    nodes = web["nodes"]
    assert nodes["collaborative_behaviour"]["status"] == "target"
    assert nodes["quick_wins"]["status"] == "set" and nodes["quick_wins"]["state"] == "present"
    assert nodes["mandated"]["status"] == "observed"
    assert 'data-node="quick_wins"' in web["svg"] and web["svg"].startswith("<svg")
    free = [n for n, d in nodes.items() if d["status"] == "free"]
    assert free and all(0.0 <= nodes[n]["p_upper"] <= 1.0 for n in free)
    links = model.links
    assert set(web["links"]) <= set(links["link"])


def test_node_route_gives_definition_links_and_sources_with_quotes(client, model):
    data = client.get("/api/node/quick_wins").json()
    node = model.codebook["quick_wins"]
    assert data["definition"] == node.definition and data["role"] == "lever"
    assert data["links_out"], "quick wins acts on something"
    link = data["links_out"][0]
    row = model.links.set_index("link").loc[link["link"]]
    assert link["name"].startswith(f"{row['from']} ") and set(s["id"] for s in link["sources"]) == set(
        row["support_ids"]) | set(row["contradict_ids"])
    source = link["sources"][0]
    assert source["short"] and source["short"].split()[-1] == str(model.evidence.get(source["id"]).year)
    assert source["quotes"] and all(q["quote"] for q in source["quotes"])


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/api/answer?preset=ics", 400, "unknown scenario 'ics'"),
    ("/api/answer?do.quik_wins=present", 400, "did you mean 'quick_wins'"),
    ("/api/answer?given.quick_wins=maybe", 400, "has no state 'maybe'"),
    ("/api/answer?target=trsut", 400, "did you mean 'trust'"),
    ("/api/analysis?target=mandated&preset=integrated_care_system", 400, "is observed in this situation"),
    ("/api/answer?given.quick_wins=present&do.quick_wins=absent", 400, "both observed"),
    ("/api/web?foo=bar", 400, "unknown parameter 'foo'"),
    ("/api/answer?target=a&target=b", 400, "given twice"),
    ("/api/answer?target=%3Cscript%3Ealert(1)%3C/script%3E", 400, "not a plain name"),
    ("/api/answer?target=%00", 400, "not a plain name"),
    ("/api/report?preset=nope", 400, "unknown scenario"),
    ("/api/answer?" + "given.a=b&" * 600, 414, "too long"),
    ("/?" + "x" * (MAX_QUERY + 1), 414, "too long"),
    ("/api/node/trsut", 404, "did you mean 'trust'"),
    ("/api/node/..%2F..%2Fetc", 404, ""),
    ("/api/nothing", 404, "no page or API route"),
    ("/static/../pyproject.toml", 404, ""),
])
def test_bad_requests_get_a_4xx_in_words_and_no_traceback(client, caplog, url, status, words):
    with caplog.at_level(logging.DEBUG):
        got = client.get(url)
    assert got.status_code == status, got.text
    body = got.json() if got.headers["content-type"].startswith("application/json") else {"error": got.text}
    assert words in body["error"]
    assert "Traceback" not in got.text and "File \"" not in got.text
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def test_writing_methods_are_refused(client):
    got = client.post("/api/answer", json={})
    assert got.status_code == 405 and "only reads" in got.json()["error"]


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_report_download_is_a_zip_and_the_model_folder_is_never_written(tmp_path):
    folder = make_model_dir(tmp_path / "model", sources=SENS_SOURCES, codebook=sens_codebook())
    before = _tree_digest(folder)
    app = create_app(bayesnet.load(folder), draws=200)
    with TestClient(app) as c:
        for url in ("/", "/api/model", f"/api/answer?target={TARGET}&preset=voluntary&do.quick_wins=present",
                    f"/api/analysis?target={TARGET}&preset=voluntary", f"/api/web?target={TARGET}",
                    "/api/node/quick_wins"):
            assert c.get(url).status_code == 200, url
        got = c.get(f"/api/report?target={TARGET}&preset=voluntary&do.quick_wins=present")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert "attachment" in got.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
        names = archive.namelist()
        assert "bayesnet-report/index.html" in names and "bayesnet-report/report.md" in names
        assert b"quick_wins=present" in archive.read("bayesnet-report/report.md")
    assert _tree_digest(folder) == before


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = make_model_dir(tmp_path_factory.mktemp("web-small") / "m", sources=SENS_SOURCES,
                            codebook=sens_codebook())
    model = bayesnet.load(folder)
    with TestClient(create_app(model, draws=200)) as c:
        yield model, c


def test_with_every_lever_set_no_lever_is_offered(small):
    model, c = small
    levers = [n for n in model.codebook.of_kind("context") if n.modifiable]
    query = "&".join(f"do.{n.id}={n.upper}" for n in levers)
    data = c.get(f"/api/analysis?target={TARGET}&{query}").json()
    assert data["levers"] == [] and data["levers_free"] == 0
    assert all(row["role"] == "given" for row in data["tornado"])


def test_a_third_waiting_report_is_refused_in_words(small):
    _, c = small
    explorer = c.app.state.explorer

    class Busy:
        def statistics(self):
            return type("Stats", (), {"tasks_waiting": 2})()

    real, explorer.reports = explorer.reports, Busy()
    try:
        got = c.get(f"/api/report?target={TARGET}")
    finally:
        explorer.reports = real
    assert got.status_code == 429 and "try again" in got.json()["error"]
