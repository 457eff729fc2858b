"""Write README.md from nbs/index.ipynb (nbdev's `nbdev-readme` needs Quarto, which this project cannot assume).

    python tools/make_readme.py            # write README.md from the stored outputs of nbs/index.ipynb
    python tools/make_readme.py --execute  # execute nbs/index.ipynb first (after new result files), then write
    python tools/make_readme.py --check    # exit 1 if README.md is stale

nbs/index.ipynb itself asserts (under pytest --nbval) that README.md shows today's result files.

Cells marked `#| hide` are dropped; `#| echo: false` cells keep only their outputs; other code cells show
their source and outputs. Markdown outputs (tables) are inlined as markdown.
"""
import argparse, re, sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n"

def _directives(src):
    return {m.group(1).strip(): (m.group(2) or '').strip() for m in re.finditer(r'^#\|\s*([\w-]+)\s*:?\s*(.*)$', src, re.M)}

def _strip_directives(src):
    return '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()

FIGURES = ROOT/'nbs'/'results'/'figures'   # PNG outputs of the page are written here as readme_<k>.png

def _outputs(cell, figs):
    parts = []
    for o in cell.get('outputs', []):
        data = o.get('data', {})
        if 'image/png' in data:                  # a figure: kept as a file beside the result figures, linked from README
            figs.append(data['image/png'])
            parts.append(f"![figure {len(figs)}](nbs/results/figures/readme_{len(figs)}.png)")
        elif o.get('output_type') == 'stream': parts.append('```\n' + ''.join(o.get('text', '')).rstrip() + '\n```')
        elif 'text/markdown' in data: parts.append(''.join(data['text/markdown']).strip())
        elif 'text/plain' in data and 'image/png' not in data: parts.append('```\n' + ''.join(data['text/plain']).rstrip() + '\n```')
    return parts

def render(nb_path=ROOT/'nbs'/'index.ipynb', figs=None) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    out, figs = [], ([] if figs is None else figs)
    for cell in nb.cells:
        d = _directives(cell.source)
        if 'hide' in d: continue
        if cell.cell_type == 'markdown':
            out.append(cell.source.strip())
        elif cell.cell_type == 'code':
            if d.get('echo') != 'false':
                src = _strip_directives(cell.source)
                if src: out.append('```python\n' + src + '\n```')
            out += _outputs(cell, figs)
    text = HEADER + '\n\n'.join(p for p in out if p) + '\n'
    return re.sub(r'\]\((\d\d_[\w]+)\.ipynb\)', r'](nbs/\1.ipynb)', text)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--check', action='store_true'); ap.add_argument('--execute', action='store_true')
    a = ap.parse_args()
    if a.execute:
        import os, subprocess
        env = dict(os.environ, ACTIVEGAN_README_UPDATE='1', ACTIVEGAN_NO_PROGRESS='1')
        subprocess.run(['jupyter', 'nbconvert', '--to', 'notebook', '--execute', '--inplace', str(ROOT/'nbs'/'index.ipynb')],
                       check=True, env=env, cwd=ROOT/'nbs')
        subprocess.run(['nbdev-clean', '--fname', str(ROOT/'nbs'/'index.ipynb')], check=True, cwd=ROOT)
    figs = []
    text, readme = render(figs=figs), ROOT/'README.md'
    if a.check:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is stale: run `python tools/make_readme.py` and commit')
        print('README.md is up to date')
    else:
        import base64
        for k, b64 in enumerate(figs, 1): (FIGURES/f"readme_{k}.png").write_bytes(base64.b64decode(''.join(b64)))
        readme.write_text(text); print(f'wrote {readme}' + (f" and {len(figs)} figure(s) in {FIGURES}" if figs else ''))
