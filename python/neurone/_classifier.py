"""``MLPClassifier``: scikit-learn's, on neurone's engine."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from ._base import BaseMLP, stochastic_solver
from ._docs import ATTRIBUTES, CLASS_WEIGHT, PARAMETERS


class MLPClassifier(ClassifierMixin, BaseMLP):
    _task = "classification"

    def __init__(
        self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001, batch_size="auto",
        learning_rate="constant", learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
        random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
        early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
        n_iter_no_change=10, max_fun=15000, dropout=None, batch_norm=None, l1=None, clip_norm=None,
        schedule=None, optimizer_settings=None, restore_best_weights=None, n_threads=None, dtype=None, class_weight=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.l1 = l1
        self.clip_norm = clip_norm
        self.schedule = schedule
        self.optimizer_settings = optimizer_settings
        self.restore_best_weights = restore_best_weights
        self.n_threads = n_threads
        self.dtype = dtype
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        """Fits the network to X and y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs; a sparse matrix or array (CSR, CSC, or another format made CSR) is
            read from its stored values, and trains as the same dense X would.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The class labels, or a label indicator matrix for multilabel classification.
        sample_weight : array-like of shape (n_samples,), default=None
            The weight of each sample in the loss (a weight of 2 counts as the sample
            repeated), as scikit-learn's MLP weighs it; None weighs every sample by 1.

        Returns
        -------
        self : MLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    @available_if(stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Trains one epoch on X and y, going on from the previous call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            The weight of each sample in the loss (a weight of 2 counts as the sample
            repeated), as scikit-learn's MLP weighs it; None weighs every sample by 1.
        classes : array-like of shape (n_classes,), default=None
            Every class, required on the first call.

        Returns
        -------
        self : MLPClassifier
            The estimator.
        """
        if not hasattr(self, "_engine") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, incremental=True, classes=classes, sample_weight=sample_weight)

    def _sample_weight(self, sample_weight, X, y):
        """The samples' weights times their classes' weights (``class_weight``), as scikit-learn's
        ``compute_sample_weight`` makes them."""
        sample_weight = super()._sample_weight(sample_weight, X, y)
        if self.class_weight is None:
            return sample_weight
        class_weights = compute_sample_weight(self.class_weight, y)
        weights = class_weights if sample_weight is None else sample_weight * class_weights
        return np.ascontiguousarray(weights, dtype=X.dtype)

    def _multilabel(self):
        return self._label_binarizer is not None

    def _encode_targets(self, y, fresh, classes, dtype):
        """One column per class (one 0/1 column for two classes), as scikit-learn's
        ``LabelBinarizer`` makes them.

        Labels of one column (binary or multiclass) are encoded here rather than by
        ``LabelBinarizer``, whose checks of y's type, made thrice, took half of a small fit's
        time in Python; other targets (multilabel, object labels, classes given) go through it.
        """
        if y.ndim == 1 and y.dtype.kind in "iu":
            # Integer labels of one column are binary or multiclass, which is all that the
            # checks of type_of_target (a sixth of a one-epoch iris fit) would tell.
            target_type = "multiclass"
        else:
            target_type = type_of_target(y, input_name="y")
        if target_type not in ("binary", "multiclass"):
            check_classification_targets(y)  # scikit-learn's own error for the types it refuses
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        one_column = target_type in ("binary", "multiclass") and y.dtype != object and classes is None
        if fresh:
            if one_column:
                self._label_binarizer, self.classes_ = None, np.unique(y)
            else:
                binarizer = LabelBinarizer().fit(y if classes is None else classes)
                self.classes_ = binarizer.classes_
                self._label_binarizer = binarizer if binarizer.y_type_ == "multilabel-indicator" else None
        if not fresh or not one_column:
            self._check_classes(unique_labels(y), fresh)
        if self._multilabel():
            return np.ascontiguousarray(self._label_binarizer.transform(y), dtype=dtype)
        # LabelBinarizer's columns: one per class, or a single one for the second of two (all
        # zeros for a single class).
        indices = np.searchsorted(self.classes_, y)
        columns = np.arange(len(self.classes_)) if len(self.classes_) > 2 else np.array([1])
        return np.ascontiguousarray(indices[:, None] == columns, dtype=dtype)

    def _check_classes(self, labels, fresh):
        """scikit-learn's checks of y's classes against ``classes_``: the same classes for a
        warm start, none outside them for partial_fit (or the first call's ``classes=``)."""
        if not fresh and self.warm_start and set(labels.tolist()) != set(self.classes_.tolist()):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the previous call to fit. "
                f"Previously got {self.classes_}, `y` has {labels}"
            )
        if len(np.setdiff1d(labels, self.classes_)) > 0:
            raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. 'y' has {labels}.")

    def _network_overrides(self, network, outputs):
        if self._multilabel():
            # Independent classes: one sigmoid output each, as scikit-learn does.
            network = dict(network, output_activation="sigmoid")
        return network

    def _training_overrides(self, training):
        if self._multilabel():
            training = dict(training, loss="binary_cross_entropy")
        return training

    def _class_names(self):
        return None if self._multilabel() else [str(label) for label in self.classes_]

    def _file_record(self):
        record = super()._file_record()
        record.update(classes=self.classes_.tolist(), multilabel=bool(self._multilabel()))
        return record

    def predict(self, X):
        """The predicted classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The classes (a label indicator matrix for multilabel classification).
        """
        outputs = self._outputs(X)
        if self._multilabel():
            return self._label_binarizer.inverse_transform(outputs)
        # As LabelBinarizer.inverse_transform: the likeliest class, or for two classes the
        # second where its probability is above ½.
        # One class (scikit-learn fits it too): that class.
        if len(self.classes_) == 1:
            return np.repeat(self.classes_, len(outputs))
        chosen = (outputs[:, 0] > 0.5).astype(int) if outputs.shape[1] == 1 else np.argmax(outputs, axis=1)
        return self.classes_[chosen]

    def predict_proba(self, X):
        """The probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        probabilities : ndarray of shape (n_samples, n_classes)
            One column per class of ``classes_``.
        """
        outputs = self._outputs(X)
        if outputs.shape[1] == 1 and not self._multilabel():
            return np.hstack([1.0 - outputs, outputs])
        return outputs

    def predict_log_proba(self, X):
        """The logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        log_probabilities : ndarray of shape (n_samples, n_classes)
            ``log`` of the probabilities.
        """
        return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


MLPClassifier.__doc__ = f"""A multi-layer perceptron classifier, scikit-learn's, trained by neurone's engine.

    Softmax outputs and cross-entropy for several classes, one sigmoid output for two, one
    sigmoid per class for multilabel targets.

    Parameters
    ----------
{PARAMETERS}{CLASS_WEIGHT}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
{ATTRIBUTES}
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from neurone import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """
