#!/usr/bin/env bash
# The playground's speed in headless Chromium: gradient steps per second of a 2-8-8-1 network
# (the circle, batches of 10) while the page redraws the boundary and the neurons' heat maps,
# and the frames per second it draws, as the browser test measures them (medians over three
# seconds of playing). Runs that test REPEATS times (default 3) and prints each run's figures.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
cargo test --release -p neurone-cli --test ui_browser --no-run --quiet
for run in $(seq "$repeats"); do
    cargo test --release -p neurone-cli --test ui_browser --quiet the_playground_and_the_runs_page_in_chromium >/dev/null 2>&1
    echo "run $run: $(tr '\n' ' ' < target/ui-speed.txt)"
done
