"""The examples in examples/python/ run and do what they say."""

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples/python"


@pytest.mark.parametrize("name, says", [("sine.py", "MSE on a grid"), ("iris.py", "test accuracy")])
def test_the_example_runs(tmp_path, name, says):
    done = subprocess.run([sys.executable, "-W", "ignore", str(EXAMPLES / name)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert says in done.stdout and (tmp_path / name.replace(".py", ".safetensors")).exists()
    if name == "sine.py":
        mse = float(done.stdout.split("points ")[1].split()[0])
        assert mse < 1e-2, done.stdout
    else:
        accuracy = float(done.stdout.split("test accuracy ")[1].split()[0])
        assert accuracy > 0.9, done.stdout
