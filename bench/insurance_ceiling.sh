#!/usr/bin/env bash
# How high test R² can go on insurance's splits of seeds 1 to 5: a linear model (no hidden layer,
# L-BFGS) on a copy of the CSV with the four columns the charges are known to follow (age², a
# BMI ≥ 30 flag, smoking × BMI, smoking × the flag), each seed's split being the one
# `neurone train examples/insurance.toml --seed S` tests on (same rows, same fractions).
#   bash bench/insurance_ceiling.sh        # prints each seed's R² and the mean
set -euo pipefail
cd "$(dirname "$0")/.."
data="${NEURONE_DATA:-$(cd .. && pwd)/shared/data}/insurance.csv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet

python3 - "$data" "$work/insurance-features.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as out:
    write = csv.writer(out)
    write.writerow(list(rows[0])[:-1] + ["age2", "obese", "smoker_bmi", "smoker_obese", "charges"])
    for row in rows:
        age, bmi, smoker = float(row["age"]), float(row["bmi"]), float(row["smoker"] == "yes")
        obese = float(bmi >= 30)
        write.writerow([row[k] for k in list(row)[:-1]] + [age * age, obese, smoker * bmi, smoker * obese, row["charges"]])
PY

cat > "$work/linear.toml" <<TOML
name = "insurance-linear"
seed = 42
[data]
dataset = "csv"
path = "$work/insurance-features.csv"
target = "charges"
validation = 0.1           # as examples/insurance.toml, so that the test rows are the same
test = 0.2
scale_inputs = "standard"
scale_target = "standard"
[model]
layers = []
[train]
loss = "mse"
optimizer = { kind = "lbfgs" }
epochs = 200
metrics = ["r2"]
TOML

total=0
for seed in 1 2 3 4 5; do
    target/release/neurone train "$work/linear.toml" --seed "$seed" --quiet --no-plots --out "$work/run$seed"
    r2=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['r2'])" "$work/run$seed/metrics.json")
    echo "seed $seed: test R² $r2"
    total=$(python3 -c "print($total + $r2)")
done
python3 -c "print(f'mean test R² over seeds 1–5: {$total / 5:.3f}')"
