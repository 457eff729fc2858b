#!/usr/bin/env bash
# One device call, time-boxed: the GPU work of the playbook (tools/README.md) in priority order, sized for a
# 15-minute device budget (one call of about 9 minutes after the machine's start).
#
#   here:   bash tools/gpu_stage.sh mnist cifar10           # .gpu/: weights + data, checks the 64 MiB limit
#   device: bash tools/gpu_run.sh 520      (run tool, carry [".gpu"], timeout_s 570)
#   here:   tar xzf <files_at>/results.tgz -C nbs/   (results/... : every finished cell, with its manifest)
#
# Every step runs under `timeout` (its own cap, or the time left), so the tar at the end always happens; a step that fails or
# runs out of time does not stop the next (finished cells are atomic result files; a killed cell is lost, the
# runner resumes the rest). Logs and a 1 s GPU-utilisation trace go to $OUT as well.
# `--smoke` (CPU dry run of this script: smoke preset, tiny benchmark, results in a temp folder) checks the plumbing.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SMOKE=0; if [ "${1:-}" = "--smoke" ]; then SMOKE=1; shift; fi
BUDGET=${1:-520}                       # seconds for the whole script
RESERVE=25                             # kept back for the tar at the end
T0=$SECONDS
OUT=${OUT:-$(mktemp -d)}; mkdir -p "$OUT"
LOG="$OUT/run.log"
exec > >(tee -a "$LOG") 2>&1

RUN_PY='import sys; from activegan.cli import main; sys.exit(main(sys.argv[1:]))'     # activegan-run
BENCH_PY='import sys; from activegan.benchmark import main; sys.exit(main(sys.argv[1:]))'    # activegan-bench
if [ $SMOKE = 1 ]; then
    export ACTIVEGAN_DATA="${ACTIVEGAN_DATA:-$PWD/../shared/data}" ACTIVEGAN_NO_PROGRESS=1 PYTHONPATH="$PWD"
    export ACTIVEGAN_CACHE="${ACTIVEGAN_CACHE:-$(mktemp -d)}"
    RES="$(mktemp -d)/results"; mkdir -p "$RES"; cp -r nbs/results/. "$RES/"
    RUN_EXTRA=(--preset smoke --results-dir "$RES"); BENCH_EXTRA=(--tiny --out "$RES/perf")
else
    [ -s .gpu/vgg16_fp16.pt ] && [ -s .gpu/commit.env ] || { echo "no staged .gpu/: run tools/gpu_stage.sh here and carry .gpu"; exit 2; }
    source .gpu/commit.env                         # ACTIVEGAN_COMMIT, ACTIVEGAN_DIRTY of the staged tree
    source tools/gpu_env.sh
    export ACTIVEGAN_CACHE="$PWD/.gpu/cache"       # ignored, inside the tree: kept while the machine stays warm
    RES=nbs/results; RUN_EXTRA=(); BENCH_EXTRA=()
fi
have() { [ -e "${ACTIVEGAN_DATA:-.gpu/data}/$1" ]; }

left() { echo $(( BUDGET - (SECONDS - T0) - RESERVE )); }
step() {   # step NAME MIN MAX run|bench ARGS...: activegan-run / activegan-bench ARGS for at most MAX seconds (or the
           # time left), if at least MIN are left
    local name=$1 min=$2 max=$3 kind=$4; shift 4
    local cmd
    if [ "$kind" = run ]; then cmd=(python -c "$RUN_PY" "$@" "${RUN_EXTRA[@]}"); else cmd=(python -c "$BENCH_PY" "$@" "${BENCH_EXTRA[@]}"); fi
    local l; l=$(left); [ "$l" -le "$max" ] || l=$max
    if [ "$l" -lt "$min" ]; then echo "=== skip $name: ${l}s left, needs ${min}s"; return 0; fi
    echo "=== $name (limit ${l}s, at $((SECONDS - T0))s)"
    local t=$SECONDS rc=0
    timeout --signal=TERM --kill-after=10 "$l" "${cmd[@]}" || rc=$?
    echo "--- $name: rc=$rc in $((SECONDS - t))s$([ $rc = 124 ] && echo ' (out of time; cells it finished are in the results)')"
}

echo "commit ${ACTIVEGAN_COMMIT:-$(git rev-parse HEAD 2>/dev/null)}, budget ${BUDGET}s, smoke=$SMOKE"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used,power.draw --format=csv -l 1 > "$OUT/gpu_util.csv" 2>/dev/null &
    SMI=$!
fi
python -c "import torch, torchvision, sklearn; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'sklearn', sklearn.__version__, 'cuda', torch.cuda.is_available())"

# 1. benchmarks (issues #3, #4, #6): ratios against the plain baselines, TorchSVM == predict_proba to 1e-5
DS_BENCH=mnist; have cifar10-jpeg && DS_BENCH="mnist cifar10"
step bench 60 150 bench --datasets $DS_BENCH
# 2. the mechanism at paper settings (issue #4): ActiveGAN vs AC-GAN from one warm-up, 3 seeds
step compare 60 200 run compare --dataset mnist --n 500
# 3. Table 1's generator rows at paper scale (issue #5): MNIST, both n, 3 seeds (AC-GAN first: ActiveGAN branches from it)
step table1-mnist 60 9999 run table1 --dataset mnist --methods acgan acgan_f activegan
# 4. what those generators draw (issue #3): sample grids and class faithfulness, no training when the cache has them
step faithfulness-mnist 30 9999 run faithfulness --dataset mnist
# 5. with time left: the reward-baseline variant of the comparison (borrows the AC-GAN arm of step 2)
step compare-variant 60 9999 run compare --dataset mnist --n 500 --set policy_baseline=true

[ -n "${SMI:-}" ] && kill "$SMI" 2>/dev/null
echo "=== done at $((SECONDS - T0))s; packing results"
tar czf "$OUT/results.tgz" -C "$(dirname "$RES")" "$(basename "$RES")"
ls -la "$OUT"
