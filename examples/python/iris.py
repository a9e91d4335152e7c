"""Fisher's iris in Python: a pipeline that scales the four measurements and trains neurone's
MLPClassifier, scored by 5-fold cross-validation in two worker processes, then saved as a
model file for the command line.

    pip install ./python pandas # once, from the repository's root (or the wheel, docs/python.md)
    python examples/python/iris.py
"""

from sklearn.datasets import load_iris
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from neurone import MLPClassifier

iris = load_iris(as_frame=True)
X = iris.data.set_axis(["sepal_length", "sepal_width", "petal_length", "petal_width"], axis=1)
y = iris.target_names[iris.target]

# As examples/iris.toml: full-batch L-BFGS, stopped after 30 iterations (stopping early
# regularises: 200 iterations fit 120 flowers too closely).
classifier = MLPClassifier(hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs", alpha=1e-3, max_iter=30, random_state=42)
scores = cross_val_score(make_pipeline(StandardScaler(), classifier), X, y, cv=5, n_jobs=2)
print(f"5-fold accuracy {scores.mean():.3f} ± {scores.std():.3f}")

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
classifier.fit(X_train, y_train)
print(f"test accuracy {classifier.score(X_test, y_test):.3f} after {classifier.n_iter_} L-BFGS iterations")
print(classifier.predict_proba(X_test.head(3)).round(3))
classifier.save("iris.safetensors")
print("saved iris.safetensors: `neurone predict iris.safetensors rows.csv` reads the same four named columns")
