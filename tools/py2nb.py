"""Convert a percent-format script into a clean .ipynb (scratch tool, not part of the project).

Usage: python /work/tools/py2nb.py SRC.py DEST.ipynb

Cells start with a line `# %%` (code) or `# %% [markdown]` (markdown). In markdown cells,
each line's leading "# " is stripped. Everything before the first marker is ignored.
"""
import sys, json, re

def convert(src, dest):
    cells, cur, kind = [], None, None
    def flush():
        if cur is None: return
        lines = cur[:]
        while lines and not lines[-1].strip(): lines.pop()
        while lines and not lines[0].strip(): lines.pop(0)
        if kind == 'markdown':
            lines = [re.sub(r'^# ?', '', l) for l in lines]
        src_lines = [l + '\n' for l in lines]
        if src_lines: src_lines[-1] = src_lines[-1].rstrip('\n')
        c = {"cell_type": kind, "metadata": {}, "source": src_lines}
        if kind == 'code': c.update(execution_count=None, outputs=[])
        cells.append(c)
    for line in open(src).read().split('\n'):
        m = re.match(r'^# %%( \[markdown\])?\s*$', line)
        if m:
            flush(); cur = []; kind = 'markdown' if m.group(1) else 'code'
        elif cur is not None:
            cur.append(line)
    flush()
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    # nbformat 4.5 wants cell ids
    for i, c in enumerate(nb['cells']): c['id'] = f"c{i:03d}"
    with open(dest, 'w') as f: json.dump(nb, f, indent=1, ensure_ascii=False); f.write('\n')

if __name__ == '__main__':
    convert(sys.argv[1], sys.argv[2])
