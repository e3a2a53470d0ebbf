"""Shared fixtures: seeded regression data, the command line (LINSGD_CLI, set by `make test`) and
the repository's test data."""
import os
import pathlib

import numpy as np
import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def regression():
    """A seeded 600 x 8 linear problem with noise 0.1: X float32 C-contiguous, y float32."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((600, 8)).astype(np.float32)
    w = rng.standard_normal(8)
    y = (X @ w + 0.5 + 0.1 * rng.standard_normal(600)).astype(np.float32)
    return X, y


@pytest.fixture
def cli():
    """The linsgd binary built beside this package (`make test` passes its path)."""
    path = os.environ.get("LINSGD_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("LINSGD_CLI does not name the linsgd binary (make test sets it)")
    return path


@pytest.fixture
def diabetes_csv():
    return REPOSITORY / "tests" / "data" / "diabetes.csv"
