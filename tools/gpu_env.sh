# Source this on a GPU machine that received a copy of the tree plus a carried .gpu/ folder
# (.gpu/vgg16_fp16.pt and .gpu/data/<dataset>/...): the package runs from the tree, offline.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export ACTIVEGAN_DATA="$PWD/.gpu/data" ACTIVEGAN_VGG16_WEIGHTS="$PWD/.gpu/vgg16_fp16.pt"
export ACTIVEGAN_CACHE=/tmp/activegan-cache ACTIVEGAN_NO_PROGRESS=1 PYTHONUNBUFFERED=1
agrun() { python -c "import sys; from activegan.cli import main; sys.exit(main(sys.argv[1:]))" "$@"; }
