"""Exports other tools open: each file loads in pyAgrum and pgmpy and answers as the
posterior-mean network does; names, labels, definitions and sources survive where the
format carries them; the bytes depend only on the model; bad paths and missing extras fail
before anything is computed or written."""

from __future__ import annotations

import itertools
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bayesnet
from bayesnet.build.exports import EXPORT_FORMATS, export
from bayesnet.build.graph import row_link_name
from bayesnet.build.interchange import identifier, percent_encode
from bayesnet.build.network import cpts_from_pgmpy, from_bif, from_xmlbif
from bayesnet.cli import main
from bayesnet.errors import ExportError, MissingDependencyError, ParameterError
from tests.helpers import MINI_CODEBOOK, MINI_SOURCES, REPO, cmoc, make_model_dir, source
from tests.public_networks import import_pgmpy, import_pyagrum

TARGET = "collaborative_behaviour"
SITUATIONS = {  # a scenario's contexts and one more observation, per model
    "default": ("integrated_care_system", {"quick_wins": "present"}),
    "mini": ("voluntary", {"quick_wins": "present"}),
}


@pytest.fixture(scope="module", params=["mini", "default"])
def model(request, tmp_path_factory):
    if request.param == "default":
        return bayesnet.load()
    # a moderated link puts '=' in a link's name, which BIF and XMLBIF must encode
    return _mini_model(tmp_path_factory.mktemp("model") / "m")


@pytest.fixture(scope="module")
def files(model, tmp_path_factory):
    """Every format of ``model``, written once: suffix -> path."""
    folder = tmp_path_factory.mktemp("exports")
    return {suffix: export(model, folder / f"model{suffix}") for fmt in EXPORT_FORMATS for suffix in fmt.suffixes}


def _situation(model):
    scenario, extra = SITUATIONS["default" if model.name == "embedded default model" else "mini"]
    contexts = {v.node: v.state for v in model.scenarios[scenario].values}
    return scenario, extra, {**contexts, **extra}


def _point(model, evidence):
    return bayesnet.query(model, TARGET, given=evidence, draws=None).point


def _gum_answer(bn, target, evidence):
    gum = import_pyagrum()
    engine = gum.LazyPropagation(bn)
    engine.setEvidence(evidence)
    engine.addTarget(target)
    engine.makeInference()
    return np.asarray(engine.posterior(target).toarray())


def _pgmpy_answer(network, evidence):
    ve = import_pgmpy()["VariableElimination"](network)
    return ve.query([TARGET], evidence=evidence, show_progress=False).values


def _pgmpy_reader(name):
    import_pgmpy()
    from pgmpy import readwrite

    return getattr(readwrite, name)


# --- every format answers as the posterior-mean network --------------------------------------


@pytest.mark.parametrize("suffix", [".bif", ".bifxml", ".xmlbif", ".net"])
def test_pyagrum_answers_as_the_posterior_mean_network(model, files, suffix, tmp_path):
    """P(collaborative_behaviour | a scenario's contexts and quick wins) from the file, by
    pyAgrum, equals ``query(...).point`` to 1e-6 (pyAgrum reads BIF and NET numbers in single
    precision; XMLBIF in double)."""
    gum = import_pyagrum()
    path = files[suffix]
    if suffix == ".xmlbif":
        with pytest.raises(Exception, match="extension xmlbif unknown"):
            gum.loadBN(str(path))  # why .bifxml is the default
        path = shutil.copy(path, tmp_path / "model.bifxml")
    bn = gum.loadBN(str(path))
    scenario, extra, evidence = _situation(model)
    expected = bayesnet.query(model, TARGET, scenario=scenario, given=extra, draws=None).point
    np.testing.assert_allclose(_gum_answer(bn, TARGET, evidence), expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(_point(model, evidence), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("suffix", [".bifxml", ".xdsl"])
def test_pgmpy_reads_the_numbers_in_full_precision_and_answers_alike(model, files, suffix):
    """pgmpy parses numbers as float64: the CPTs it reads are ours exactly, so its answer is ours
    to 1e-12. For GeNIe's file this also checks SMILE's order of parent configurations (pgmpy
    reads and writes XDSL the last parent fastest, as GeNIe does)."""
    if suffix == ".xdsl":
        network = _pgmpy_reader("XDSLReader")(str(files[suffix])).get_model()
    else:
        network = from_xmlbif(files[suffix].read_text(encoding="utf-8"))
    _same_cpts(model, network)
    _, _, evidence = _situation(model)
    np.testing.assert_allclose(_pgmpy_answer(network, evidence), _point(model, evidence), rtol=0, atol=1e-12)


def _same_cpts(model, network):
    read = cpts_from_pgmpy(network)
    assert set(read) == set(model.codebook.ids)
    for node, (parents, values) in read.items():
        ours = model.cpts[node][..., 0]
        order = [model.spec.parents[node].index(p) for p in parents]
        np.testing.assert_array_equal(values, np.transpose(ours, [0, *(1 + i for i in order)]), err_msg=node)
        assert network.get_cpds(node).state_names[node] == list(model.codebook[node].states)


@pytest.mark.slow
def test_pgmpy_reads_bif_in_full_precision(model, files):
    """pgmpy's BIF reader takes about 5 s on the default model (its pyparsing grammar)."""
    network = from_bif(files[".bif"].read_text(encoding="utf-8"))
    _same_cpts(model, network)


def test_pgmpy_reads_the_hugin_file_in_full_precision(mini, tmp_path):
    """pgmpy's NET reader takes minutes on the default model's 4,096-row table, so the small model."""
    network = _pgmpy_reader("NETReader")(str(export(mini, tmp_path / "mini.net"))).get_model()
    _same_cpts(mini, network)


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """The small model with a moderated link (its name holds '=')."""
    return _mini_model(tmp_path_factory.mktemp("mini") / "m")


def _mini_model(folder):
    sources = [*MINI_SOURCES, source(90, [cmoc("mandated", "conflict", when={"quick_wins": "present"})])]
    return bayesnet.load(make_model_dir(folder, sources=sources))


@pytest.fixture(scope="module")
def mini_files(mini, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mini-exports")
    return [export(mini, folder / "mini.bifxml"), export(mini, folder / "mini.bif"), export(mini, folder / "mini.net")]


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_random_evidence_agrees_through_the_exported_files(mini, mini_files, data):
    """Random targets and small evidence sets: pyAgrum on the XMLBIF, BIF and NET files agrees
    with the posterior-mean network to 1e-6."""
    gum = import_pyagrum()
    nodes = list(mini.codebook.ids)
    target = data.draw(st.sampled_from(nodes), label="target")
    observed = data.draw(st.lists(st.sampled_from([n for n in nodes if n != target]), unique=True, max_size=3))
    evidence = {n: data.draw(st.sampled_from(mini.codebook[n].states), label=n) for n in observed}
    expected = bayesnet.query(mini, target, given=evidence, draws=None).point
    for path in mini_files:
        np.testing.assert_allclose(_gum_answer(gum.loadBN(str(path)), target, evidence), expected, atol=1e-6)


# --- GeNIe: SMILE's order, which pyAgrum 3.3.1 reads the other way -----------------------------


def test_pyagrum_reads_genie_tables_of_two_or_more_parents_with_the_parents_reversed(model, files):
    """A measured trap, pinned so that a pyAgrum that changes its reading shows up here.

    GeNIe changes the last parent in ``<parents>`` fastest (pgmpy reads the file exactly, above);
    pyAgrum 3.3.1 reads (and writes) the first one fastest, so it holds each table of two or
    more parents permuted. It also names variables by GeNIe's ``<name>`` (our labels) and keeps
    the id as their description."""
    gum = import_pyagrum()
    bn = gum.loadBN(str(files[".xdsl"]))
    assert bn.property("name") == identifier(model.name)
    root = ET.parse(files[".xdsl"]).getroot()  # noqa: S314 - our own file
    labels = {node.id: node.label for node in model.codebook}
    permuted = 0
    for cpt in root.iter("cpt"):
        node = cpt.get("id")
        variable = bn.variableFromName(labels[node])
        assert variable.description() == node
        assert tuple(variable.labels()) == model.codebook[node].states
        element = cpt.find("parents")
        listed = element.text.split() if element is not None else []
        numbers = [float(x) for x in cpt.find("probabilities").text.split()]
        cards = [len(model.codebook[p].states) for p in listed]
        k = len(model.codebook[node].states)
        parents = model.spec.parents[node]
        differs = False
        for combo in itertools.product(*(range(c) for c in cards)):
            offset = sum(i * int(np.prod(cards[:j])) for j, i in enumerate(combo))  # the first listed fastest
            where = {labels[p]: model.codebook[p].states[i] for p, i in zip(listed, combo, strict=True)}
            held = np.asarray(bn.cpt(labels[node])[where]) if where else np.asarray(bn.cpt(labels[node]).toarray())
            np.testing.assert_allclose(held, numbers[offset * k:(offset + 1) * k], rtol=0, atol=1e-15)
            ours = model.cpts[node][(slice(None), *(combo[listed.index(p)] for p in parents), 0)]
            differs |= not np.allclose(held, ours, rtol=0, atol=1e-12)
        if len(parents) < 2:
            assert not differs, node  # one parent or none: read right
        permuted += differs
    assert permuted > 0


# --- names, labels, definitions, sources -----------------------------------------------------


def _link_texts(model, node):
    links = model.links
    rows = links[(links["lag"] == 0) & (links["to"] == node)].sort_values("link")
    out = {}
    for row in rows.to_dict("records"):
        name = row_link_name(row)  # with its moderator, parent state or joint cause
        text = f"{name} (for: {', '.join(row['support_ids'])})" if row["support_ids"] else name
        if row["contradict_ids"]:
            text += f" (against: {', '.join(row['contradict_ids'])})"
        out[f"link_{row['link']}"] = text
    return out


def test_xmlbif_carries_name_labels_definitions_and_sources(model, files):
    gum = import_pyagrum()
    bn = gum.loadBN(str(files[".bifxml"]))
    assert bn.property("name") == model.name
    network = from_xmlbif(files[".bifxml"].read_text(encoding="utf-8"))
    assert network.name == model.name
    for node in model.codebook:
        assert bn.variable(node.id).description() == node.label
        attrs = {k: unquote(v) for k, v in network.nodes[node.id].items()}
        assert attrs["label"] == node.label
        assert attrs["definition"] == node.definition
        assert {k: v for k, v in attrs.items() if k.startswith("link_")} == _link_texts(model, node.id)
    root = ET.parse(files[".bifxml"]).getroot()  # noqa: S314 - our own file
    props = dict(p.text.split(" = ", 1) for p in root.find("NETWORK").findall("PROPERTY"))
    cited = {sid for ids in model.links.query("lag == 0")[["support_ids", "contradict_ids"]].to_numpy().ravel()
             for sid in ids}
    assert {k[len("source_"):] for k in props if k.startswith("source_")} == cited
    citations = {s.id: s.citation for s in model.evidence}
    assert all(unquote(v) == citations[k[len("source_"):]] for k, v in props.items() if k.startswith("source_"))


def test_bif_carries_name_labels_definitions_and_sources(model, files):
    gum = import_pyagrum()
    assert gum.loadBN(str(files[".bif"])).property("name") == identifier(model.name)
    text = files[".bif"].read_text(encoding="utf-8")
    assert re.search(rf"^network {identifier(model.name)} {{$", text, flags=re.M)
    assert f"// {model.name}\n" in text
    for sid, citation in ((s.id, s.citation) for s in model.evidence):
        if f"(for: {sid}" in text or f", {sid}" in text:
            assert f"// {sid}: {percent_encode(citation)}\n" in text
    blocks = dict(re.findall(r"^variable (\w+) \{\n(.*?)^\}$", text, flags=re.M | re.S))
    for node in model.codebook:
        props = dict(re.findall(r"^    property (\w+) = (.*) ;$", blocks[node.id], flags=re.M))
        assert unquote(props.pop("label")) == node.label
        assert unquote(props.pop("definition")) == node.definition
        assert {k: unquote(v) for k, v in props.items()} == _link_texts(model, node.id)


def test_pgmpy_reads_bif_properties_as_node_attributes(mini, tmp_path):
    """On the small model (pgmpy's BIF reader is slow on the default one)."""
    network = from_bif(export(mini, tmp_path / "m.bif").read_text(encoding="utf-8"), properties=True)
    assert network.name == identifier(mini.name)
    for node in mini.codebook:
        assert unquote(network.nodes[node.id]["label"]) == node.label
        links = {k: unquote(v) for k, v in network.nodes[node.id].items() if k.startswith("link_")}
        assert links == _link_texts(mini, node.id)
    assert any("%3D" in v for n in network.nodes for v in network.nodes[n].values())  # the moderated link


def test_net_and_xdsl_carry_name_labels_and_sources(model, files):
    gum = import_pyagrum()
    net = files[".net"].read_text(encoding="utf-8")
    bn = gum.loadBN(str(files[".net"]))
    assert bn.property("name") == identifier(model.name)
    assert bn.property("label") == model.name  # the free-text name, as a network attribute
    blocks = dict(re.findall(r"^node (\w+) \{\n(.*?)^\}$", net, flags=re.M | re.S))
    for node in model.codebook:
        attrs = dict(re.findall(r'^\s+(\w+) = "(.*)";$', blocks[node.id], flags=re.M))
        assert attrs["label"] == node.label
        assert attrs["definition"] == node.definition
        assert {k: v for k, v in attrs.items() if k.startswith("link_")} == _link_texts(model, node.id)
        assert re.search(r"states = \(" + " ".join(f'"{s}"' for s in node.states) + r"\);", blocks[node.id])
    header = re.match(r"\s*net \{\n(.*?)^\}$", net, flags=re.M | re.S).group(1)
    written = dict(re.findall(r'^\s+source_(\w+) = "(.*)";$', header, flags=re.M))
    citations = [(s.id, s.citation) for s in sorted(model.evidence, key=lambda s: s.reference)]
    cited = [(sid, c) for sid, c in citations if sid in written]
    assert cited and all(unquote(written[sid]) == c for sid, c in cited)
    # pyAgrum reads them as network properties, but each byte of a non-ASCII character as a space
    assert all(bn.property(f"source_{sid}") == c for sid, c in cited if c.isascii())
    root = ET.parse(files[".xdsl"]).getroot()  # noqa: S314 - our own file
    assert root.get("id") == identifier(model.name)
    genie = root.find("extensions/genie")
    assert genie.get("name") == model.name
    network_comment = genie.find("comment").text.split("\\n")
    assert network_comment[0] == model.name
    assert [line for line in network_comment if re.match(r"S\d+: ", line)] == [f"{sid}: {c}" for sid, c in cited]
    for element in genie.findall("node"):
        node = model.codebook[element.get("id")]
        assert element.find("name").text == node.label
        comment = element.find("comment").text.split("\\n")
        assert comment[0] == node.definition
        assert set(_link_texts(model, node.id).values()) <= set(comment)


def test_text_the_formats_cannot_hold_is_percent_encoded_and_comes_back(tmp_path):
    """A label and a definition holding every character some reader trips on."""
    awkward = 'Trust; "faith" = 50% / more\\ // /* end'
    codebook = {**MINI_CODEBOOK, "nodes": [
        {**n, "label": awkward, "definition": awkward + ", twice: " + awkward} if n["id"] == "trust" else n
        for n in MINI_CODEBOOK["nodes"]
    ]}
    mini = bayesnet.load(make_model_dir(tmp_path / "m", sources=MINI_SOURCES, codebook=codebook))
    gum = import_pyagrum()
    bif = from_bif(export(mini, tmp_path / "m.bif").read_text(encoding="utf-8"), properties=True)
    xml = from_xmlbif(export(mini, tmp_path / "m.bifxml").read_text(encoding="utf-8"))
    for network in (bif, xml):
        assert unquote(network.nodes["trust"]["label"]) == awkward
    net = export(mini, tmp_path / "m.net")
    assert f'label = "{percent_encode(awkward, chr(34) + chr(92))}";' in net.read_text(encoding="utf-8")
    xdsl = ET.parse(export(mini, tmp_path / "m.xdsl")).getroot()  # noqa: S314 - our own file
    assert xdsl.find("extensions/genie/node[@id='trust']/name").text == awkward
    expected = _point(mini, {"quick_wins": "present"})
    for suffix in (".bif", ".bifxml", ".net"):
        bn = gum.loadBN(str(tmp_path / f"m{suffix}"))
        np.testing.assert_allclose(_gum_answer(bn, TARGET, {"quick_wins": "present"}), expected, atol=1e-6)


# --- bytes, paths, extras ---------------------------------------------------------------------


def test_the_same_model_gives_the_same_bytes(model, files, tmp_path):
    for suffix, path in files.items():
        again = export(bayesnet.load(model.root), tmp_path / f"again{suffix}")
        assert again.read_bytes() == path.read_bytes(), suffix
    assert files[".xmlbif"].read_bytes() == files[".bifxml"].read_bytes() == files[".xml"].read_bytes()


def test_an_unknown_suffix_lists_the_valid_ones_and_the_closest_before_computing(tmp_path):
    model = bayesnet.load()
    valid = r"unknown export format '\.xmbif'; use \.bif, \.bifxml, \.xmlbif, \.xml, \.xdsl or \.net"
    with pytest.raises(ParameterError, match=valid + r"; did you mean '\.xmlbif'\?"):
        export(model, tmp_path / "model.xmbif")
    folder = tmp_path / "looks_like.bif"
    folder.mkdir()
    with pytest.raises(ParameterError, match="is a directory, expected a file name"):
        export(model, folder)
    assert "cpts" not in vars(model) and "network" not in vars(model)  # no table was computed (load checks the DAG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["looks_like.bif"]


def test_without_pyagrum_genie_and_hugin_name_the_extra_and_write_nothing(tmp_path, monkeypatch):
    model = bayesnet.load()
    monkeypatch.setitem(sys.modules, "pyagrum", None)  # `import pyagrum` now raises ImportError
    for suffix in (".xdsl", ".net"):
        with pytest.raises(MissingDependencyError, match=r"pip install 'bayesnet\[exports\]'") as info:
            export(model, tmp_path / f"model{suffix}")
        assert info.value.extra == "exports" and isinstance(info.value, ImportError)
    assert "cpts" not in vars(model)
    assert list(tmp_path.iterdir()) == []
    assert export(model, tmp_path / "model.bifxml").exists()  # the formats that need nothing still work


def test_a_state_name_the_formats_cannot_hold_is_refused_by_name(tmp_path):
    codebook = {**MINI_CODEBOOK, "nodes": [
        {**n, "states": ["low", "very high"]} if n["id"] == "trust" else n for n in MINI_CODEBOOK["nodes"]
    ]}
    mini = bayesnet.load(make_model_dir(tmp_path / "m", sources=MINI_SOURCES, codebook=codebook))
    with pytest.raises(ExportError, match=r"node 'trust' has state 'very high'.*e\.g\. 'very_high'"):
        export(mini, tmp_path / "out.bif")
    assert not (tmp_path / "out.bif").exists()


# --- the command line -------------------------------------------------------------------------


def test_cli_export_says_what_it_wrote(tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path / "model.bifxml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {tmp_path / 'model.bifxml'} (XMLBIF; opens in pyAgrum")
    assert main(["export", "--out", str(tmp_path / "model.xmlbif")]) == 0
    assert "pyAgrum opens XMLBIF only under the suffix .bifxml" in capsys.readouterr().out
    assert main(["export", "--out", str(tmp_path / "model.xmbif")]) == 2
    err = capsys.readouterr().err
    assert "did you mean '.xmlbif'" in err and len(err.strip().splitlines()) == 1


def test_cli_help_lists_every_format_and_which_need_the_extra(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    text = capsys.readouterr().out
    for fmt in EXPORT_FORMATS:
        for suffix in fmt.suffixes:
            assert suffix in text
        line = next(line for line in text.splitlines() if line.strip().startswith(fmt.suffixes[0] + " "))
        assert ("pip install 'bayesnet[exports]'" in line) == (fmt.extra == "exports"), line


def test_the_numbers_the_docs_quote_for_an_exported_file_are_the_models():
    """README's and docs/exports.md's P(collaborative behaviour) in an ICS: the file's (point)
    and bayesnet's headline with its interval."""
    model = bayesnet.load()
    result = bayesnet.query(model, TARGET, scenario="integrated_care_system")
    low, high = result.interval.loc["collaborative"]
    point, headline = result.point[1], result.distribution["collaborative"]
    for doc in (REPO / "README.md", REPO / "docs" / "exports.md"):
        text = " ".join(doc.read_text(encoding="utf-8").split())
        assert f"{point:.3f} from the file" in text or f"in an ICS: {point:.3f}" in text, doc
        assert f"{headline:.3f} (94% HDI {low:.2f} to {high:.2f})" in text, doc
