"""scikit-learn's parameters as the library's spec types (``NetworkSpec``, ``TrainingSpec``).

This module only renames: every default left to the library is left out of the description
(``None``), and every range check is the library's. :func:`renamed` names the spec key a library error
carries by the estimator's parameter.
"""

import numbers

# scikit-learn's activation names that differ from the library's.
_ACTIVATIONS = {"logistic": "sigmoid"}
# scikit-learn's regression losses that differ from the library's (`mse`, `mae`, `huber`).
_LOSSES = {"squared_error": "mse", "absolute_error": "mae"}


def _put(description, key, value):
    """Sets ``key`` unless ``value`` is None (the library's default)."""
    if value is not None:
        description[key] = value


def network_spec(params):
    """The ``NetworkSpec`` of the estimator's parameters, and the parameter each key came from."""
    hidden = params["hidden_layer_sizes"]
    if isinstance(hidden, numbers.Integral):
        hidden = [hidden]
    network = {
        "layers": [int(width) if isinstance(width, numbers.Integral) else width for width in hidden],
        "activation": _ACTIVATIONS.get(params["activation"], params["activation"]),
    }
    _put(network, "dropout", params["dropout"])
    _put(network, "batch_norm", params["batch_norm"])
    return network, {"layers": "hidden_layer_sizes"}


# neurone's solvers whose library name is not their own.
_SOLVER_KINDS = {"lm": "levenberg_marquardt"}

# The solvers that take one step per epoch on the whole data, whatever the batch size.
_FULL_BATCH = ("lbfgs", "lm", "rprop")


def _optimizer(params):
    """The ``OptimizerSpec`` of ``solver`` and its settings."""
    solver = params["solver"]
    optimizer = {"kind": _SOLVER_KINDS.get(solver, solver)}
    if solver == "sgd":
        # scikit-learn accepts Nesterov without momentum, which is plain SGD; the library asks
        # for one or the other.
        nesterov = params["nesterovs_momentum"] and params["momentum"] != 0
        optimizer.update(momentum=params["momentum"], nesterov=nesterov)
    elif solver in ("adam", "adamw"):
        optimizer.update(beta1=params["beta_1"], beta2=params["beta_2"], epsilon=params["epsilon"])
    elif solver == "lbfgs":
        optimizer.update(gradient_tolerance=params["tol"], max_evaluations=params["max_fun"])
    optimizer.update(params["optimizer_settings"] or {})
    return optimizer


def _schedule(params, samples, epochs):
    """scikit-learn's ``learning_rate`` (for SGD only, as there) or neurone's ``schedule``."""
    if params["schedule"] is not None:
        return params["schedule"]
    if params["learning_rate"] not in _LEARNING_RATES:
        # scikit-learn's own names for schedules, checked whatever the solver, as it does.
        raise ValueError(f"invalid learning_rate: expected one of {', '.join(_LEARNING_RATES)}, got {params['learning_rate']!r}")
    if params["solver"] != "sgd" or params["learning_rate"] == "constant":
        return None
    if params["learning_rate"] == "adaptive":
        # η / 5 each time the training loss has not fallen by tol for more than n_iter_no_change
        # epochs, and a stop at such a plateau once η ≤ 10⁻⁶, as scikit-learn's SGD.
        return {
            "kind": "plateau", "factor": 0.2, "patience": _patience(params["n_iter_no_change"], epochs, exceeded=True),
            "threshold": params["tol"], "absolute_threshold": True, "stop_at_learning_rate": 1e-6,
        }
    # "invscaling": η₀ / (t + 1)^power_t, t counting the samples seen before the epoch, as
    # scikit-learn.
    return {"kind": "inverse_scaling", "power_t": params["power_t"], "per_epoch": samples}


_LEARNING_RATES = ("constant", "invscaling", "adaptive")


def training_spec(params, *, samples, epochs, task, validation, mean_weight=1.0):
    """The ``TrainingSpec`` of the estimator's parameters for ``samples`` training samples and
    ``epochs`` epochs, and the parameter each key came from.

    scikit-learn's ``alpha`` penalises ``alpha / 2 ‖W‖²`` per batch, divided by the batch's
    size, or with ``sample_weight`` by the batch's sum of weights: the library's ``l2`` per mean
    loss is ``alpha / batch_size``, or ``alpha / (batch_size × mean_weight)`` (exact for a full
    batch, the expected sum of weights for a minibatch). scikit-learn stops when
    the loss has not improved by ``tol`` for more than ``n_iter_no_change`` epochs: the
    library's early stopping with a patience of one more epoch.
    """
    batch_size = params["batch_size"]
    if batch_size == "auto":
        batch_size = min(200, samples)
    elif isinstance(batch_size, numbers.Integral) and batch_size > samples:
        batch_size = samples
    full_batch = params["solver"] in _FULL_BATCH
    per_step = samples if full_batch else batch_size
    if isinstance(per_step, numbers.Integral) and mean_weight != 1.0:
        per_step = per_step * mean_weight
    alpha = params["alpha"]
    training = {
        "optimizer": _optimizer(params),
        "epochs": epochs,
        "batch_size": batch_size,
        "shuffle": params["shuffle"],
        "l2": alpha / per_step if isinstance(alpha, numbers.Real) and isinstance(per_step, numbers.Real) and per_step > 0 else alpha,
    }
    if not full_batch:
        training["learning_rate"] = params["learning_rate_init"]
    if task == "regression":
        _put(training, "loss", _LOSSES.get(params["loss"], params["loss"]))
    _put(training, "schedule", _schedule(params, samples, epochs))
    _put(training, "l1", params["l1"])
    _put(training, "clip_norm", params["clip_norm"])
    stopping = {"patience": _patience(params["n_iter_no_change"], epochs), "min_delta": params["tol"]}
    if validation:
        stopping["monitor"] = "val_accuracy" if task == "classification" else "val_r2"
        _put(stopping, "restore_best_weights", params["restore_best_weights"])
        training["early_stopping"] = stopping
    elif not full_batch and epochs > 1 and not (params["solver"] == "sgd" and params["learning_rate"] == "adaptive"):
        training["early_stopping"] = dict(stopping, monitor="train_loss", restore_best_weights=False)
    names = {
        "epochs": "max_iter",
        "batch_size": "batch_size",
        "learning_rate": "learning_rate_init",
        "l2": "alpha",
        "optimizer.momentum": "momentum",
        "optimizer.nesterov": "nesterovs_momentum",
        "optimizer.beta1": "beta_1",
        "optimizer.beta2": "beta_2",
        "optimizer.epsilon": "epsilon",
        "optimizer.gradient_tolerance": "tol",
        "optimizer.max_evaluations": "max_fun",
        "optimizer": "solver",
        "optimizer.kind": "solver",
        "early_stopping.patience": "n_iter_no_change",
        "early_stopping.min_delta": "tol",
    }
    if params["schedule"] is None:
        # The schedule then comes from learning_rate and power_t.
        names.update({"schedule.power_t": "power_t", "schedule.patience": "n_iter_no_change", "schedule.threshold": "tol", "schedule": "learning_rate"})
    return training, names


def _patience(n_iter_no_change, epochs, exceeded=False):
    """The library's patience for scikit-learn's ``n_iter_no_change``: for early stopping one
    epoch more (it stops when the count of epochs without improvement *exceeds*
    ``n_iter_no_change``), for the plateau schedule (``exceeded``, which acts past its patience)
    the same. ``np.inf``, which scikit-learn allows, never acts: a patience past the last epoch."""
    if isinstance(n_iter_no_change, numbers.Integral):
        return int(n_iter_no_change) + (0 if exceeded else 1)
    if isinstance(n_iter_no_change, numbers.Real) and n_iter_no_change == float("inf") and isinstance(epochs, numbers.Integral):
        return int(epochs) + 1
    return n_iter_no_change


def renamed(error, names):
    """The library's message for ``error`` with the spec key it carries (its ``key``
    attribute) named by the estimator's parameter; its message unchanged when it has no key."""
    key = getattr(error, "key", None)
    if key is None:
        return str(error)
    for spec_key in sorted(names, key=len, reverse=True):
        if key == spec_key or key.startswith(spec_key + "["):
            key = names[spec_key] + key[len(spec_key) :]
            break
    return f"invalid {key}: {error.reason}"
