"""scikit-learn's side of the search benchmark: GridSearchCV over MLPRegressor on insurance.

The grid of bench/search.py: 3 layer shapes × 2 activations × 3 L2 strengths = 18 candidates,
5 shuffled folds of the training file, 2 jobs; inputs one-hot encoded, then
standardised and the target standardised inside each fold (a Pipeline and a
TransformedTargetRegressor), Adam η = 0.01, batch 32, at most 500 epochs with early stopping
(patience 100), as examples/insurance.toml trains. Prints the best CV R², the test R² of the
refitted best and the seconds of the search as JSON.
"""

import argparse
import csv
import json
import os
import time
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--jobs", type=int, default=2)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--split", required=True, help="the folder of train.csv and test.csv")
args = parser.parse_args()
warnings.filterwarnings("ignore", category=ConvergenceWarning)



def read(name):
    with open(os.path.join(args.split, name)) as file:
        return list(csv.DictReader(file))


train_rows, test_rows = read("train.csv"), read("test.csv")
categories = {column: sorted({row[column] for row in train_rows}) for column in ["sex", "smoker", "region"]}


def encoded(rows):
    inputs = np.array([[float(row[name]) for name in ["age", "bmi", "children"]]
                       + [float(row[column] == value) for column, values in categories.items() for value in values]
                       for row in rows])
    return inputs, np.array([float(row["charges"]) for row in rows])


(train_x, train_y), (test_x, test_y) = encoded(train_rows), encoded(test_rows)
mlp = MLPRegressor(solver="adam", learning_rate_init=0.01, batch_size=32, max_iter=500, early_stopping=True,
                   validation_fraction=0.1, n_iter_no_change=100, random_state=args.seed)
model = TransformedTargetRegressor(regressor=make_pipeline(StandardScaler(), mlp), transformer=StandardScaler())
grid = {
    "regressor__mlpregressor__hidden_layer_sizes": [(16,), (16, 16), (32, 32)],
    "regressor__mlpregressor__activation": ["relu", "tanh"],
    "regressor__mlpregressor__alpha": [1e-4, 1e-3, 3e-3],
}
started = time.perf_counter()
search = GridSearchCV(model, grid, scoring="r2", cv=KFold(5, shuffle=True, random_state=args.seed), n_jobs=args.jobs)
search.fit(train_x, train_y)
seconds = time.perf_counter() - started
print(json.dumps({"best_cv_r2": search.best_score_, "test_r2": search.score(test_x, test_y), "seconds": seconds,
                  "best": {key.rsplit("__", 1)[1]: value for key, value in search.best_params_.items()}}))
