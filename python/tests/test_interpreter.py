"""In an interpreter or a notebook: the GIL is free while fitting, Ctrl-C stops fit cleanly."""

import _thread
import threading
import time

import numpy as np
import pytest

from neurone import MLPRegressor

rng = np.random.RandomState(0)
X = rng.normal(size=(2000, 20))
y = X @ rng.normal(size=20)


def test_other_python_threads_run_while_fit_runs():
    reg = MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=200, random_state=0, tol=0.0, n_iter_no_change=10**9)
    fitting = threading.Thread(target=reg.fit, args=(X, y))
    ticks = 0
    fitting.start()
    started = time.perf_counter()
    while fitting.is_alive():
        ticks += 1
        time.sleep(0.001)
    fitting.join()
    elapsed = time.perf_counter() - started
    assert elapsed > 0.1, "fit too short to tell"
    # With the GIL held, this thread would wait for the whole fit: one or two ticks at most.
    assert ticks > 10, (ticks, elapsed)
    assert reg.n_iter_ == 200


def test_keyboard_interrupt_stops_fit_after_the_current_batch_and_leaves_a_usable_estimator():
    reg = MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=100_000, random_state=0, tol=0.0, n_iter_no_change=10**9)
    threading.Timer(0.5, _thread.interrupt_main).start()
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        reg.fit(X, y)
    assert 0 < reg.n_iter_ < 100_000 and len(reg.loss_curve_) == reg.n_iter_
    assert np.isfinite(reg.predict(X)).all()
    # It goes on from there with warm_start.
    reg.set_params(warm_start=True, max_iter=2)
    before = len(reg.loss_curve_)
    reg.fit(X, y)
    assert reg.n_iter_ == 2 and len(reg.loss_curve_) == before + 2
