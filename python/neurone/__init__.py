"""neurone: scikit-learn's multi-layer perceptrons on neurone's Rust engine.

:class:`MLPClassifier` and :class:`MLPRegressor` take scikit-learn's parameters, with its
defaults, and add neurone's own (dropout, batch normalisation, more optimizers, schedules,
float32, ...); :func:`load` reads the model files of :meth:`MLPClassifier.save` and of the
``neurone`` command line.
"""

from ._engine import __version__
from ._classifier import MLPClassifier
from ._regressor import MLPRegressor
from ._load import load

__all__ = ["MLPClassifier", "MLPRegressor", "load", "__version__"]
