#!/usr/bin/env bash
# Stage .gpu/ (git-ignored) for one device call: the fp16 VGG-16 weights and the data sets named, then check that
# the call fits the device tool's 64 MiB (tracked files + .gpu/ travel together).
#   usage: bash tools/gpu_stage.sh cifar10      (then carry [".gpu"] and run tools/gpu_run.sh there)
# It also writes .gpu/commit.env (this tree's commit and whether it is dirty) for the manifests written there.
# Sizes: weights 29 MB, mnist 11.6 MB (IDX only), cifar10 19.4 MB, fashion_mnist 30.9 MB, and the tracked files (about
# 15 MB): weights + cifar10 fit, a second data set beside it does not.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SRC="${ACTIVEGAN_DATA:-../shared/data}"
[ $# -gt 0 ] || { echo "usage: bash tools/gpu_stage.sh DATASET [DATASET ...]  (mnist, fashion_mnist, cifar10)" >&2; exit 2; }
rm -rf .gpu/data; mkdir -p .gpu/data
[ -s .gpu/vgg16_fp16.pt ] || python -c "from activegan.features import save_fp16_copy; save_fp16_copy('.gpu/vgg16_fp16.pt')"
for ds in "$@"; do
    case "$ds" in
        mnist)         d=mnist;         files='train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz' ;;
        fashion_mnist) d=fashion-mnist; files='train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz' ;;
        cifar10)       d=cifar10-jpeg;  files='CIFAR-10-images.tar.gz' ;;
        *) echo "unknown data set '$ds': use mnist, fashion_mnist or cifar10 (Tiny-ImageNet is not available offline)" >&2; exit 2 ;;
    esac
    mkdir -p ".gpu/data/$d"
    for f in $files; do
        [ -f "$SRC/$d/$f" ] || { echo "missing $SRC/$d/$f: set ACTIVEGAN_DATA to the folder that holds $d/" >&2; exit 1; }
        cp "$SRC/$d/$f" ".gpu/data/$d/"
    done
done
tracked=$(git ls-files -z | du -cb --files0-from=- 2>/dev/null | tail -n 1 | cut -f1)
untracked=$(git ls-files -z --others --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -n 1 | cut -f1)
staged=$(du -sb .gpu | cut -f1)
total=$((tracked + ${untracked:-0} + staged)); limit=$((64 * 1024 * 1024))
awk -v a="$tracked" -v b="${untracked:-0}" -v c="$staged" -v t="$total" 'BEGIN { m = 1048576;
    printf "tracked %.1f MiB + untracked %.1f MiB + .gpu %.1f MiB = %.1f MiB of 64 MiB\n", a/m, b/m, c/m, t/m }'
[ "$total" -lt "$limit" ] || { echo "too large for one device call: stage fewer data sets" >&2; exit 1; }
dirty=0; [ -z "$(git status --porcelain --untracked-files=no)" ] || { dirty=1; echo "note: uncommitted changes: commit and stage again, so the manifests name what runs"; }
# the device's copy has no .git: the manifests take the commit from here (core.manifest reads these variables)
printf 'export ACTIVEGAN_COMMIT=%s ACTIVEGAN_DIRTY=%s\n' "$(git rev-parse HEAD)" "$dirty" > .gpu/commit.env
cat .gpu/commit.env
