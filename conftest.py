"""pytest configuration for `pytest --nbval nbs/`.

nbdev-clean stores notebooks with empty execution counts; nbval treats such cells as "unrun" and skips or
rejects them. We number code cells when nbval reads a notebook, so every cell runs and its (empty) stored
outputs are compared in lax mode. Progress bars are silenced and the CPU is used, as in CI.
"""
import os
import shutil
import tempfile

import nbformat

os.environ.setdefault('ACTIVEGAN_NO_PROGRESS', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')
os.environ.setdefault('PYTHONHASHSEED', '0')

_read = nbformat.read

def _read_numbered(*args, **kwargs):
    nb = _read(*args, **kwargs)
    n = 0
    for cell in nb.cells:
        if cell.cell_type == 'code':
            n += 1
            if cell.get('execution_count') is None: cell['execution_count'] = n
    return nb

nbformat.read = _read_numbered
try:
    import nbval.plugin as _plugin
    _plugin.nbformat.read = _read_numbered
except Exception:  # nbval not installed: nothing to patch
    pass

collect_ignore_glob = ['_proc/*', '_docs/*', '.ipynb_checkpoints/*']


_SCRATCH = None


def pytest_configure(config):
    # The notebooks write scratch files (tiny result folders, generator checkpoints, rerun caches) under the
    # temporary directory. The session gets its own, removed when pytest ends, so that repeated test runs do not
    # fill /tmp; the kernels nbval starts inherit TMPDIR. ACTIVEGAN_KEEP_TMP=1 keeps it for a post-mortem.
    global _SCRATCH
    _SCRATCH = tempfile.mkdtemp(prefix='activegan-tests-')
    os.environ['TMPDIR'] = tempfile.tempdir = _SCRATCH
    # Notebooks are stored with their outputs (plots, tables) for the docs. Outputs such as timings and figures
    # legitimately differ between runs, so cells are checked for errors (their asserts), not byte-equal output.
    if getattr(config.option, 'nbval', False):
        config.option.nbval_lax = True


def pytest_unconfigure(config):
    if _SCRATCH and not os.environ.get('ACTIVEGAN_KEEP_TMP'):
        shutil.rmtree(_SCRATCH, ignore_errors=True)
