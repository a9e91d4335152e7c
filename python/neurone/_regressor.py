"""``MLPRegressor``: scikit-learn's, on neurone's engine."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.metaestimators import available_if

from ._base import BaseMLP, stochastic_solver
from ._docs import ATTRIBUTES, PARAMETERS


class MLPRegressor(RegressorMixin, BaseMLP):
    _task = "regression"

    def __init__(
        self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001, batch_size="auto",
        learning_rate="constant", learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
        random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
        early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
        n_iter_no_change=10, max_fun=15000, dropout=None, batch_norm=None, l1=None, clip_norm=None,
        schedule=None, optimizer_settings=None, restore_best_weights=None, n_threads=None, dtype=None,
    ):
        self.loss = loss
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

    def fit(self, X, y, sample_weight=None):
        """Fits the network to X and y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs; a sparse matrix or array (CSR, CSC, or another format made CSR) is
            read from its stored values, and trains as the same dense X would.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            The weight of each sample in the loss (a weight of 2 counts as the sample
            repeated), as scikit-learn's MLP weighs it; None weighs every sample by 1.

        Returns
        -------
        self : MLPRegressor
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    @available_if(stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None):
        """Trains one epoch on X and y, going on from the previous call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            The weight of each sample in the loss (a weight of 2 counts as the sample
            repeated), as scikit-learn's MLP weighs it; None weighs every sample by 1.

        Returns
        -------
        self : MLPRegressor
            The estimator.
        """
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def _multilabel(self):
        return False

    def _network_overrides(self, network, outputs):
        if self.loss == "poisson":
            # The log link, as scikit-learn's: a = eᶻ, the output the library's Poisson loss needs.
            network = dict(network, output_activation="exp")
        return network

    def _encode_targets(self, y, fresh, classes, dtype):
        y = np.asarray(y, dtype=dtype)
        return np.ascontiguousarray(y.reshape(-1, 1) if y.ndim == 1 else y)

    def predict(self, X):
        """The predicted values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions, in the network's dtype.
        """
        outputs = self._outputs(X)
        return outputs.ravel() if outputs.shape[1] == 1 else outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


MLPRegressor.__doc__ = f"""A multi-layer perceptron regressor, scikit-learn's, trained by neurone's engine.

    Identity outputs, one per target, and (by default) the squared error.

    Parameters
    ----------
    loss : {{'squared_error', 'poisson', 'absolute_error', 'huber'}} or str, default='squared_error'
        J: scikit-learn's squared error (the library's ``mse``) or half Poisson deviance on an
        exp output (``out_activation_ == 'exp'``, for targets y >= 0), or neurone's
        ``'absolute_error'`` (``mae``), ``'huber'`` / ``'huber(2.0)'``. The library sums the squared error over the
        outputs where scikit-learn averages it: the same for one output.
{PARAMETERS}
    Attributes
    ----------
{ATTRIBUTES}
    Examples
    --------
    >>> import numpy as np
    >>> from neurone import MLPRegressor
    >>> X = np.linspace(-3, 3, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(16, 16), activation="tanh", max_iter=500, random_state=0)
    >>> reg.fit(X, np.sin(X).ravel()).score(X, np.sin(X).ravel()) > 0.9
    True
    """
