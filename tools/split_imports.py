"""Move top-level imports out of mixed (non-exported) code cells into their own cell just before, so that nbdev's
docs processing (which executes every cell containing an import) only runs the imports."""
import sys, ast, nbformat, copy

def fix(path):
    nb = nbformat.read(path, as_version=4)
    out, changed = [], 0
    for c in nb.cells:
        if c.cell_type != 'code' or any(l.strip().startswith('#| export') or l.strip().startswith('#| exporti') for l in c.source.splitlines()):
            out.append(c); continue
        lines = c.source.splitlines()
        try: tree = ast.parse(c.source)
        except SyntaxError: out.append(c); continue
        imps = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        rest = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
        if not imps or not rest: out.append(c); continue
        imp_lines = set()
        for n in imps: imp_lines.update(range(n.lineno - 1, n.end_lineno))
        directives = [l for l in lines if l.startswith('#|')]
        keep_dirs = [d for d in directives if 'hide' in d or 'echo' in d]
        imp_src = '\n'.join(keep_dirs + [lines[i] for i in sorted(imp_lines)])
        rest_src = '\n'.join(l for i, l in enumerate(lines) if i not in imp_lines)
        ci = copy.deepcopy(c); ci.source = imp_src; ci.outputs = []; ci.execution_count = None
        ci.id = (c.get('id') or 'x') + 'i'
        c.source = rest_src
        out += [ci, c]; changed += 1
    nb.cells = out
    if changed: nbformat.write(nb, path)
    print(path, changed)

for p in sys.argv[1:]: fix(p)
