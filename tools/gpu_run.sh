#!/usr/bin/env bash
# The one device call of a GPU run, time-boxed: the GPU work that decides the most, in priority order, sized for the
# 15 minutes of device time a task gets (one call of about 9 minutes after the machine's start).
#
#   here:   bash tools/gpu_stage.sh cifar10                # .gpu/: weights + data, checks the 64 MiB limit
#   device: bash tools/gpu_run.sh 520      (run tool, carry [".gpu"], timeout_s 570)
#   here:   tar xzf <files_at>/results.tgz -C nbs/   (results/... : every finished cell, with its manifest)
#
# 1. generators: the CIFAR-10 AC-GAN generators of Table 1 for n = 5k and 10k and seeds 0-2, the paper's 5,000
#    iterations, trained side by side in one process (activegan.stacked, CUDA graphs; if their capture fails, once
#    more eagerly in a new process, which resumes the checkpoints); curves of class fidelity and feature-space
#    precision over the iterations, and the sample grids, in results/stacked/
# 2. benchmarks: the training step against plain eager and the reward path against scikit-learn (activegan-bench),
#    and model-steps/s of stacked groups (activegan.stacked bench), in results/perf/
# 3. Table 1 cells from those generators: AC-GAN, ActiveGAN (its lambda*L_U phase branches from each stacked warm-up),
#    AC-GAN+F, then the CIFAR-10 controls (a runner without them skips that step); the data set's reference
#    classifier first, if results/reference/ has none (it trains on the CPU: better committed before the GPU run)
# 4. with time left, and only where MNIST is staged: the reward comparison and MNIST's generator rows
#
# Every step runs under `timeout` (its own cap, or the time left), so the tar at the end always happens; a step that
# fails or runs out of time does not stop the next (finished cells are atomic result files; a killed cell is lost, the
# runner resumes the rest, and the generators resume from their checkpoints). Logs and a 1 s GPU-utilisation trace go
# to $OUT as well.
# `--smoke`: a CPU dry run of this script (smoke preset, MNIST instead of CIFAR-10, tiny benchmarks, every folder a
# temporary one) in a minute or two: step 1, step 2's stacked benchmark and step 3's AC-GAN and ActiveGAN cells run;
# the other commands (tested in their own notebooks) are only parsed. nbs/08b_stacked.ipynb runs it as a test.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SMOKE=0; if [ "${1:-}" = "--smoke" ]; then SMOKE=1; shift; fi
BUDGET=${1:-520}                       # seconds for the whole script
RESERVE=25                             # kept back for the tar at the end
T0=$SECONDS
OUT=${OUT:-$(mktemp -d)}; mkdir -p "$OUT"
LOG="$OUT/gpu_run.log"
exec > >(tee -a "$LOG") 2>&1

RUN_PY='import sys; from activegan.cli import main; sys.exit(main(sys.argv[1:]))'     # activegan-run
BENCH_PY='import sys; from activegan.benchmark import main; sys.exit(main(sys.argv[1:]))'    # activegan-bench
STACK_PY='import sys; from activegan.stacked import main; sys.exit(main(sys.argv[1:]))'      # stacked-training benchmark
# smoke: the command lines of the steps that only get parsed, checked at the end in one process
PARSE_PY='import sys, shlex, activegan.benchmark as B; from activegan.cli import _parser
B.run_benchmarks = lambda *a, **k: {}                                  # activegan-bench: arguments only
for line in open(sys.argv[1]):
    kind, *args = shlex.split(line)
    _parser().parse_args(args) if kind == "run" else B.main(args)'
PARSE_Q=$(mktemp)
if [ $SMOKE = 1 ]; then
    export ACTIVEGAN_DATA="${ACTIVEGAN_DATA:-$PWD/../shared/data}" ACTIVEGAN_NO_PROGRESS=1 PYTHONPATH="$PWD"
    export ACTIVEGAN_CACHE="${ACTIVEGAN_CACHE:-$(mktemp -d)}"
    RES="$(mktemp -d)/results"; mkdir -p "$RES"; cp -r nbs/results/. "$RES/"
    RUN_EXTRA=(--preset smoke --results-dir "$RES"); BENCH_EXTRA=(--tiny --out "$RES/perf")
    DS=mnist; NS=(500); GEN_SEEDS=(0 1); SEEDS=(0)          # two generators side by side, cells of one seed
    GAN_METHODS=(acgan activegan)                           # AC-GAN+F (tested in 09_experiments) left out: time
else
    [ -s .gpu/vgg16_fp16.pt ] && [ -s .gpu/commit.env ] || { echo "no staged .gpu/: run tools/gpu_stage.sh here and carry .gpu"; exit 2; }
    source .gpu/commit.env                         # ACTIVEGAN_COMMIT, ACTIVEGAN_DIRTY of the staged tree
    source tools/gpu_env.sh
    export ACTIVEGAN_CACHE="$PWD/.gpu/cache"       # ignored, inside the tree: kept while the machine stays warm
    RES=nbs/results; RUN_EXTRA=(); BENCH_EXTRA=()
    DS=cifar10; NS=(5000 10000); GEN_SEEDS=(0 1 2); SEEDS=(0 1 2)
    GAN_METHODS=(acgan activegan acgan_f)
fi
have() { [ -e "${ACTIVEGAN_DATA:-.gpu/data}/$1" ]; }
has_methods() {   # does this tree's runner know these Table 1 methods? (its parser's choices, activegan.cli)
    python -c 'import sys; from activegan.cli import METHODS, CONTROLS; sys.exit(0 if set(sys.argv[1:]) <= set(METHODS + CONTROLS) else 1)' "$@" 2>/dev/null
}

left() { echo $(( BUDGET - (SECONDS - T0) - RESERVE )); }
step() {   # step NAME MIN MAX run|bench|stack ARGS...: the command for at most MAX seconds (or the time left), if at
           # least MIN are left; returns its exit status. parse / bench-parse: check the command line only.
    local name=$1 min=$2 max=$3 kind=$4; shift 4
    local cmd
    case "$kind" in
        run)   cmd=(python -c "$RUN_PY" "$@" "${RUN_EXTRA[@]}") ;;
        bench) cmd=(python -c "$BENCH_PY" "$@" "${BENCH_EXTRA[@]}") ;;
        stack) cmd=(python -c "$STACK_PY" "$@" "${BENCH_EXTRA[@]}") ;;
        parse) printf '%q ' run "$@" "${RUN_EXTRA[@]}" >> "$PARSE_Q"; echo >> "$PARSE_Q"; echo "--- $name: queued for parsing"; return 0 ;;
        bench-parse) printf '%q ' bench "$@" "${BENCH_EXTRA[@]}" >> "$PARSE_Q"; echo >> "$PARSE_Q"; echo "--- $name: queued for parsing"; return 0 ;;
    esac
    local l; l=$(left); [ "$l" -le "$max" ] || l=$max
    if [ "$l" -lt "$min" ]; then echo "=== skip $name: ${l}s left, needs ${min}s"; return 0; fi
    echo "=== $name (limit ${l}s, at $((SECONDS - T0))s)"
    local t=$SECONDS rc=0
    timeout --signal=TERM --kill-after=10 "$l" "${cmd[@]}" || rc=$?
    echo "--- $name: rc=$rc in $((SECONDS - t))s$([ $rc = 124 ] && echo ' (out of time; what it finished is in the results)')"
    return $rc
}
HEAVY=run; BENCH=bench; [ $SMOKE = 1 ] && { HEAVY=parse; BENCH=bench-parse; }   # smoke: command lines only

echo "commit ${ACTIVEGAN_COMMIT:-$(git rev-parse HEAD 2>/dev/null)}, budget ${BUDGET}s, smoke=$SMOKE, data set $DS"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used,power.draw --format=csv -l 1 > "$OUT/gpu_util.csv" 2>/dev/null &
    SMI=$!
fi
python -c "import torch, torchvision, sklearn; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'sklearn', sklearn.__version__, 'cuda', torch.cuda.is_available())"

# 1. the generators of Table 1's GAN rows (issue 48): AC-GAN, both n, three seeds, side by side in one process
GEN=(table1 --dataset $DS --n "${NS[@]}" --seeds "${GEN_SEEDS[@]}" --methods acgan --generators-only)
step generators 60 300 run "${GEN[@]}" --stack; rc=$?
if [ $rc != 0 ] && [ $rc != 124 ]; then         # e.g. a failed CUDA-graph capture: eager, in a new process
    step generators-eager 60 300 run "${GEN[@]}" --stack eager
fi
# 2. benchmark ratios: training step vs plain eager, reward path vs scikit-learn; stacked groups vs the lone eager step
step bench 30 100 $BENCH --datasets $DS --kinds training reward
step bench-stacked 20 60 stack bench --datasets $DS
# 3. Table 1 cells from those generators, then the controls
[ -e "$RES/reference/$DS.json" ] || step reference 30 200 run reference --dataset $DS
step table1-gan 60 9999 run table1 --dataset $DS --n "${NS[@]}" --seeds "${SEEDS[@]}" --methods "${GAN_METHODS[@]}"
if has_methods control_real control_oracle control_mislabeled; then
    step controls 30 9999 $HEAVY table1 --dataset $DS --n "${NS[@]}" --seeds "${SEEDS[@]}" --methods control_real control_oracle control_mislabeled
else echo "=== skip controls: this runner has no control_real/control_oracle/control_mislabeled"; fi
# 4. with time left, where MNIST is staged: the mechanism at paper settings, then MNIST's generator rows
if have mnist; then
    step compare 60 200 $HEAVY compare --dataset mnist --n 500
    step table1-mnist 60 9999 $HEAVY table1 --dataset mnist --methods acgan acgan_f activegan --stack
    step faithfulness-mnist 30 9999 $HEAVY faithfulness --dataset mnist
else echo "=== skip MNIST steps: mnist is not staged"; fi

if [ -s "$PARSE_Q" ]; then
    rc=0; python -c "$PARSE_PY" "$PARSE_Q" || rc=$?; echo "--- parse-check: rc=$rc ($(wc -l < "$PARSE_Q") command lines)"
fi
rm -f "$PARSE_Q"
[ -n "${SMI:-}" ] && kill "$SMI" 2>/dev/null
echo "=== done at $((SECONDS - T0))s; packing results"
tar czf "$OUT/results.tgz" -C "$(dirname "$RES")" "$(basename "$RES")"
ls -la "$OUT"
