#!/usr/bin/env bash
# Runs the guide's experiments (examples/experiments/*.toml) and draws their figures into
# docs/figures/experiment-*.png, so that the figures and the numbers quoted in
# docs/experiments.md never drift from the code. Prints a summary per experiment and keeps it in
# docs/figures/experiments-summary.txt.
#
#     NEURONE_DATA=../shared/data docs/make-figures.sh
#
# MNIST and insurance come from the data folder (NEURONE_DATA, else the per-user cache, where a
# missing file is downloaded). Runs go to target/experiments/ (RUNS=… to change). Every run is
# seeded: the numbers are the same on every machine, except the seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${RUNS:-target/experiments}"
figures=docs/figures
experiments=examples/experiments
summary="$figures/experiments-summary.txt"
start=$SECONDS

cargo build --quiet --release -p neurone-cli --bin neurone --example compare_runs
neurone=target/release/neurone
compare=target/release/examples/compare_runs
mkdir -p "$runs" "$figures"

# train RUN FILE [--set KEY=VALUE…]: one run, its progress in RUN.log.
train() {
    local name=$1 file=$2
    shift 2
    "$neurone" train "$experiments/$file" --out "$runs/$name" --overwrite --no-plots "$@" >"$runs/$name.log" 2>&1 || {
        cat "$runs/$name.log" >&2
        return 1
    }
}

# diverging RUN FILE [--set…]: a run expected to diverge; prints neurone's message about it.
diverging() {
    local name=$1 file=$2
    shift 2
    rm -rf "${runs:?}/$name"
    if "$neurone" train "$experiments/$file" --out "$runs/$name" --no-plots "$@" >"$runs/$name.log" 2>&1; then
        echo "$name was expected to diverge, and did not" >&2
        return 1
    fi
    grep -o 'diverged at epoch [0-9]*' "$runs/$name.log"
}

# figure NAME ARGS…: draws docs/figures/NAME.png from the runs and prints their summaries.
figure() {
    local name=$1
    shift
    "$compare" "$figures" "$name" "$@"
    rm -f "$figures/$name.svg" # the guide shows the PNG; the SVG is for a run's own folder
    echo
}

{
    echo "== 1. activation functions"
    sine=() mnist=()
    for activation in sigmoid tanh relu gelu identity; do
        train "act-sine-$activation" activations-sine.toml --set model.activation="$activation"
        sine+=(--run "$activation=$runs/act-sine-$activation")
    done
    # ReLU once more, on the raw x in [0, 2π] rather than standardised inputs.
    train act-sine-relu-raw-x activations-sine.toml --set model.activation=relu --set data.scale_inputs=none
    sine+=(--run "relu, x not scaled=$runs/act-sine-relu-raw-x")
    for activation in sigmoid tanh relu gelu identity; do
        train "act-mnist-$activation" activations-mnist.toml --set model.activation="$activation"
        mnist+=(--run "$activation=$runs/act-mnist-$activation")
    done
    figure experiment-1-activations --title "Hidden activations compared (plain SGD)" \
        --panel "sine, 1-16-16-1" --y val_loss --log --smooth 20 --ymin 3e-7 --legend lower-left "${sine[@]}" \
        --panel "MNIST, 784-128-10" --y val_loss --log "${mnist[@]}"
    echo "== 2. loss functions"
    for loss in cross_entropy mse; do
        train "loss-mnist-$loss" losses-mnist.toml --set train.loss="$loss"
    done
    for loss in mse mae "huber(0.5)"; do
        train "loss-insurance-$loss" losses-insurance.toml --set train.loss="$loss"
    done
    figure experiment-2-losses --title "Loss functions compared" \
        --panel "MNIST classification (softmax output, SGD)" --y val_accuracy --legend lower-right \
        --run "cross-entropy=$runs/loss-mnist-cross_entropy" --run "MSE=$runs/loss-mnist-mse" \
        --panel "insurance regression (Adam)" --y val_mae --log --ymax 0.6 \
        --ylabel "validation MAE (standardised charges)" \
        --run "MSE=$runs/loss-insurance-mse" --run "MAE=$runs/loss-insurance-mae" \
        --run "Huber(0.5)=$runs/loss-insurance-huber(0.5)"

    echo "== 3. overfitting"
    train overfit-none overfitting.toml
    train overfit-l2 overfitting.toml --set train.l2=1e-3
    train overfit-dropout overfitting.toml --set model.dropout=0.5
    train overfit-early-stopping overfitting.toml \
        --set 'train.early_stopping={ monitor = "val_loss", patience = 10 }'
    overfit=(--run "no regularisation=$runs/overfit-none" --run "L2 = 1e-3=$runs/overfit-l2"
        --run "dropout 0.5=$runs/overfit-dropout" --run "early stopping=$runs/overfit-early-stopping")
    figure experiment-3-overfitting --title "1000 MNIST images, 784-256-256-10 (Adam)" \
        --panel "training and validation loss" --y val_loss,train_loss --log --legend lower-left "${overfit[@]}" \
        --panel "validation loss alone" --y val_loss "${overfit[@]}"

    echo "== 4. online, minibatch and full batch"
    train batch-online batch-size.toml --set train.batch_size=1
    train batch-minibatch batch-size.toml --set train.batch_size=32
    train batch-full batch-size.toml --set train.batch_size=10000
    train batch-full-large-step batch-size.toml --set train.batch_size=10000 --set train.learning_rate=0.5
    batches=(--run "online (1)=$runs/batch-online" --run "minibatch (32)=$runs/batch-minibatch"
        --run "full batch (10000)=$runs/batch-full" --run "full batch, η = 0.5=$runs/batch-full-large-step")
    figure experiment-4-batch-size --title "10000 MNIST images, 784-64-10, SGD η = 0.05" \
        --panel "per epoch" --y val_loss --log --ymax 3.2 "${batches[@]}" \
        --panel "per second" --x elapsed_seconds --y val_loss --log --ymax 3.2 "${batches[@]}"

    echo "== 5. initialisation"
    train init-tanh-zeros initialisation.toml --set model.init=zeros
    train init-tanh-normal1 initialisation.toml --set 'model.init="normal(1)"'
    train init-tanh-xavier initialisation.toml --set model.init=xavier_uniform
    train init-relu-normal001 initialisation.toml --set model.activation=relu --set 'model.init="normal(0.01)"'
    relu_large=$(diverging init-relu-normal1 initialisation.toml --set model.activation=relu --set 'model.init="normal(1)"')
    train init-relu-he initialisation.toml --set model.activation=relu --set model.init=he_uniform
    figure experiment-5-initialisation --title "10000 MNIST images, 784-128-128-128-10, SGD" \
        --panel "tanh" --y val_loss --log \
        --run "zeros=$runs/init-tanh-zeros" --run "N(0, 1): too large=$runs/init-tanh-normal1" \
        --run "Xavier uniform=$runs/init-tanh-xavier" \
        --panel "ReLU" --y val_loss --log --ymax 3.2 \
        --run "N(0, 0.01²): too small=$runs/init-relu-normal001" --run "He uniform=$runs/init-relu-he" \
        --note "N(0, 1): $relu_large"

    echo "== 6. learning rate"
    rates=()
    for rate in 0.001 0.01 0.05 0.3; do
        train "rate-$rate" learning-rate.toml --set train.learning_rate="$rate"
        rates+=(--run "η = $rate=$runs/rate-$rate")
    done
    notes=()
    for rate in 0.4 5; do
        notes+=(--note "η = $rate: $(diverging "rate-$rate" learning-rate.toml --set train.learning_rate="$rate")")
    done
    figure experiment-6-learning-rate --title "The sine, 1-16-16-1 tanh, SGD with batches of 16" \
        --panel "validation loss" --y val_loss --log --smooth 20 --ymin 3e-7 --legend lower-left "${rates[@]}" "${notes[@]}"

    echo "== 7. optimizers"
    train opt-sgd optimizers.toml
    train opt-momentum optimizers.toml --set 'train.optimizer={ kind = "sgd", momentum = 0.9 }'
    train opt-adam optimizers.toml --set 'train.optimizer={ kind = "adam" }' --set train.learning_rate=0.001
    train opt-lbfgs optimizers.toml --set 'train.optimizer={ kind = "lbfgs" }'
    train opt-rprop optimizers.toml --set 'train.optimizer={ kind = "rprop" }'
    train opt-lm optimizers.toml --set 'train.optimizer={ kind = "levenberg_marquardt" }'
    optimizers=(--run "SGD, η = 0.05=$runs/opt-sgd" --run "momentum 0.9, η = 0.05=$runs/opt-momentum"
        --run "Adam, η = 0.001=$runs/opt-adam" --run "L-BFGS=$runs/opt-lbfgs" --run "iRprop−=$runs/opt-rprop"
        --run "Levenberg–Marquardt=$runs/opt-lm")
    figure experiment-7-optimizers --title "The sine, 1-16-16-1 tanh: six optimizers" \
        --panel "validation loss per epoch" --y val_loss --log --legend lower-left "${optimizers[@]}" \
        --panel "validation loss against seconds" --x elapsed_seconds --y val_loss --log "${optimizers[@]}"
} | tee "$summary"

echo "figures and $summary written in $((SECONDS - start)) s"
