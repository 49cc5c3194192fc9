"""One explorer app over the embedded model and the library's default posterior, shared by
the web tests (its CPT draws are built once)."""

from __future__ import annotations

import pytest

import bayesnet


@pytest.fixture(scope="session")
def model():
    return bayesnet.load()


@pytest.fixture(scope="session")
def app(model):
    from bayesnet.web import create_app

    return create_app(model)


@pytest.fixture(scope="session")
def client(app):
    from starlette.testclient import TestClient

    with TestClient(app) as c:
        yield c
