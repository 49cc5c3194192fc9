"""Parameter draws: one random stream per parameter, so models that share a parameter share its
draws (common random numbers), whatever else differs between them."""

from __future__ import annotations

import numpy as np

import bayesnet
from bayesnet.build.graph import link_name


def _by_name(model, draws):
    links = model.spec.links
    names = [link_name(a, b, s, wn, ws, lag) for a, b, s, wn, ws, lag in zip(
        links["from"], links["to"], links["sign"], links["when_node"], links["when_state"], links["lag"], strict=True)]
    return dict(zip(names, draws.weights, strict=True))


def test_a_model_without_one_source_draws_every_other_parameter_identically():
    model = bayesnet.load()
    change = bayesnet.update_model(model, remove=["S55"])
    after = change.after
    d0, d1 = model.priors.draw(300, 4), after.priors.draw(300, 4)
    w0, w1 = _by_name(model, d0), _by_name(after, d1)
    touched = {link_name(r["from"], r["to"], r["sign"], r["when_node"], r["when_state"], r["lag"])
               for r in model.links.to_dict(orient="records") if "S55" in r["support_ids"] + r["contradict_ids"]}
    assert touched  # S55 states some links
    for name, w in w1.items():
        if name in touched:
            assert not np.array_equal(w, w0[name]), name  # fewer sources: another distribution
        else:
            np.testing.assert_array_equal(w, w0[name], err_msg=name)
    for node, rate in d1.base_rate.items():
        np.testing.assert_array_equal(rate, d0.base_rate[node])
    for node, bias in d1.bias.items():
        if after.priors.bias_sd[node] == model.priors.bias_sd[node]:
            np.testing.assert_array_equal(bias, d0.bias[node])
        else:  # the same standard normal draws, scaled by the new spread
            z0 = (d0.bias[node] - model.priors.bias_mean) / model.priors.bias_sd[node]
            z1 = (bias - after.priors.bias_mean) / after.priors.bias_sd[node]
            np.testing.assert_allclose(z1, z0, atol=1e-12)


def test_the_same_seed_gives_the_same_draws_and_another_seed_others():
    model = bayesnet.load()
    a, b, c = model.priors.draw(50, 1), model.priors.draw(50, 1), model.priors.draw(50, 2)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)
