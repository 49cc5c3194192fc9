"""CPT draws two models share: only what differs is built, and the result equals a rebuild."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

import bayesnet
from bayesnet.build.draws import CPTDraws
from bayesnet.build.model import Model
from bayesnet.build.sharing import cpt_signatures, shared_cpt_draws, shared_leaves
from bayesnet.inference.evaluation import answer
from bayesnet.inputs.evidence import Evidence
from tests.helpers import make_model_dir

DRAWS, SEED = 30, 11


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return bayesnet.load(make_model_dir(tmp_path_factory.mktemp("sharing") / "m"))


def _without(model, sid):
    return Model(model.codebook, Evidence([s for s in model.evidence if s.id != sid]), model.settings, model.scenarios)


def test_a_partial_draw_equals_the_same_parameters_of_a_full_draw(mini):
    full = mini.priors.draw(DRAWS, SEED)
    part = mini.priors.draw(DRAWS, SEED, nodes=["trust", "quick_wins"])
    rows = [i for i, to in enumerate(mini.spec.links["to"]) if to == "trust"]
    np.testing.assert_array_equal(part.weights[rows], full.weights[rows])
    assert np.isnan(np.delete(part.weights, rows, axis=0)).all()
    assert set(part.bias) == {"trust"} and set(part.base_rate) == {"quick_wins"}
    np.testing.assert_array_equal(part.bias["trust"], full.bias["trust"])
    np.testing.assert_array_equal(part.base_rate["quick_wins"], full.base_rate["quick_wins"])
    cpts = part.cpts(mini.spec, nodes=["trust", "quick_wins"])
    assert set(cpts) == {"trust", "quick_wins"}
    np.testing.assert_array_equal(cpts["trust"], mini.cpt_draws(DRAWS, SEED)["trust"])


@pytest.mark.parametrize("sid", ["S18", "S36", "S44", "S55", "S57", "S76"])
def test_a_model_without_one_source_shares_every_table_that_source_does_not_touch(mini, sid):
    reduced = _without(mini, sid)
    cpts, built = shared_cpt_draws(reduced, mini, mini.cpt_draws(DRAWS, SEED), n_draws=DRAWS, seed=SEED)
    rebuilt = reduced.cpt_draws(DRAWS, SEED)
    assert set(cpts) == set(rebuilt)
    for node in rebuilt:
        np.testing.assert_array_equal(cpts[node], rebuilt[node])
    touched = {a.target for a in mini.evidence.get(sid).arrows() if a.lag == 0}
    assert set(built) == touched
    base = mini.cpt_draws(DRAWS, SEED)
    for node in set(rebuilt) - touched:
        assert cpts[node] is base[node]  # shared, not copied


def test_signatures_differ_exactly_where_settings_act(mini):
    from dataclasses import replace

    base = cpt_signatures(mini)
    wider = Model(mini.codebook, mini.evidence, replace(mini.settings, bias_sd=0.9), mini.scenarios)
    changed = {n for n, sig in cpt_signatures(wider).items() if sig != base[n]}
    assert changed == set(mini.spec.parents) - set(mini.spec.roots)  # every child's bias, no root
    rarer = Model(mini.codebook, mini.evidence, replace(mini.settings, base_rate_concentration=5.0), mini.scenarios)
    assert {n for n, sig in cpt_signatures(rarer).items() if sig != base[n]} == set(mini.spec.roots)


def test_only_the_nodes_asked_for_are_built(mini):
    reduced = _without(mini, "S55")
    cpts, built = shared_cpt_draws(reduced, mini, {}, n_draws=DRAWS, seed=SEED, nodes=["conflict", "trust"])
    assert set(cpts) == {"conflict", "trust"} and set(built) == {"conflict", "trust"}
    np.testing.assert_array_equal(cpts["trust"], reduced.cpt_draws(DRAWS, SEED)["trust"])


def test_buffers_are_reused_from_one_model_to_the_next_and_the_tables_stay_right(mini):
    buffers: dict = {}
    base = mini.cpt_draws(DRAWS, SEED)
    first, _ = shared_cpt_draws(_without(mini, "S55"), mini, base, n_draws=DRAWS, seed=SEED, buffers=buffers)
    np.testing.assert_array_equal(first["trust"], _without(mini, "S55").cpt_draws(DRAWS, SEED)["trust"])
    held = buffers["trust"]
    assert np.shares_memory(first["trust"], held) and not first["trust"].flags.writeable and held.flags.writeable
    second, _ = shared_cpt_draws(_without(mini, "S76"), mini, base, n_draws=DRAWS, seed=SEED, buffers=buffers)
    assert buffers["trust"] is held  # the same memory, written again
    np.testing.assert_array_equal(second["trust"], _without(mini, "S76").cpt_draws(DRAWS, SEED)["trust"])


@pytest.mark.parametrize("sid", ["S44", "S18", "S76"])
@pytest.mark.parametrize("scenario", ["integrated_care_system", None])
def test_shared_leaves_answer_as_the_rebuilt_model_and_build_no_whole_table(sid, scenario):
    """On the default model (trust's table held by its upper row): a model without one source,
    asked through the base's draws and the slices it rebuilds, answers as itself."""
    model = bayesnet.load()
    reduced = _without(model, sid)
    base = model.cpt_draws(DRAWS, SEED)
    leaves, rebuilt = shared_leaves(reduced, model, base, seed=SEED)
    assert rebuilt and set(rebuilt) == {n for n, sig in cpt_signatures(reduced).items()
                                        if sig != cpt_signatures(model).get(n)}
    for target in ("collaborative_behaviour", "trust", "faith"):
        q = bayesnet.question(reduced, target, scenario=scenario)
        want = answer(q, reduced.cpt_draws(DRAWS, SEED))
        with mock.patch.object(CPTDraws, "__getitem__", side_effect=AssertionError("a whole CPT was built")):
            got = answer(q, leaves)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
