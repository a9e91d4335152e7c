# Sourced by the benchmark scripts: prepares bench/.venv with the pinned packages of
# bench/requirements.txt, installed once and reused (reinstalled when that file changes).
venv=bench/.venv
stamp="$venv/requirements.installed"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s bench/requirements.txt "$stamp"; then
    echo "Installing the Python side into $venv (PyTorch is large: the first time takes minutes)…"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r bench/requirements.txt
    cp bench/requirements.txt "$stamp"
fi
