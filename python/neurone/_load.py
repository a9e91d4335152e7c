"""``neurone.load``: a model file (from Python or the command line) as a fitted estimator."""

import json

import numpy as np
from sklearn.preprocessing import LabelBinarizer

from . import _engine

# The library's activation names that scikit-learn spells otherwise.
_ACTIVATIONS = {"sigmoid": "logistic"}


def load(path):
    """Reads a model file written by :meth:`MLPClassifier.save`, :meth:`MLPRegressor.save` or
    ``neurone train``, as a fitted estimator that predicts what the saved model predicted.

    Parameters
    ----------
    path : str or path-like
        The ``.safetensors`` model file.

    Returns
    -------
    estimator : MLPClassifier or MLPRegressor
        Fitted: a classifier when the file names classes or holds a Python classifier. A file
        from the command line keeps its input scaling inside the model.
    """
    from ._classifier import MLPClassifier
    from ._regressor import MLPRegressor

    engine = _engine.Engine.load(str(path), 0)
    info = json.loads(engine.describe())
    record = (info.get("training") or {}).get("python") if isinstance(info.get("training"), dict) else None
    if record is not None:
        kind = MLPClassifier if record["estimator"] == "MLPClassifier" else MLPRegressor
        params = dict(record["params"])
        if isinstance(params.get("hidden_layer_sizes"), list):  # JSON has no tuples
            params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        estimator = kind(**params)
        classes = record.get("classes")
        multilabel = record.get("multilabel", False)
    else:
        kind = MLPClassifier if info["classification"] else MLPRegressor
        layers = info["layers"]
        activation = layers[0].split(" ")[-1] if len(layers) > 1 else "identity"
        estimator = kind(activation=_ACTIVATIONS.get(activation, activation), dtype=engine.dtype)
        classes = info["class_names"]
        multilabel = False
    estimator._engine = engine
    estimator._fit_seed = 0
    estimator.n_features_in_ = info["inputs"]
    if record is not None and record.get("feature_names_in") is not None:
        estimator.feature_names_in_ = np.asarray(record["feature_names_in"], dtype=object)
    if kind is MLPClassifier:
        estimator._label_binarizer = LabelBinarizer().fit(np.eye(len(classes), dtype=int)) if multilabel else None
        estimator.classes_ = estimator._label_binarizer.classes_ if multilabel else np.unique(np.asarray(classes))
    estimator._set_weights()
    if record is None:
        estimator.hidden_layer_sizes = tuple(coef.shape[1] for coef in estimator.coefs_[:-1])
    estimator._training_record = info.get("training")
    return estimator
