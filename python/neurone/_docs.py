"""The parameter and attribute documentation both estimators share (numpydoc)."""

PARAMETERS = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The width of each hidden layer (the library's ``layers``).
    activation : {'identity', 'logistic', 'tanh', 'relu'} or str, default='relu'
        σ of the hidden layers; any of the library's activations (``'gelu'``,
        ``'leaky_relu(0.1)'``, ``'elu'``, ``'softplus'``) is accepted too.
    solver : {'lbfgs', 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'rprop', 'lm'}, default='adam'
        The optimizer: scikit-learn's three, and the library's ``adamw``, ``rmsprop``,
        ``adagrad``, ``rprop`` (iRprop−, full batch) and ``lm`` (Levenberg–Marquardt, full
        batch, for a regressor's squared error on small networks); their settings through
        ``optimizer_settings``. ``rprop`` and ``lm`` take one step per epoch on the whole data,
        as ``lbfgs``, and use neither ``learning_rate_init`` nor ``batch_size``.
    alpha : float, default=0.0001
        Strength of the L2 penalty, scaled as scikit-learn scales it: the library's ``l2`` is
        ``alpha / batch_size`` (``alpha / n_samples`` for ``lbfgs``); with ``sample_weight``,
        divided by the mean weight too, as scikit-learn divides by the batch's sum of weights.
    batch_size : int or 'auto', default='auto'
        Samples per step; ``'auto'`` is ``min(200, n_samples)``. Larger than the data, it is
        the whole data. Not used by ``lbfgs``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        For ``solver='sgd'`` only, as in scikit-learn: ``'adaptive'`` divides η by 5 when the
        training loss has not fallen by ``tol`` for more than ``n_iter_no_change`` epochs, and
        stops training at such a plateau once η <= 1e-6 (the library's plateau schedule);
        ``'invscaling'`` sets η₀ / (t + 1)^power_t after each epoch, t counting the
        samples seen (the library's ``inverse_scaling`` schedule).
    learning_rate_init : float, default=0.001
        η, the initial step size (not used by ``lbfgs``).
    power_t : float, default=0.5
        The exponent of ``learning_rate='invscaling'`` (not used otherwise).
    max_iter : int, default=200
        The most epochs (the library's ``epochs``); for ``lbfgs``, the most iterations.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the shuffling, dropout and the validation split. An integer is the
        library's seed itself: the same integer gives the same bits, whatever the thread count.
    tol : float, default=1e-4
        Training stops when the loss (or, with ``early_stopping``, the validation score) has
        not improved by ``tol`` for ``n_iter_no_change`` epochs. For ``lbfgs``, the gradient
        tolerance.
    verbose : bool, default=False
        Print scikit-learn's ``Iteration N, loss = …`` line after each epoch.
    warm_start : bool, default=False
        ``fit`` goes on from the previous fit, with the optimizer's state (moments, step count)
        as it was (scikit-learn restarts the optimizer).
    momentum : float, default=0.9
        Momentum of ``sgd``, in [0, 1].
    nesterovs_momentum : bool, default=True
        Nesterov's momentum for ``sgd``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for a classifier) and stop
        when its score stops improving; the best epoch's weights are kept.
    validation_fraction : float, default=0.1
        The share of the data held out for ``early_stopping``.
    beta_1 : float, default=0.9
        Adam's β₁, in [0, 1).
    beta_2 : float, default=0.999
        Adam's β₂, in [0, 1).
    epsilon : float, default=1e-8
        Adam's ε.
    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement by ``tol`` tolerated before stopping; ``np.inf`` never stops.
    max_fun : int, default=15000
        For ``lbfgs``: it stops after the iteration whose loss evaluations go past ``max_fun``
        (SciPy's ``maxfun``), with a ``ConvergenceWarning``; ``n_iter_ <= max_fun``.
    dropout : float, default=None
        neurone: dropout probability after each hidden layer, in [0, 1); None is the
        library's default (none).
    batch_norm : bool, default=None
        neurone: batch normalisation after each hidden layer; None is the library's default
        (none).
    l1 : float, default=None
        neurone: L1 penalty coefficient on the weights (per mean loss, not scaled).
    clip_norm : float, default=None
        neurone: rescale the gradients so that their global L2 norm is at most this.
    schedule : dict, default=None
        neurone: a learning-rate schedule in the library's terms, e.g. ``{"kind": "cosine",
        "warmup_epochs": 5}``, ``{"kind": "step", "step_size": 30, "gamma": 0.5}``,
        ``{"kind": "plateau", "factor": 0.5}``; it replaces ``learning_rate``.
    optimizer_settings : dict, default=None
        neurone: the optimizer's other settings in the library's terms, e.g.
        ``{"weight_decay": 0.01}`` for ``adamw``, ``{"alpha": 0.9}`` for ``rmsprop``.
    restore_best_weights : bool, default=None
        neurone: with ``early_stopping``, end with the best epoch's weights; None is the
        library's default (true, as scikit-learn does).
    n_threads : int, default=None
        neurone: threads for large matrix products (the same bits whatever the number); None
        leaves the setting as it is (one thread unless set).
    dtype : {'float32', 'float64'}, default=None
        neurone: the precision of the network; None follows X as scikit-learn does
        (float32 X: float32, any other: float64).
"""

CLASS_WEIGHT = """    class_weight : dict, 'balanced' or None, default=None
        neurone: a weight per class, multiplying each sample's weight in the loss:
        ``{label: weight}``, or ``'balanced'`` for ``n_samples / (n_classes × count)``, as
        scikit-learn's ``compute_sample_weight`` makes them (its other estimators' meaning).
"""

ATTRIBUTES = """
    loss_ : float
        The last epoch's training loss, L2 penalty included (as scikit-learn's).
    best_loss_ : float or None
        The lowest training loss; None with ``early_stopping``.
    loss_curve_ : list of float
        The training loss of every epoch.
    validation_scores_ : list of float or None
        The validation score of every epoch, with ``early_stopping``.
    best_validation_score_ : float or None
        The best validation score, with ``early_stopping``.
    validation_loss_curve_ : list of float or None
        neurone: the validation loss of every epoch, with ``early_stopping``.
    t_ : int
        The number of training samples seen.
    coefs_ : list of ndarray of shape (n_fan_in, n_fan_out)
        The weights of each layer (the model file's ``layers.i.weight``, transposed).
    intercepts_ : list of ndarray of shape (n_fan_out,)
        The biases of each layer.
    n_features_in_ : int
        The number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The feature names seen in ``fit``, when X had string column names.
    n_iter_ : int
        The number of epochs run (in all, with ``warm_start``).
    n_layers_ : int
        The number of layers, input and output included.
    n_outputs_ : int
        The number of outputs.
    out_activation_ : str
        The output activation: ``'softmax'``, ``'logistic'`` or ``'identity'``.
"""
