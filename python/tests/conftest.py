"""Data the tests share."""

import numpy as np
import pytest
from sklearn.datasets import load_iris


@pytest.fixture(scope="session")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


@pytest.fixture(scope="session")
def sine():
    """The course's sine: y = sin(x) on [-π, π]."""
    X = np.linspace(-np.pi, np.pi, 200).reshape(-1, 1)
    return X, np.sin(X).ravel()
