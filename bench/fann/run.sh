#!/usr/bin/env bash
# Online SGD, one sample a step, beside FANN (a C library from 2003, whose default online
# trainer this is): the course's sine, 1 → 16 → 16 → 1 tanh, η = 0.05, 2000 epochs of 500
# samples at batch size 1 (a million steps), single-threaded, in the same run, alternating the
# two sides seed after seed. FANN comes from Debian's libfann-dev (installed here if missing)
# and bench/fann/sine_online.c is built with gcc -O3 -march=native.
#
#     bench/fann/run.sh [SEEDS]        (default 5: seeds 1 to 5)
#
# Prints each run's training time (the loop alone, timed inside each program) and grid MSE,
# then the medians and their ratio. The host is shared: run it on a quiet machine, or read
# the spread of the seeds.
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${1:-5}

if ! dpkg -s libfann-dev >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq libfann-dev
fi
out=target/fann
mkdir -p "$out"
gcc -O3 -march=native -o "$out/sine_online" bench/fann/sine_online.c -lfloatfann -lm
cargo build --quiet --release -p neurone-cli --bin neurone

neurone_times=() fann_times=()
for seed in $(seq 1 "$seeds"); do
    line=$(target/release/neurone --threads 1 train examples/sine.toml --set train.batch_size=1 \
        --set data.validation_samples=0 --seed "$seed" --out "$out/neurone-$seed" --overwrite --no-plots 2>/dev/null |
        grep '^grid of')
    seconds=$(sed -E 's/.*epochs, ([0-9.]+)s\).*/\1/' <<<"$line")
    mse=$(sed -E 's/.*: mse ([^ ]+) .*/\1/' <<<"$line")
    echo "seed $seed  neurone  ${seconds} s  grid MSE $mse"
    neurone_times+=("$seconds")
    read -r _ seconds _ mse < <("$out/sine_online" "$seed")
    echo "seed $seed  FANN     ${seconds} s  grid MSE $mse"
    fann_times+=("$seconds")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
neurone_median=$(median "${neurone_times[@]}")
fann_median=$(median "${fann_times[@]}")
echo "medians over $seeds seeds: neurone ${neurone_median} s, FANN ${fann_median} s;" \
    "FANN ÷ neurone = $(awk -v f="$fann_median" -v n="$neurone_median" 'BEGIN { printf "%.2f", f / n }')"
