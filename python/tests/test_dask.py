"""The scale path: searches on Dask's distributed scheduler through joblib's dask backend."""

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from neurone import MLPClassifier

distributed = pytest.importorskip("distributed")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_on_a_local_dask_cluster_equals_one_process(iris):
    X, y = iris
    grid = {"hidden_layer_sizes": [(4,), (16,)], "alpha": [1e-4, 1e-1]}

    def search():
        return GridSearchCV(MLPClassifier(max_iter=40, random_state=0), grid, cv=3)

    serial = search().set_params(n_jobs=1).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_backend("dask"):
            on_dask = search().set_params(n_jobs=-1).fit(X, y)
    np.testing.assert_array_equal(on_dask.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"])
    assert on_dask.best_params_ == serial.best_params_
    np.testing.assert_array_equal(on_dask.predict_proba(X), serial.predict_proba(X))
