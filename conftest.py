"""pytest configuration for `pytest --nbval nbs/`.

nbdev-clean stores notebooks with empty execution counts; nbval treats such cells as "unrun" and skips or
rejects them. We number code cells when nbval reads a notebook, so every cell runs and its (empty) stored
outputs are compared in lax mode. Progress bars are silenced and the CPU is used, as in CI.

The tests leave nothing behind: they run with a scratch temporary folder and, unless ACTIVEGAN_CACHE is set, a
scratch cache inside it (removed at the end), and the run fails if it created files in the default cache
(~/.cache/activegan) or untracked files in the checkout. Another process that uses the default cache while the tests
run (an activegan-run beside them) shows up too: ACTIVEGAN_TESTS_SHARED_CACHE=1 skips that half of the check.
"""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

os.environ.setdefault('ACTIVEGAN_NO_PROGRESS', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')
os.environ.setdefault('PYTHONHASHSEED', '0')

ROOT = Path(__file__).resolve().parent
DEFAULT_CACHE = Path.home()/'.cache'/'activegan'        # activegan.core.cache_dir without ACTIVEGAN_CACHE

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
_BEFORE = None      # what the checks compare against: the default cache's files and the tree's untracked files


def _cache_files() -> set:
    "(path, mtime) of every file in the default cache: a new or rewritten file shows up as a new pair."
    if not DEFAULT_CACHE.is_dir(): return set()
    return {(str(p), p.stat().st_mtime_ns) for p in DEFAULT_CACHE.rglob('*') if p.is_file()}


def _untracked() -> set:
    "Untracked, not ignored files of the checkout (empty when git cannot tell)."
    try: r = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=all'], cwd=ROOT, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired): return set()
    return {l[3:] for l in r.stdout.splitlines() if l.startswith('?? ')} if r.returncode == 0 else set()


def _seed_cache(cache: Path):
    "Start the scratch cache with the default cache's converted VGG-16 weights, when there are some (read, never written)."
    src = DEFAULT_CACHE/'weights'
    if src.is_dir(): shutil.copytree(src, cache/'weights', dirs_exist_ok=True)


def pytest_configure(config):
    # The notebooks write scratch files (tiny result folders, generator checkpoints, rerun caches) under the
    # temporary directory. Each test run gets its own, removed when pytest ends, so that repeated test runs do not
    # fill /tmp; the kernels nbval starts inherit TMPDIR and ACTIVEGAN_CACHE. ACTIVEGAN_KEEP_TMP=1 keeps it for a post-mortem.
    global _SCRATCH, _BEFORE
    _BEFORE = (_cache_files(), _untracked())
    _SCRATCH = tempfile.mkdtemp(prefix='activegan-tests-')
    os.environ['TMPDIR'] = tempfile.tempdir = _SCRATCH
    if not os.environ.get('ACTIVEGAN_CACHE'):          # features, checkpoints, decoded data: gone with the scratch folder
        os.environ['ACTIVEGAN_CACHE'] = str(Path(_SCRATCH)/'cache')
        _seed_cache(Path(_SCRATCH)/'cache')
    # Notebooks are stored with their outputs (plots, tables) for the docs. Outputs such as timings and figures
    # legitimately differ between runs, so cells are checked for errors (their asserts), not byte-equal output.
    if getattr(config.option, 'nbval', False):
        config.option.nbval_lax = True


def _leftovers() -> list[str]:
    "What this run left behind: files in the default cache (unless ACTIVEGAN_CACHE is that cache) and untracked files."
    if _BEFORE is None: return []
    out = []
    if Path(os.environ['ACTIVEGAN_CACHE']).resolve() != DEFAULT_CACHE.resolve() and not os.environ.get('ACTIVEGAN_TESTS_SHARED_CACHE'):
        new = sorted(p for p, _ in _cache_files() - _BEFORE[0])
        if new: out.append(f"{len(new)} files written to {DEFAULT_CACHE} (e.g. {new[0]}): a test ignores ACTIVEGAN_CACHE "
                           "(or another process used that cache meanwhile: then ACTIVEGAN_TESTS_SHARED_CACHE=1)")
    new = sorted(_untracked() - _BEFORE[1])
    if new: out.append(f"{len(new)} untracked files left in the checkout ({', '.join(new[:5])}): write them under tempfile's folder")
    return out


def pytest_sessionfinish(session, exitstatus):
    left = _leftovers()
    if left:
        rep = session.config.pluginmanager.get_plugin('terminalreporter')
        for line in left:
            if rep: rep.write_line(f"LEFT BEHIND: {line}", red=True)
            else: print(f"LEFT BEHIND: {line}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config):
    if _SCRATCH and not os.environ.get('ACTIVEGAN_KEEP_TMP'):
        shutil.rmtree(_SCRATCH, ignore_errors=True)
