"""The pgmpy network: model check, BIF/XMLBIF round trips, and agreement with pgmpy's and
pyAgrum's own inference on the exported network."""

from __future__ import annotations

import numpy as np
import pytest

from bayesnet import (
    load,
    query,
)
from bayesnet.build.interchange import bif_text, export_contents, xmlbif_text
from bayesnet.build.network import cpts_from_pgmpy, from_bif, from_xmlbif
from tests.helpers import MINI_SOURCES, cmoc, make_model_dir, source
from tests.public_networks import import_pyagrum


@pytest.fixture(scope="module", params=["mini", "default"])
def model(request, tmp_path_factory):
    if request.param == "default":
        return load()
    sources = [*MINI_SOURCES, source(90, [cmoc("mandated", "conflict", when={"quick_wins": "present"})])]
    return load(make_model_dir(tmp_path_factory.mktemp("mini") / "m", sources=sources))


def _same_network(a, b):
    ca, cb = cpts_from_pgmpy(a), cpts_from_pgmpy(b)
    assert set(ca) == set(cb)
    for node, (parents, values) in ca.items():
        parents_b, values_b = cb[node]
        # readers may reorder parents: align axes by name before comparing
        order = [parents_b.index(p) for p in parents]
        values_b = np.transpose(values_b, [0, *(1 + i for i in order)])
        np.testing.assert_allclose(values, values_b, rtol=0, atol=1e-15, err_msg=node)
        assert a.get_cpds(node).state_names == b.get_cpds(node).state_names


def test_check_model_passes_and_matches_our_cpts(model):
    network = model.network
    assert network.check_model()
    assert set(network.nodes) == set(model.codebook.ids)
    for node, (parents, values) in cpts_from_pgmpy(network).items():
        assert parents == model.spec.parents[node]
        np.testing.assert_allclose(values, model.cpts[node][..., 0], atol=0)


def test_bif_round_trip_is_identical(model):
    _same_network(model.network, from_bif(bif_text(export_contents(model))))


def test_xmlbif_round_trip_is_identical(model):
    _same_network(model.network, from_xmlbif(xmlbif_text(export_contents(model))))


def _random_queries(model, n, seed):
    rng = np.random.default_rng(seed)
    nodes = list(model.codebook.ids)
    out = []
    for _ in range(n):
        chosen = rng.choice(len(nodes), size=min(4, len(nodes)), replace=False)
        target, *rest = (nodes[i] for i in chosen)
        k = int(rng.integers(0, len(rest) + 1))
        evidence = {}
        for name in rest[:k]:
            states = model.codebook[name].states
            evidence[name] = states[int(rng.integers(len(states)))]
        out.append((target, evidence))
    return out


def test_engine_agrees_with_pgmpy_variable_elimination(model):
    from pgmpy.inference import VariableElimination

    ve = VariableElimination(model.network)
    for target, evidence in _random_queries(model, 25, seed=11):
        ours = query(model, target, given=evidence, draws=None).distribution
        theirs = ve.query([target], evidence=evidence, show_progress=False)
        expected = [theirs.get_value(**{target: s}) for s in ours.index]
        np.testing.assert_allclose(ours.to_numpy(), expected, rtol=0, atol=1e-9)


def test_answers_agree_with_pyagrum_on_the_exported_bif(model, tmp_path):
    """pyAgrum reads BIF numbers in single precision, so after loading the exported file's
    structure and states we fill its CPTs from our float64 arrays (engine notes)."""
    gum = import_pyagrum()
    path = tmp_path / "model.bif"
    path.write_text(bif_text(export_contents(model)), encoding="utf-8")
    bn = gum.loadBN(str(path))
    for node, (parents, values) in cpts_from_pgmpy(model.network).items():
        cpt = bn.cpt(node)
        names = list(cpt.names)  # pyAgrum: child first, then parents in its own order
        arr = np.moveaxis(values, 0, -1)  # (parents..., child): pyAgrum's fillWith order is last var fastest
        axes = [parents.index(n) for n in names[1:]][::-1]
        arr = np.transpose(arr, [*axes, arr.ndim - 1]) if parents else arr
        cpt.fillWith(arr.reshape(-1).tolist())
    for target, evidence in _random_queries(model, 50, seed=7):
        engine = gum.LazyPropagation(bn)
        engine.setEvidence(evidence)
        engine.addTarget(target)
        engine.makeInference()
        posterior = engine.posterior(target)
        labels = [bn.variable(target).label(i) for i in range(bn.variable(target).domainSize())]
        theirs = dict(zip(labels, np.asarray(posterior.toarray()), strict=True))
        ours = query(model, target, given=evidence, draws=None).distribution
        np.testing.assert_allclose(ours.to_numpy(), [theirs[s] for s in ours.index], rtol=0, atol=1e-9)
