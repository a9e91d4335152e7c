"""The course's first network in Python: 1 → 16 → 16 → 1 tanh learning y = sin(x) on [0, 2π],
plain gradient descent (η = 0.05, batches of 16), as examples/sine.toml does with the CLI.

    pip install ./python        # once, from the repository's root (or the wheel, docs/python.md)
    python examples/python/sine.py
"""

import numpy as np

from neurone import MLPRegressor

rng = np.random.default_rng(42)
x = rng.uniform(0.0, 2.0 * np.pi, size=(500, 1))
y = np.sin(x).ravel()

model = MLPRegressor(
    hidden_layer_sizes=(16, 16), activation="tanh", solver="sgd", learning_rate_init=0.05,
    momentum=0.0, batch_size=16, max_iter=2000, tol=0.0, n_iter_no_change=2000, random_state=42,
)
model.fit(x, y)

grid = np.linspace(0.0, 2.0 * np.pi, 1000).reshape(-1, 1)
mse = np.mean((model.predict(grid) - np.sin(grid).ravel()) ** 2)
print(f"{model.n_iter_} epochs, final loss {model.loss_:.2e}, MSE on a grid of 1000 points {mse:.2e}")
model.save("sine.safetensors")
print("saved sine.safetensors: `neurone predict sine.safetensors rows.csv` reads a CSV with a column x0")
