"""What the classifier and the regressor share: parameters, fitting, fitted attributes, files."""

import functools
import json
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _engine
from ._spec import network_spec, renamed, training_spec

# scikit-learn's names for the library's output activations.
_OUT_ACTIVATIONS = {"sigmoid": "logistic", "softmax": "softmax", "identity": "identity"}

# scikit-learn's message when training leaves non-finite weights.
_NON_FINITE = "Solver produced non-finite parameter weights. The input data may contain large values and need to be preprocessed."

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))

# ``dtype`` → what validate_data converts X to: for None, a float32 or float64 X as it is,
# anything else to float64 (the first), as scikit-learn's MLP.
_DTYPES = {None: (np.float64, np.float32), "float32": np.float32, "float64": np.float64, np.float32: np.float32, np.float64: np.float64}


class BaseMLP(BaseEstimator):
    """The estimators' common machinery; see :class:`MLPClassifier` for the parameters."""

    _task = None  # "classification" or "regression"

    def _input_dtype(self, fresh):
        """The dtype X is converted to: the network's once it exists; for a new one, ``dtype``
        when given, else X's own when it is float32 or float64 and float64 otherwise, as
        scikit-learn's MLP keeps the input's floating dtype."""
        if not fresh:
            return np.dtype(self._engine.dtype)
        try:
            return _DTYPES[self.dtype]
        except (KeyError, TypeError):
            raise ValueError(f"invalid dtype: expected 'float32' or 'float64', got {self.dtype!r}") from None

    def _seed(self):
        """The library's seed: ``random_state`` itself when it is an integer, else one drawn
        from it (numpy's global generator for None), as scikit-learn draws its own."""
        if isinstance(self.random_state, numbers.Integral) and self.random_state >= 0:
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _validate(self, X, y, fresh):
        """X (and y) checked and converted by scikit-learn's own validation: C-contiguous in
        the network's dtype, read without a copy when they already are. Sparse X is accepted as
        scikit-learn's MLP accepts it (CSR and CSC kept, other formats made CSR), then held as
        CSR, whose stored values the library's first layer reads."""
        dtype = self._input_dtype(fresh)
        X, y = validate_data(
            self, X, y, accept_sparse=_SPARSE_FORMATS, dtype=dtype, order="C", multi_output=True, reset=fresh,
            y_numeric=self._task == "regression",
        )
        return (X.tocsr() if sp.issparse(X) else X), y

    def _sample_weight(self, sample_weight, X, y):
        """The samples' weights as a 1-D array of the network's dtype (None when unweighted),
        converted by scikit-learn; the library checks their values (non-negative, not all zero)."""
        if sample_weight is None:
            return None
        return _check_sample_weight(sample_weight, X, dtype=X.dtype, allow_all_zero_weights=True)

    def _fit(self, X, y, *, incremental, classes=None, sample_weight=None):
        """The steps of a fit: a new network or the last one (``warm_start``, ``partial_fit``),
        the data in the network's dtype, the validation split, the specs, the engine's training,
        the fitted attributes, scikit-learn's warnings."""
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        fresh = not hasattr(self, "_engine") or not (incremental or self.warm_start)
        X, y = self._validate(X, y, fresh)
        targets = self._encode_targets(y, fresh, classes, X.dtype)
        sample_weight = self._sample_weight(sample_weight, X, y)
        if self.n_threads is not None:
            _engine.set_threads(self.n_threads)
        seed = self._seed() if fresh else self._fit_seed
        validation = self.early_stopping and not incremental and self.solver != "lbfgs"
        train, held_out = self._split(X, targets, sample_weight, seed) if validation else ((X, targets, sample_weight), None)
        samples = train[0].shape[0]
        network, training, names = self._specs(samples, targets.shape[1], incremental, validation, train[2])
        history, interrupted = self._train(network, training, names, train, held_out, fresh, incremental, seed)
        # A loaded model's warm fit starts a history of its own (a model file holds none).
        epochs_before = 0 if fresh else len(getattr(self, "loss_curve_", []))
        self._record(history, samples=samples, epochs_before=epochs_before, validation=validation)
        self._training_record = {"network": network, "training": training}
        if interrupted:
            warnings.warn("Training interrupted by user.", UserWarning)
        elif not incremental:
            self._warn_if_not_converged(history)
        return self

    def _split(self, X, targets, sample_weight, seed):
        """The training and validation samples of early stopping, split by scikit-learn's
        ``train_test_split`` (stratified for one-column classes), as its MLP splits them."""
        stratify = targets if self._task == "classification" and not self._multilabel() else None
        arrays = (X, targets) if sample_weight is None else (X, targets, sample_weight)
        split = train_test_split(*arrays, random_state=seed, test_size=self.validation_fraction, stratify=stratify)
        if split[1].shape[0] < 2:
            # scikit-learn's check (1.7, #24788): a score on one sample says nothing.
            raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of your dataset.")
        contiguous = [array if sp.issparse(array) else np.ascontiguousarray(array) for array in split]
        # The validation samples are measured at once, dense (a tenth of the data by default).
        contiguous[1] = _dense(contiguous[1])
        train = (contiguous[0], contiguous[2], contiguous[4] if sample_weight is not None else None)
        return train, (contiguous[1], contiguous[3])

    def _specs(self, samples, outputs, incremental, validation, sample_weight):
        """The library's ``NetworkSpec`` and ``TrainingSpec`` of the parameters for this fit, and
        the parameter each spec key comes from."""
        params = {name: getattr(self, name) for name in _parameter_names(type(self))}
        network, network_names = network_spec(params)
        mean_weight = 1.0 if sample_weight is None else float(np.mean(sample_weight, dtype=np.float64))
        epochs = 1 if incremental else self.max_iter
        training, names = training_spec(
            params, samples=samples, epochs=epochs, task=self._task, validation=validation, mean_weight=mean_weight
        )
        network = self._network_overrides(network, outputs)
        training = self._training_overrides(training)
        return network, training, {**network_names, **names}

    def _train(self, network, training, names, train, held_out, fresh, incremental, seed):
        """A new engine when ``fresh``, then its training; returns the history's curves and
        whether Ctrl-C interrupted it. A warm ``fit`` starts the learning rate again from
        ``learning_rate_init``, as scikit-learn's makes a new optimizer (``partial_fit`` keeps it).
        The library's errors become scikit-learn's."""
        X, targets, sample_weight = train
        X_validation, targets_validation = held_out or (None, None)
        try:
            if fresh:
                self._engine = _engine.Engine(
                    json.dumps(network), json.dumps(training), self._task, X.shape[1], targets.shape[1], X.dtype.name, seed
                )
                self._fit_seed = seed
                self.t_ = 0
            return self._engine.fit(
                json.dumps(training), self._task, _engine_inputs(X), targets, sample_weight, X_validation, targets_validation,
                warm=not fresh, restart_schedule=not fresh and not incremental, verbose=bool(self.verbose),
            )
        except ValueError as error:
            if hasattr(error, "epoch"):
                # The library refuses the epoch whose loss or weights became non-finite;
                # scikit-learn's words for it come first, the library's (which epoch) after.
                raise ValueError(f"{_NON_FINITE} ({error})") from None
            raise ValueError(renamed(error, names)) from None

    def _warn_if_not_converged(self, history):
        """scikit-learn's ``ConvergenceWarning``s: the stochastic solvers' at ``max_iter`` epochs,
        L-BFGS's (``_check_optimize_result``'s words, with SciPy's reason) at ``max_iter``
        iterations or past ``max_fun`` loss evaluations; neurone's full-batch ``rprop`` and
        ``lm`` say the same as the stochastic ones, under their own names."""
        if self.solver != "lbfgs":
            if self._new_epochs == self.max_iter and not self._stopped:
                optimizer = _FULL_BATCH_NAMES.get(self.solver, "Stochastic Optimizer")
                message = f"{optimizer}: Maximum iterations ({self.max_iter}) reached and the optimization hasn't converged yet."
                warnings.warn(message, ConvergenceWarning)
            return
        if history["converged"] or not (history["out_of_evaluations"] or self._new_epochs == self.max_iter):
            return
        reason = "F,G EVALUATIONS EXCEEDS LIMIT" if history["out_of_evaluations"] else "ITERATIONS REACHED LIMIT"
        message = f"lbfgs failed to converge after {self._new_epochs} iteration(s) (status=1):\nSTOP: TOTAL NO. OF {reason}\n"
        if self._new_epochs == self.max_iter:
            message += f"\nIncrease the number of iterations to improve the convergence (max_iter={self.max_iter})."
        message += "\nYou might also want to scale the data as shown in:\n    https://scikit-learn.org/stable/modules/preprocessing.html"
        warnings.warn(message, ConvergenceWarning)

    def _network_overrides(self, network, outputs):
        return network

    def _training_overrides(self, training):
        return training

    def _record(self, history, *, samples, epochs_before, validation):
        """The fitted attributes of scikit-learn's MLP from the curves of the library's history."""
        self.loss_curve_ = history["loss"]  # with the L2 penalty, as scikit-learn's
        self._learning_rates = history["learning_rate"]  # η of each epoch
        self._new_epochs = len(self.loss_curve_) - epochs_before
        self._stopped = history["stopped"]
        # This call's epochs, as scikit-learn counts them (a warm start's loss_curve_ grows).
        self.n_iter_ = self._new_epochs
        self.t_ = getattr(self, "t_", 0) + self._new_epochs * samples
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else None
        if validation:
            self.validation_scores_ = history["validation_scores"]
            self.best_validation_score_ = max(self.validation_scores_) if self.validation_scores_ else None
            self.validation_loss_curve_ = history["validation_loss"]
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.validation_loss_curve_ = None
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None
        self._set_weights()

    def _set_weights(self):
        """``coefs_`` (in × out, as scikit-learn's) and ``intercepts_`` from the engine."""
        weights = self._engine.weights()
        self.coefs_ = [np.ascontiguousarray(w.T) for w, _ in weights]
        self.intercepts_ = [b.ravel() for _, b in weights]
        self.n_layers_ = len(weights) + 1
        self.n_outputs_ = self.coefs_[-1].shape[1]
        output = self._engine.output_activation()
        self.out_activation_ = _OUT_ACTIVATIONS.get(output, output)

    def _outputs(self, X):
        """The network's outputs for X, checked as scikit-learn checks them.

        An array that already passes those checks (a finite, C-contiguous float ndarray of the
        network's width, for an estimator fitted without feature names) goes straight to the
        engine, converted to its dtype if need be: scikit-learn's validation costs some 150 µs
        a call, thirty times a one-sample prediction.
        """
        engine = getattr(self, "_engine", None)
        if not (
            engine is not None
            and type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in _FLOATS
            and X.flags.c_contiguous
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            and np.isfinite(X).all()
        ):
            check_is_fitted(self)
            X = validate_data(self, X, accept_sparse=_SPARSE_FORMATS, dtype=self._input_dtype(fresh=False), order="C", reset=False)
        elif X.dtype != engine.dtype:
            X = X.astype(engine.dtype)
        # Sparse rows are read sparse: the library's product of the stored values gives each
        # row the outputs of the same row made dense.
        return self._engine.predict(_engine_inputs(X.tocsr()) if sp.issparse(X) else X)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "_engine")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # as scikit-learn's MLP: CSR and CSC X
        return tags

    def save(self, path):
        """Writes the model to ``path`` in the ``neurone`` command line's model file format
        (safetensors), which ``neurone predict`` and :func:`neurone.load` read.

        Parameters
        ----------
        path : str or path-like
            The file to write, atomically (``.safetensors``).
        """
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        record = dict(self._training_record, python=self._file_record())
        self._engine.save(
            str(path),
            class_names=self._class_names(),
            feature_names=None if names is None else [str(name) for name in names],
            training=json.dumps(record, default=_plain),
        )

    def export_c(self, path, int8=False, *, name="model", calibration=None):
        """Writes the network as one self-contained C99 header: ``NAME_INPUTS``,
        ``NAME_OUTPUTS`` and ``void NAME_predict(const float *input, float *output)``, which
        returns what :meth:`predict_proba` (a classifier) or :meth:`predict` (a regressor) returns
        for one sample; the code of ``neurone export --c`` (see docs/export.md).

        Parameters
        ----------
        path : str or path-like
            The header to write, atomically.
        int8 : bool, default=False
            Quantise to int8: weights per output row, activations calibrated on ``calibration``.
        name : str, default="model"
            The prefix of the C names; a C identifier.
        calibration : array-like of shape (n_samples, n_features), default=None
            Samples of the training data to calibrate int8 on; required with ``int8=True``.
        """
        self._export_code(path, True, int8, name, calibration)

    def export_rust(self, path, int8=False, *, calibration=None):
        """Writes the network as one ``no_std`` Rust module without dependency: ``INPUTS``,
        ``OUTPUTS`` and ``pub fn predict(input: &[f32; INPUTS], output: &mut [f32; OUTPUTS])``;
        the code of ``neurone export --rust``. Parameters as :meth:`export_c`'s."""
        self._export_code(path, False, int8, "model", calibration)

    def _export_code(self, path, c, int8, name, calibration):
        check_is_fitted(self)
        if int8 and calibration is None:
            raise ValueError("int8=True needs calibration: samples of the training data, shaped as X")
        if calibration is not None:
            if not int8:
                raise ValueError("calibration is for int8=True; a float32 export needs none")
            calibration = validate_data(self, calibration, dtype=self._engine.dtype, order="C", reset=False)
        names = getattr(self, "feature_names_in_", None)
        self._engine.export_code(
            str(path),
            c,
            name,
            calibration,
            class_names=self._class_names(),
            feature_names=None if names is None else [str(name) for name in names],
        )

    def _class_names(self):
        return None

    def _file_record(self):
        """What :func:`neurone.load` needs to rebuild this estimator."""
        names = getattr(self, "feature_names_in_", None)
        return {
            "estimator": type(self).__name__,
            "params": self.get_params(),
            "feature_names_in": None if names is None else [str(name) for name in names],
        }


# neurone's full-batch solvers besides L-BFGS, as their ConvergenceWarning names them (not
# scikit-learn's "Stochastic Optimizer": they take one step on the whole data an epoch).
_FULL_BATCH_NAMES = {"rprop": "iRprop- (full batch)", "lm": "Levenberg-Marquardt (full batch)"}

# The sparse formats scikit-learn's MLP takes as they are (others it converts to the first).
_SPARSE_FORMATS = ["csr", "csc"]

def _dense(X):
    """X as a C-contiguous array (sparse X made dense)."""
    return np.ascontiguousarray(X.toarray() if sp.issparse(X) else X)


def _engine_inputs(X):
    """What the engine trains on: an array as it is, a CSR matrix as its arrays (data, column
    indices, row starts) and width, read in place but for the indices, made ``uintp``. Columns
    are sorted where no column is stored twice (the values stay those of ``toarray()``), so that
    the library reads the stored values; it makes other rows dense a slice at a time."""
    if not sp.issparse(X):
        return X
    if not X.has_canonical_format:
        sorted_X = X.sorted_indices()
        X = sorted_X if sorted_X.has_canonical_format else X
    return (np.ascontiguousarray(X.data), X.indices.astype(np.uintp), X.indptr.astype(np.uintp), X.shape[1])


def stochastic_solver(estimator):
    """``partial_fit`` exists for the solvers that step through batches, as scikit-learn's
    ``available_if``: for ``lbfgs`` the estimator has no such attribute."""
    if estimator.solver == "lbfgs":
        raise AttributeError(f"partial_fit is only available for stochastic optimizers. {estimator.solver} is not stochastic.")
    return True


def _plain(value):
    """JSON for numpy values in a parameter or class list."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


@functools.cache
def _parameter_names(estimator_class):
    """The names ``get_params`` returns, read once per class (``get_params`` reads the signature
    of ``__init__`` at every call, a tenth of a small fit's time in Python)."""
    return estimator_class._get_param_names()
