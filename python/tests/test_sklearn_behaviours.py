"""Behaviours a scikit-learn user relies on, each as scikit-learn 1.9's MLP has it
(sklearn/neural_network/_multilayer_perceptron.py, sklearn/utils/optimize.py): the test's
docstring names what it mirrors, and most tests run scikit-learn's estimator beside ours."""

import warnings

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network._stochastic_optimizers import SGDOptimizer

from neurone import MLPClassifier, MLPRegressor


def convergence_warnings(estimator, X, y):
    """The fitted estimator and the messages of the ConvergenceWarnings its fit raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    return estimator, [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_lbfgs_warns_when_it_stops_at_max_iter(iris, module):
    """_fit_lbfgs → _check_optimize_result: L-BFGS stopped by `maxiter` (SciPy's status 1)
    warns `lbfgs failed to converge after N iteration(s)`, with SciPy's reason and the advice
    to raise max_iter; n_iter_ is max_iter."""
    X, y = iris
    clf, messages = convergence_warnings(module.MLPClassifier(solver="lbfgs", max_iter=5, random_state=0), X, y)
    assert clf.n_iter_ == 5
    assert len(messages) == 1, messages
    assert messages[0].startswith("lbfgs failed to converge after 5 iteration(s) (status=1):\nSTOP: TOTAL NO. OF ITERATIONS REACHED LIMIT")
    assert "Increase the number of iterations to improve the convergence (max_iter=5)." in messages[0]


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_lbfgs_stops_past_max_fun_evaluations_and_warns(iris, module):
    """SciPy's L-BFGS-B stops after the iteration whose evaluations exceed `maxfun`
    (scikit-learn's max_fun), status 1, `TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT`, without
    the max_iter advice; so n_iter_ ≤ max_fun."""
    X, y = iris
    for max_fun in (1, 5, 12):
        clf, messages = convergence_warnings(module.MLPClassifier(solver="lbfgs", max_fun=max_fun, random_state=0), X, y)
        assert 1 <= clf.n_iter_ <= max_fun
        assert len(messages) == 1, messages
        assert messages[0].startswith(f"lbfgs failed to converge after {clf.n_iter_} iteration(s) (status=1):\nSTOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT")
        assert "max_iter=" not in messages[0]


@pytest.mark.parametrize("solver", ["sgd", "rprop", "lm"])
def test_the_warning_at_max_iter_names_the_solver_family(sine, solver):
    """_fit_stochastic warns `Stochastic Optimizer: Maximum iterations (N) reached and the
    optimization hasn't converged yet.` at max_iter; neurone's full-batch rprop and lm, which
    scikit-learn has not, say the same under their own names, not "Stochastic Optimizer"."""
    X, y = sine
    _, messages = convergence_warnings(MLPRegressor(hidden_layer_sizes=(4,), solver=solver, max_iter=3, random_state=0), X, y)
    family = {"sgd": "Stochastic Optimizer", "rprop": "iRprop- (full batch)", "lm": "Levenberg-Marquardt (full batch)"}[solver]
    assert messages == [f"{family}: Maximum iterations (3) reached and the optimization hasn't converged yet."]


def test_lbfgs_that_converges_does_not_warn(iris):
    """_check_optimize_result warns only when SciPy's status is not 0 (converged)."""
    X, y = iris
    clf, messages = convergence_warnings(MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", tol=1e-2, random_state=0), X, y)
    assert clf.n_iter_ < clf.max_iter and messages == []


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_n_iter_no_change_may_be_infinite(iris, estimator, early_stopping):
    """_parameter_constraints allows n_iter_no_change = np.inf: the count of epochs without
    improvement never exceeds it, so training runs to max_iter (and warns so)."""
    X, y = iris
    model = estimator(hidden_layer_sizes=(5,), n_iter_no_change=np.inf, tol=10.0, max_iter=15, early_stopping=early_stopping, random_state=0)
    model, messages = convergence_warnings(model, X, y)
    assert model.n_iter_ == 15 and len(messages) == 1


def test_a_loss_that_diverges_raises_scikit_learns_message(iris):
    """_fit: weights that are not finite after training raise `ValueError("Solver produced
    non-finite parameter weights. The input data may contain large values and need to be
    preprocessed.")`; the library stops at the epoch that diverged and says which after it."""
    X, y = iris
    regressor = MLPRegressor(solver="sgd", learning_rate_init=1e6, max_iter=50, random_state=0)
    with pytest.raises(ValueError, match=r"^Solver produced non-finite parameter weights\. The input data may contain large values and need to be preprocessed\. \(training diverged at epoch \d+"):
        regressor.fit(X * 1e3, y)


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_a_loss_that_diverges_with_early_stopping_keeps_the_best_validation_weights(iris, module):
    """_fit_stochastic with early_stopping: the best validation score's weights are kept
    (_best_coefs) and put back at the end, before _fit's finite check, so a training whose loss
    diverges after its best epoch returns a fitted estimator with those weights. scikit-learn
    then goes on to max_iter with non-finite weights (a NaN score never counts as no
    improvement) and warns that it reached it; neurone stops at the epoch that diverges,
    without a warning (docs/python.md)."""
    X, y = iris
    params = dict(hidden_layer_sizes=(8,), activation="identity", solver="sgd", learning_rate_init=0.05, momentum=0.0,
                  early_stopping=True, max_iter=300, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        regressor = module.MLPRegressor(**params).fit(X, y)
    assert all(np.isfinite(array).all() for array in regressor.coefs_ + regressor.intercepts_)
    assert np.isfinite(regressor.predict(X)).all()
    best = int(np.nanargmax(regressor.validation_scores_))
    assert regressor.best_validation_score_ == regressor.validation_scores_[best]
    assert regressor.n_iter_ > best + 1, "diverged after its best epoch"
    if module is sk:
        return
    assert regressor.n_iter_ < params["max_iter"] and np.isfinite(regressor.loss_curve_).all()
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    # The weights are the best epoch's: those of a training that ends there.
    at_best = module.MLPRegressor(**dict(params, max_iter=best + 1)).fit(X, y)
    assert [a.tobytes() for a in regressor.coefs_] == [a.tobytes() for a in at_best.coefs_]


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_early_stopping_on_a_class_too_small_to_stratify_raises_train_test_splits_message(iris, module):
    """_fit_stochastic splits with train_test_split(stratify=y): a class of one sample raises
    its `The least populated class in y has only 1 member` ValueError."""
    X, y = iris
    with pytest.raises(ValueError, match="The least populated class.* in y ha(s|ve) only 1 member, which is too few"):
        module.MLPClassifier(early_stopping=True, max_iter=5, random_state=0).fit(X[:51], y[:51])


@pytest.mark.parametrize("module", [sk, __import__("neurone")])
def test_early_stopping_refuses_a_validation_set_of_one_sample(sine, module):
    """_fit_stochastic (1.7, #24788): fewer than 2 validation samples raise `The validation
    set is too small. Increase 'validation_fraction' or the size of your dataset.`"""
    X, y = sine
    with pytest.raises(ValueError, match=r"^The validation set is too small\. Increase 'validation_fraction' or the size of your dataset\.$"):
        module.MLPRegressor(early_stopping=True, validation_fraction=0.1, max_iter=5, random_state=0).fit(X[:10], y[:10])


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_y_of_one_class_fits_and_predicts_that_class(iris, early_stopping):
    """MLPClassifier fits a y of one class (LabelBinarizer encodes it as one column of zeros)
    and predicts that class; with early_stopping and a DataFrame it keeps the feature names."""
    pandas = pytest.importorskip("pandas")
    X, _ = iris
    frame = pandas.DataFrame(X, columns=["a", "b", "c", "d"])
    y = np.full(len(X), "setosa")
    for module in (sk, __import__("neurone")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = module.MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, early_stopping=early_stopping, random_state=0).fit(frame, y)
        assert clf.classes_.tolist() == ["setosa"]
        assert clf.predict(frame.iloc[:3]).tolist() == ["setosa"] * 3
        assert clf.feature_names_in_.tolist() == ["a", "b", "c", "d"]


def test_a_bad_setting_names_the_parameter_from_the_errors_key_not_its_text(iris):
    """A parameter scikit-learn's validation would refuse names that parameter: the library's
    error carries its spec key (`early_stopping.patience`) as an attribute, which the estimator
    maps to its own name (`n_iter_no_change`) without reading the message."""
    X, y = iris
    with pytest.raises(ValueError, match=r"^invalid n_iter_no_change: invalid type: floating point `2\.5`, expected usize$"):
        MLPClassifier(n_iter_no_change=2.5, max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match=r"^invalid hidden_layer_sizes\[1\]: must be at least 1, got 0$"):
        MLPClassifier(hidden_layer_sizes=(3, 0), max_iter=5).fit(X, y)


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_the_network_keeps_the_inputs_floating_dtype(iris, estimator):
    """_validate_input converts X to (np.float64, np.float32): float32 stays float32, anything
    else becomes float64, and coefs_, intercepts_ and the predictions take that dtype;
    neurone's dtype= still forces one."""
    X, y = iris
    for X_in, expected in [(X.astype(np.float32), np.float32), (X, np.float64), (X.astype(np.int64), np.float64), (X.astype(np.float16), np.float64)]:
        model = estimator(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_in, y)
        assert {c.dtype for c in model.coefs_ + model.intercepts_} == {np.dtype(expected)}, X_in.dtype
        outputs = model.predict_proba(X_in) if estimator is MLPClassifier else model.predict(X_in)
        assert outputs.dtype == expected
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        forced = estimator(hidden_layer_sizes=(4,), max_iter=3, dtype="float32", random_state=0).fit(X, y)
    assert forced.coefs_[0].dtype == np.float32


def test_poisson_loss_fits_counts_with_an_exp_output():
    """MLPRegressor(loss="poisson") (1.7): out_activation_ is 'exp' (the log link), the loss is
    half the Poisson deviance, mean over samples of xlogy(y, y/a) − y + a, and the predictions
    are positive; on counts drawn from a known rate it learns the rate about as well as
    scikit-learn's."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 2))
    rate = np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1])
    y = rng.poisson(rate).astype(float)
    params = dict(loss="poisson", hidden_layer_sizes=(8,), solver="lbfgs", max_iter=300, random_state=0, alpha=0.0)
    ours, theirs = MLPRegressor(**params).fit(X, y), sk.MLPRegressor(**params).fit(X, y)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    predicted = ours.predict(X)
    assert (predicted > 0).all()
    deviance = np.mean(np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / predicted), 0.0) - y + predicted)
    assert np.isclose(ours.loss_, deviance, rtol=1e-6)
    ours_error, theirs_error = (np.mean((model.predict(X) - rate) ** 2) for model in (ours, theirs))
    assert ours_error < 1.5 * theirs_error + 1e-3, (ours_error, theirs_error)


@pytest.mark.parametrize("n_iter_no_change", [1, 3])
def test_the_adaptive_rate_divides_by_5_and_stops_once_it_is_below_1e_6(iris, n_iter_no_change):
    """SGDOptimizer.trigger_stopping with learning_rate='adaptive': when the training loss has
    not fallen by tol for more than n_iter_no_change epochs, η /= 5, or training stops if η is
    already ≤ 1e-6 (no ConvergenceWarning). With tol=10 no epoch improves: from η = 1e-3, five
    plateaus reduce it to 3.2e-7 and the sixth stops, after 1 + 6 (n_iter_no_change + 1) epochs,
    as scikit-learn's."""
    X, y = iris
    params = dict(solver="sgd", learning_rate="adaptive", n_iter_no_change=n_iter_no_change, tol=10.0, max_iter=500, random_state=0)
    fitted = [convergence_warnings(module.MLPClassifier(hidden_layer_sizes=(5,), **params), X, y) for module in (sk, __import__("neurone"))]
    (theirs, their_warnings), (ours, our_warnings) = fitted
    assert ours.n_iter_ == theirs.n_iter_ == 1 + 6 * (n_iter_no_change + 1)
    assert our_warnings == their_warnings == []


@pytest.mark.parametrize("n_iter_no_change", [1, 3])
def test_a_warm_fit_after_the_adaptive_rate_stopped_starts_again_from_learning_rate_init(iris, n_iter_no_change):
    """_fit_stochastic: `if not incremental or not hasattr(self, "_optimizer")` makes a new
    SGDOptimizer on each fit, so a warm fit after learning_rate='adaptive' stopped trains again
    from η = learning_rate_init, while _no_improvement_count (set to 0 only by _initialize, on a
    first pass) stays above n_iter_no_change. With tol=10 no epoch improves: the first warm
    epoch trains at 1e-3 and divides η by 5, four more plateaus bring it to 3.2e-7 and the next
    stops, after 1 + 5 (n_iter_no_change + 1) epochs, η = 3.2e-7, as scikit-learn's."""
    X, y = iris
    params = dict(solver="sgd", learning_rate="adaptive", n_iter_no_change=n_iter_no_change, tol=10.0, max_iter=500, random_state=0)
    fitted = []
    for module in (sk, __import__("neurone")):
        model = module.MLPClassifier(hidden_layer_sizes=(5,), warm_start=True, **params)
        first = convergence_warnings(model, X, y)[0].n_iter_
        fitted.append((first, *convergence_warnings(model, X, y)))
    (their_first, theirs, their_warnings), (our_first, ours, our_warnings) = fitted
    assert our_first == their_first == 1 + 6 * (n_iter_no_change + 1)
    assert ours.n_iter_ == theirs.n_iter_ == 1 + 5 * (n_iter_no_change + 1)
    assert len(ours.loss_curve_) == len(theirs.loss_curve_) == our_first + ours.n_iter_
    assert our_warnings == their_warnings == []
    warm_rates = ours._learning_rates[our_first:]
    assert warm_rates[0] == 1e-3
    assert warm_rates[1] == pytest.approx(2e-4)
    assert warm_rates[-1] == pytest.approx(theirs._optimizer.learning_rate) == 3.2e-7


def sklearn_rates(monkeypatch):
    """The η of each epoch scikit-learn's SGD solver trains, as its loop sets them: recorded
    when `iteration_ends` (which sets the next epoch's η for 'invscaling') is called."""
    rates = []
    ends = SGDOptimizer.iteration_ends

    def recording(optimizer, time_step):
        rates.append(optimizer.learning_rate)
        ends(optimizer, time_step)

    monkeypatch.setattr(SGDOptimizer, "iteration_ends", recording)
    return rates


def test_partial_fit_after_the_adaptive_rate_stopped_trains_one_epoch_at_its_rate(iris, monkeypatch):
    """_fit_stochastic keeps the optimizer on partial_fit (`incremental`), and its loop decides to
    stop after the epoch (`trigger_stopping` returns True at η ≤ 1e-6 and leaves η as it is): a
    partial_fit after learning_rate='adaptive' stopped still trains its one epoch, at the η
    training stopped at, and the next call too; n_iter_ is 1 and loss_curve_ grows by one each."""
    X, y = iris
    params = dict(solver="sgd", learning_rate="adaptive", n_iter_no_change=2, tol=10.0, max_iter=500, random_state=0)
    rates = sklearn_rates(monkeypatch)
    runs = []
    for module in (sk, __import__("neurone")):
        model = convergence_warnings(module.MLPClassifier(hidden_layer_sizes=(5,), **params), X, y)[0]
        epochs, weights = len(model.loss_curve_), model.coefs_[0].copy()
        for _ in range(2):
            model.partial_fit(X, y)
            assert model.n_iter_ == 1
        assert not np.array_equal(model.coefs_[0], weights), "an epoch was trained"
        runs.append((epochs, len(model.loss_curve_) - epochs))
    assert runs[0] == runs[1] == (1 + 6 * 3, 2)
    ours = model._learning_rates[-3:]
    assert ours == pytest.approx(rates[-3:], rel=1e-12) and ours[-1] == pytest.approx(3.2e-7)


def test_a_warm_fit_with_invscaling_starts_again_at_learning_rate_init(sine, monkeypatch):
    """Each fit makes a new SGDOptimizer at η = learning_rate_init, and `iteration_ends(t_)`
    sets η₀/(t_ + 1)^power_t after each epoch, t_ the samples seen by every fit (t_ is set to 0
    only on a first pass): a warm fit's first epoch trains at η₀, the next ones go on from t_;
    a partial_fit keeps the optimizer and its η."""
    X, y = sine
    params = dict(solver="sgd", learning_rate="invscaling", power_t=0.5, learning_rate_init=0.05, max_iter=3,
                  tol=0.0, n_iter_no_change=100, warm_start=True, random_state=0)
    rates = sklearn_rates(monkeypatch)
    for module in (sk, __import__("neurone")):
        model = module.MLPRegressor(hidden_layer_sizes=(8,), **params)
        model.fit(X, y)
        model.fit(X, y)
        model.partial_fit(X, y)
    assert len(rates) == 7
    assert model._learning_rates == pytest.approx(rates, rel=1e-12)
    n = len(X)
    assert model._learning_rates[3:] == pytest.approx([0.05, 0.05 / (4 * n + 1) ** 0.5, 0.05 / (5 * n + 1) ** 0.5, 0.05 / (6 * n + 1) ** 0.5])


def test_partial_fit_on_batches_of_different_sizes_counts_each_calls_samples_for_invscaling(sine, monkeypatch):
    """_fit_stochastic adds each call's own n_samples to t_ (`self.t_ += n_samples`) and
    `iteration_ends(t_)` sets η₀/(t_ + 1)^power_t: partial_fit on 30, 70 then 10 rows trains at
    η₀, η₀/√31, η₀/√101, with t_ 110 at the end."""
    X, y = sine
    params = dict(solver="sgd", learning_rate="invscaling", power_t=0.5, learning_rate_init=0.05, random_state=0)
    rates = sklearn_rates(monkeypatch)
    counts = []
    for module in (sk, __import__("neurone")):
        model = module.MLPRegressor(hidden_layer_sizes=(8,), **params)
        for rows in (slice(0, 30), slice(30, 100), slice(100, 110)):
            model.partial_fit(X[rows], y[rows])
        counts.append(model.t_)
    assert len(rates) == 3
    assert model._learning_rates == pytest.approx(rates, rel=1e-12)
    assert model._learning_rates == pytest.approx([0.05, 0.05 / 31**0.5, 0.05 / 101**0.5], rel=1e-12)
    assert counts == [110, 110]


def test_partial_fit_refuses_labels_outside_the_classes_given(iris):
    """_validate_input (incremental): labels of y outside `classes=` (or classes_) raise
    "`y` has classes not in `self.classes_`. …" on the first call and the next ones."""
    X, y = iris
    for module in (sk, __import__("neurone")):
        with pytest.raises(ValueError, match=r"^`y` has classes not in `self.classes_`\. `self.classes_` has \[0 1\]\. 'y' has \[0 1 2\]\.$"):
            module.MLPClassifier().partial_fit(X, y, classes=[0, 1])
        clf = module.MLPClassifier().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
        with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
            clf.partial_fit(X, y)


@pytest.mark.parametrize("estimator", ["MLPClassifier", "MLPRegressor"])
def test_partial_fit_refuses_early_stopping(iris, estimator):
    """_fit_stochastic: `ValueError("partial_fit does not support early_stopping=True")`,
    first call or after a fit."""
    X, y = iris
    for module in (sk, __import__("neurone")):
        model = getattr(module, estimator)(early_stopping=True, max_iter=5)
        extra = {"classes": np.unique(y)} if estimator == "MLPClassifier" else {}
        with pytest.raises(ValueError, match=r"^partial_fit does not support early_stopping=True$"):
            model.partial_fit(X, y, **extra)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        with pytest.raises(ValueError, match=r"^partial_fit does not support early_stopping=True$"):
            model.partial_fit(X, y)


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_lbfgs_estimators_have_no_partial_fit(estimator):
    """partial_fit is wrapped by available_if(_check_solver): with solver='lbfgs' the attribute
    does not exist (hasattr is False; the AttributeError is available_if's, caused by one that
    names the solver)."""
    assert not hasattr(estimator(solver="lbfgs"), "partial_fit")
    with pytest.raises(AttributeError, match=f"^This '{estimator.__name__}' has no attribute 'partial_fit'$") as raised:
        estimator(solver="lbfgs").partial_fit
    assert str(raised.value.__cause__) == "partial_fit is only available for stochastic optimizers. lbfgs is not stochastic."
    assert not hasattr(sk.MLPClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(estimator(solver="sgd"), "partial_fit")


def test_warm_start_refuses_other_classes(iris):
    """MLPClassifier._validate_input with warm_start: a later fit on other classes raises
    "warm_start can only be used where `y` has the same classes as in the previous call to fit."."""
    X, y = iris
    for module in (sk, __import__("neurone")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = module.MLPClassifier(warm_start=True, max_iter=5, random_state=0).fit(X, y)
        with pytest.raises(ValueError, match=r"^warm_start can only be used where `y` has the same classes as in the previous call to fit\. Previously got \[0 1 2\], `y` has \[0 1\]$"):
            clf.fit(X[y < 2], y[y < 2])


def test_warm_start_counts_each_calls_epochs(iris):
    """_fit_stochastic sets n_iter_ = 0 at each call: with warm_start, max_iter=5 then
    max_iter=7 gives n_iter_ == 7, while loss_curve_ (12 epochs) and t_ go on."""
    X, y = iris
    for module in (sk, __import__("neurone")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = module.MLPClassifier(warm_start=True, max_iter=5, tol=0.0, random_state=0).fit(X, y)
            clf.set_params(max_iter=7).fit(X, y)
        assert clf.n_iter_ == 7 and len(clf.loss_curve_) == 12 and clf.t_ == 12 * len(X), module.__name__


def test_multilabel_targets_as_an_integer_indicator_array():
    """LabelBinarizer takes a 0/1 integer indicator matrix as multilabel targets (one logistic
    output per label); predict returns the indicator matrix, as scikit-learn's."""
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    for dtype in (np.int64, np.int32, np.uint8, bool):
        Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0]).astype(dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, Y)
        assert clf.out_activation_ == "logistic" and clf.classes_.tolist() == [0, 1, 2]
        predicted = clf.predict(X)
        assert predicted.shape == Y.shape and set(np.unique(predicted)) <= {0, 1}
