"""nbdev keeps only '# Title' and ONE '> summary' line of a notebook's title cell: join the summary into one line
and move the rest of the cell into a new markdown cell right after it."""
import sys, copy, nbformat

def fix(path):
    nb = nbformat.read(path, as_version=4)
    for i, c in enumerate(nb.cells):
        if c.cell_type != 'markdown': continue
        lines = c.source.splitlines()
        if not lines or not lines[0].startswith('# '): return print(path, 'no title cell first')
        title, k = lines[0], 1
        while k < len(lines) and not lines[k].strip(): k += 1
        quote = []
        while k < len(lines) and lines[k].startswith('>'):
            quote.append(lines[k].lstrip('>').strip()); k += 1
        rest = '\n'.join(lines[k:]).strip()
        if len(quote) <= 1 and not rest: return print(path, 'ok')
        c.source = title + '\n\n> ' + ' '.join(quote) if quote else title
        if rest:
            n = copy.deepcopy(c); n.source = rest; n.id = (c.get('id') or 'x') + 'r'
            nb.cells.insert(i + 1, n)
        nbformat.write(nb, path); return print(path, 'fixed')

for p in sys.argv[1:]: fix(p)
