"""The collaboration-type presets of the default model say something, and each says something
different: a preset that sets nothing would give the unconditioned answer under a type's name."""

from __future__ import annotations

import pytest

import bayesnet


@pytest.fixture(scope="module")
def model():
    return bayesnet.load()


def test_every_preset_sets_at_least_one_context_with_its_basis(model):
    assert len(model.scenarios) >= 2
    for preset in model.scenarios:
        assert preset.values, f"preset {preset.id} sets nothing"
        assert preset.description.strip(), preset.id
        for value in preset.values:
            assert model.codebook[value.node].kind == "context", (preset.id, value.node)
            assert value.basis.strip() and value.section.strip(), (preset.id, value.node)


def test_no_two_presets_are_identical(model):
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    for preset in model.scenarios:
        key = tuple(sorted(preset.assignment.items()))
        assert key not in seen, f"presets {seen[key]} and {preset.id} set the same contexts"
        seen[key] = preset.id


def test_merger_is_integrative_and_joint_commissioning_is_not(model):
    """'a spectrum of integration from full integration (i.e., mergers)'; joint commissioning
    processes 'formalised and structural' yet joint working 'essentially relational' [41]."""
    merger = model.scenarios["merger"].assignment
    joint = model.scenarios["joint_commissioning"].assignment
    assert merger["integration"] == "integrative" and "integration" not in joint
    assert merger["legal_agreements"] == joint["legal_agreements"] == "strong"


def test_the_two_readings_of_an_integrated_care_system_are_both_offered(model):
    """Results: 'set in a local context of pre-existing competitive attitudes'; Discussion: the
    successful ICSs 'evolved from ... a relatively strong history of collaboration'."""
    results = model.scenarios["integrated_care_system"]
    discussion = model.scenarios["integrated_care_system_evolved"]
    assert results.assignment["history_of_collaboration"] == "competitive"
    assert discussion.assignment["history_of_collaboration"] == "collaborative"
    assert "(Results:" in results.label and "(Discussion:" in discussion.label
    assert results.collaboration_type == discussion.collaboration_type == "integrated_care"
