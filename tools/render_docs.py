"""Render the documentation site offline, without Quarto: notebooks -> _site/*.html.

    python tools/render_docs.py                 # write _site/ (about 10 s)
    python tools/render_docs.py --check         # ... then open every page in headless Chromium (tools/check_docs.py)
    python tools/render_docs.py --out /tmp/site --no-proc

The real site is Quarto's (`nbdev-docs`, configured by `_quarto.yml`). Quarto is a binary that this project's
machines cannot install, so this script renders an offline stand-in from the same sources and the same sidebar:

1. nbdev's doc processors (the processing step of `nbdev-proc-nbs`: `#| hide` cells dropped, `#| export` cells
   replaced by `show_doc`, the `# Title` moved into front matter) write the processed notebooks to `_proc/`.
   We call `nbdev.serve.proc_nbs` directly: the `nbdev-proc-nbs` command first tries to install Quarto
   (download + `sudo dpkg`) and rebuilds `activegan/_modidx.py`, neither of which belongs in a docs render.
2. nbconvert (HTMLExporter, 'basic' template, stored outputs, no execution) turns each one into HTML, in the
   order of the sidebar in `_quarto.yml`; Quarto cell options `include`, `echo`, `output`, `code-fold` and
   `fig-cap` are honoured, and Pandoc link attributes (`[source](...){target=...}`) are removed.
3. Each page gets the sidebar (same sections and order as `_quarto.yml`, current page highlighted), its title
   and description from the front matter, an "On this page" list, and a footer.
4. Math: MathJax 3 from a local copy in `<out>/mathjax/` (`$...$`, `$$...$$`, `\\tag{}`). The copy comes from
   the npm package `mathjax@3` (installed once into the cache with `npm install --prefix`), or from
   `--mathjax DIR` / env `ACTIVEGAN_MATHJAX_DIR` (a folder holding `es5/tex-mml-chtml.js`).
5. Images referenced by the pages (and every image under `nbs/`) are copied from `nbs/` into the site.

`<out>/pages.json` lists the pages for the browser check. The output folder is rebuilt from scratch each run
(idempotent); a folder that this script did not create is never deleted.
"""
from __future__ import annotations

import argparse, html, json, os, re, shutil, subprocess, sys, time, tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = '.activegan-site'  # written into every output folder; only such folders are ever replaced
MATHJAX_VERSION = '3.2.2'
FOOTER = ('rendered offline from the notebooks by <code>tools/render_docs.py</code>; '
          'the Quarto site is built with <code>nbdev-docs</code>')
IMAGE_EXTS = {'.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp'}


def log(*a): print('[render_docs]', *a, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# configuration: pyproject [tool.nbdev] and the sidebar of _quarto.yml

def nbs_path() -> Path:
    cfg = tomllib.loads((ROOT/'pyproject.toml').read_text()).get('tool', {}).get('nbdev', {})
    return ROOT/cfg.get('nbs_path', 'nbs')


def read_sidebar(nbs: Path):
    """The sidebar of `_quarto.yml` as a list of (section or None, [notebook paths relative to nbs]) in order."""
    import yaml
    qy = nbs/'_quarto.yml'
    if not qy.exists(): qy = ROOT/'_quarto.yml'
    if not qy.exists(): raise FileNotFoundError(f'{qy} not found: the sidebar is read from _quarto.yml at the repo root')
    conf = yaml.safe_load(qy.read_text()) or {}
    sidebar = (conf.get('website') or {}).get('sidebar') or {}
    if isinstance(sidebar, list): sidebar = sidebar[0] if sidebar else {}
    contents = sidebar.get('contents') or []
    groups, top = [], []

    def entries(items):
        out = []
        for it in items:
            if isinstance(it, str): out.append(it)
            elif isinstance(it, dict) and 'href' in it: out.append(it['href'])
            elif isinstance(it, dict) and 'contents' in it: out += entries(it['contents'])
        return out

    for it in contents:
        if isinstance(it, dict) and 'section' in it:
            if top: groups.append((None, top)); top = []
            groups.append((str(it['section']), entries(it.get('contents') or [])))
        else: top += entries([it])
    if top: groups.append((None, top))
    return groups


# ---------------------------------------------------------------------------------------------------------------
# step 1: nbdev's processors -> _proc/

def _notebooks(folder: Path):
    return sorted(p for p in folder.rglob('*.ipynb')
                  if not any(s.startswith(('.', '_')) for s in p.relative_to(folder).parts))


def _proc_one(item):
    """nbdev's worker for one file (serve_drv.main), returning (source, error) instead of raising."""
    import nbdev.serve_drv
    try:
        nbdev.serve_drv.main(item)
        return None
    except Exception as e:  # noqa: BLE001 - reported per notebook
        return str(item[0]), f'{type(e).__name__}: {e}'


def run_nbdev_proc(nbs: Path, n_workers: int):
    """What `nbdev-proc-nbs` does to the notebooks, without its Quarto install and modidx rebuild.

    nbdev executes, at doc-build time, every `#| export` cell, every `show_doc` cell and every cell that contains
    an import; if that fails in one notebook, `nbdev-docs` fails. We run nbdev's `proc_nbs` with its worker pool
    swapped for one that keeps going, and return {notebook: error} for the failing ones (left out of the site).
    """
    os.chdir(ROOT)  # nbdev finds pyproject.toml from the working directory (its workers too)
    import nbdev.serve as serve
    from multiprocessing import get_context
    from concurrent.futures import ProcessPoolExecutor
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import render_docs as importable  # spawned workers find the function by module name, not as __main__
    errors = {}

    def pool(f, items, n_workers=n_workers, **kw):
        items = list(items)
        if n_workers <= 1 or len(items) <= 1: res = [_proc_one(i) for i in items]
        else:
            with ProcessPoolExecutor(min(n_workers, len(items)), mp_context=get_context('spawn')) as ex:
                res = list(ex.map(importable._proc_one, items))
        errors.update(r for r in res if r)

    old_pool, old_warn = getattr(serve, 'parallel', None), os.environ.get('PYTHONWARNINGS')
    os.environ['PYTHONWARNINGS'] = 'ignore::UserWarning'  # nbdev's "imports and other code" hint: see ours below
    serve.parallel = pool
    try: cache = Path(serve.proc_nbs(str(nbs), n_workers=n_workers))
    finally:
        serve.parallel = old_pool
        if old_warn is None: os.environ.pop('PYTHONWARNINGS', None)
        else: os.environ['PYTHONWARNINGS'] = old_warn
        os.chdir(ROOT)
    failures = {}
    for src, err in errors.items():
        rel = str(Path(src).resolve().relative_to(nbs.resolve()))
        lines = [l for l in err.splitlines() if l.strip()]
        failures[rel] = f'{lines[0]} ... {lines[-1]}' if len(lines) > 1 else (lines[0] if lines else err)
        (cache/rel).unlink(missing_ok=True)  # never render a stale copy
    return cache, failures


# ---------------------------------------------------------------------------------------------------------------
# step 2: notebook -> HTML body with nbconvert

_TEMPLATE = r"""{%- extends 'basic/index.html.j2' -%}
{% block input_group -%}
{%- if cell.metadata.get('activegan_fold') -%}
<details class="code-fold"><summary>{{ cell.metadata.get('activegan_fold_summary', 'Code') }}</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock input_group %}
{% block output_group -%}
{{ super() }}
{%- if cell.metadata.get('activegan_caption') %}
<p class="fig-caption">{{ cell.metadata.get('activegan_caption') | e }}</p>
{%- endif -%}
{% endblock output_group %}
"""

_exporter = None

def exporter():
    global _exporter
    if _exporter is None:
        import jinja2
        from nbconvert import HTMLExporter
        _exporter = HTMLExporter(template_name='basic', extra_loaders=[jinja2.DictLoader({'activegan.html.j2': _TEMPLATE})],
                                 template_file='activegan.html.j2', exclude_input_prompt=True, exclude_output_prompt=True)
    return _exporter


_OPT_RE = re.compile(r'^#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')
_FRONT_RE = re.compile(r'^\s*---\s*\n(.*?)\n---\s*$', re.S)
_ATTR_LINK_RE = re.compile(r'\[([^\]\n]*)\]\(([^)\s]+)\)\{([^}\n]*)\}')
_DIV_OPEN_RE = re.compile(r'^:::+\s*\{?\s*([^}]*?)\s*\}?\s*$')


def _yaml_val(v):
    v = v.strip().strip('"').strip("'")
    return {'true': True, 'false': False}.get(v.lower(), v)


def cell_options(src: str) -> dict:
    opts = {}
    for line in src.splitlines():
        if not line.startswith('#|'): break
        m = _OPT_RE.match(line)
        if m: opts[m.group(1)] = _yaml_val(m.group(2))
    return opts


def strip_options(src: str) -> str:
    lines = src.splitlines()
    while lines and lines[0].startswith('#|'): lines.pop(0)
    return '\n'.join(lines).strip('\n')


def quarto_md_to_plain(md: str) -> str:
    """Pandoc/Quarto markdown extensions -> plain markdown that nbconvert's renderer understands."""
    def link(m):
        attrs = m.group(3)
        cls = ' class="srclink"' if 'float:right' in attrs.replace(' ', '') else ''
        return f'<a href="{html.escape(m.group(2))}"{cls}>{m.group(1)}</a>'
    md = _ATTR_LINK_RE.sub(link, md)
    out = []
    for line in md.split('\n'):  # fenced divs (::: {.callout-note} ... :::) -> <div class=...>
        m = _DIV_OPEN_RE.match(line)
        if m and line.startswith(':::'):
            classes = ' '.join(c[1:] for c in m.group(1).split() if c.startswith('.'))
            out += ['', f'<div class="{html.escape(classes)}">', ''] if m.group(1) else ['', '</div>', '']
        else: out.append(line)
    return '\n'.join(out)


def count_display_math(md: str) -> int:
    md = re.sub(r'```.*?```', '', md, flags=re.S)
    return len(re.findall(r'\$\$(.+?)\$\$', md, flags=re.S))


def has_inline_math(md: str) -> bool:
    md = re.sub(r'```.*?```', '', md, flags=re.S)
    md = re.sub(r'`[^`\n]*`', '', md)
    md = re.sub(r'\$\$(.+?)\$\$', '', md, flags=re.S)
    return re.search(r'(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$', md) is not None


def prepare_notebook(nb):
    """Front matter out, Quarto cell options applied; returns (nb, frontmatter dict, math stats)."""
    import yaml
    front, cells, n_display, inline = {}, [], 0, False
    for i, cell in enumerate(nb.cells):
        src = cell.source
        if cell.cell_type == 'raw' and i == 0 and (m := _FRONT_RE.match(src)):
            front = yaml.safe_load(m.group(1)) or {}
            continue
        if cell.cell_type == 'markdown':
            if src.strip().startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
            n_display += count_display_math(src); inline |= has_inline_math(src)
            cell.source = quarto_md_to_plain(src)
        elif cell.cell_type == 'code':
            cell.metadata.pop('execution', None)  # nbdev's timing (floats) fails nbformat's schema
            opts = cell_options(src)
            if opts.get('include') is False: continue
            cell.source = strip_options(src)
            if opts.get('echo') is False or not cell.source.strip():
                cell.metadata.setdefault('transient', {})['remove_source'] = True
            if opts.get('output') is False: cell.outputs = []
            fold = opts.get('code-fold')
            if fold in (True, 'show'):
                cell.metadata['activegan_fold'] = True
                cell.metadata['activegan_fold_summary'] = opts.get('code-summary', 'Code')
            if opts.get('fig-cap'): cell.metadata['activegan_caption'] = str(opts['fig-cap'])
            for o in cell.get('outputs', []):
                data = o.get('data', {})
                if 'text/markdown' in data:
                    md = data['text/markdown']
                    md = ''.join(md) if isinstance(md, list) else md
                    n_display += count_display_math(md); inline |= has_inline_math(md)
                    data['text/markdown'] = quarto_md_to_plain(md)
        elif cell.cell_type == 'raw':
            continue  # raw cells are for other formats (Quarto renders raw html/latex only for its own targets)
        cells.append(cell)
    nb.cells = cells
    return nb, front, dict(display=n_display, inline=inline)


# ---------------------------------------------------------------------------------------------------------------
# step 3: the page

_STYLE = r"""
:root { --side: 270px; --fg: #212529; --muted: #6c757d; --accent: #2780e3; --border: #dee2e6; --code: #f7f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--fg); }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
#sidebar { position: fixed; top: 0; bottom: 0; left: 0; width: var(--side); overflow-y: auto; padding: 1.2rem 1rem;
           background: #f8f9fa; border-right: 1px solid var(--border); font-size: .92rem; }
#sidebar .site-title { display: block; font-size: 1.3rem; font-weight: 600; color: var(--fg); margin-bottom: 1rem; }
#sidebar .section { margin: 1rem 0 .3rem; font-weight: 600; color: var(--muted); text-transform: uppercase;
                    font-size: .78rem; letter-spacing: .04em; }
#sidebar ul { list-style: none; padding: 0; margin: 0; }
#sidebar li a { display: block; padding: .22rem .5rem; border-radius: 4px; color: var(--fg); }
#sidebar li a:hover { background: #e9ecef; text-decoration: none; }
#sidebar li a.active { background: var(--accent); color: #fff; font-weight: 600; }
#page { margin-left: var(--side); display: flex; align-items: flex-start; gap: 2rem; padding: 1.5rem 2rem; }
main { flex: 1 1 auto; min-width: 0; max-width: 960px; }
#toc { flex: 0 0 210px; position: sticky; top: 1.5rem; font-size: .85rem; max-height: 90vh; overflow-y: auto; }
#toc h2 { font-size: .8rem; text-transform: uppercase; color: var(--muted); margin: 0 0 .4rem; }
#toc ul { list-style: none; padding-left: 0; margin: 0; } #toc li.l3 { padding-left: .9rem; }
#toc a { color: var(--muted); display: block; padding: .1rem 0; }
@media (max-width: 1200px) { #toc { display: none; } }
header.title h1 { margin: 0 0 .3rem; font-size: 2.2rem; }
header.title .description { color: var(--muted); font-size: 1.1rem; margin: 0 0 1.2rem; }
header.title .description p { margin: 0; }
h2 { margin-top: 2rem; border-bottom: 1px solid var(--border); padding-bottom: .2rem; }
.anchor-link { visibility: hidden; margin-left: .3rem; color: var(--muted); }
h1:hover .anchor-link, h2:hover .anchor-link, h3:hover .anchor-link, h4:hover .anchor-link { visibility: visible; }
pre, code { font-family: SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .88em; }
:not(pre) > code { background: var(--code); padding: .1em .3em; border-radius: 3px; color: #9753b8; }
.input_area pre, .highlight pre { background: var(--code); border-left: 3px solid #b9c4ce; padding: .7rem 1rem;
                                   overflow-x: auto; margin: .6rem 0; }
.output_area pre { padding: .3rem 1rem; margin: .2rem 0 .8rem; overflow-x: auto; }
.output_stderr pre { background: #fff5f5; }
.output_area img { max-width: 100%; height: auto; }
.rendered_html img { max-width: 100%; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; display: block; max-width: 100%; overflow-x: auto; }
th, td { border-bottom: 1px solid var(--border); padding: .3rem .7rem; text-align: left; }
thead th { border-bottom: 2px solid #adb5bd; }
blockquote { border-left: 4px solid var(--border); margin: 1rem 0; padding: .2rem 1rem; color: #495057; }
a.srclink { float: right; font-size: smaller; }
details.code-fold > summary { cursor: pointer; color: var(--muted); }
p.fig-caption { text-align: center; color: var(--muted); font-size: .92rem; }
.callout-note, .callout-tip, .callout-warning, .callout-important, .callout-caution {
  border-left: 4px solid var(--accent); background: #f3f8fe; padding: .4rem 1rem; margin: 1rem 0; border-radius: 4px; }
.callout-warning, .callout-caution, .callout-important { border-left-color: #ff7518; background: #fff8f2; }
mjx-container[display="true"] { overflow-x: auto; overflow-y: hidden; }
footer { margin-top: 3rem; padding-top: .8rem; border-top: 1px solid var(--border); color: var(--muted); font-size: .85rem; }
"""

_MATHJAX_CONFIG = r"""<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
        processEscapes: true, tags: 'ams',
        packages: {'[-]': ['noundefined']}},  // an undefined macro is an error (merror), not red text
  options: {menuOptions: {settings: {explorer: false}}},
  startup: {
    pageReady: function () {
      return MathJax.startup.defaultPageReady().then(
        function () { document.body.setAttribute('data-mathjax', 'done'); },
        function (err) { document.body.setAttribute('data-mathjax', 'error: ' + err); });
    }
  }
};
</script>
<script id="MathJax-script" async src="{root}mathjax/tex-mml-chtml.js"></script>"""

# lets the browser check read, from the DOM, whether every image loaded
_IMG_PROBE = r"""<script>
window.addEventListener('load', function () {
  var bad = Array.prototype.filter.call(document.images, function (i) { return !(i.complete && i.naturalWidth > 0); });
  document.body.setAttribute('data-images-broken', String(bad.length));
  document.body.setAttribute('data-images-broken-list', bad.map(function (i) { return (i.getAttribute('src') || '').slice(0, 120); }).join(' '));
});
</script>"""


def page_html(*, title, description_html, body, sidebar_html, toc, root, pygments_css_href):
    toc_html = ''
    if toc:
        items = ''.join(f'<li class="l{lvl}"><a href="#{html.escape(i, quote=True)}">{t}</a></li>' for lvl, i, t in toc)
        toc_html = f'<nav id="toc"><h2>On this page</h2><ul>{items}</ul></nav>'
    desc = f'<div class="description">{description_html}</div>' if description_html else ''
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="activegan tools/render_docs.py (nbconvert)">
<title>{html.escape(title)} – activegan</title>
<link rel="stylesheet" href="{root}{pygments_css_href}">
<link rel="stylesheet" href="{root}site.css">
{_MATHJAX_CONFIG.replace('{root}', root)}
</head>
<body data-mathjax="pending">
{sidebar_html}
<div id="page">
<main>
<header class="title"><h1>{html.escape(title)}</h1>{desc}</header>
{body}
<footer>{FOOTER}.</footer>
</main>
{toc_html}
</div>
{_IMG_PROBE}
</body>
</html>
"""


def sidebar_html(groups, pages, current, root):
    """groups: [(section, [key])]; pages: key -> info (missing keys are pending pages, left out)."""
    parts = [f'<nav id="sidebar"><a class="site-title" href="{root}index.html">activegan</a>']
    for section, keys in groups:
        items = [k for k in keys if k in pages]
        if not items: continue
        if section: parts.append(f'<div class="section">{html.escape(section)}</div>')
        parts.append('<ul>')
        for k in items:
            p = pages[k]
            cls = ' class="active" aria-current="page"' if k == current else ''
            parts.append(f'<li><a href="{root}{p["href"]}"{cls}>{html.escape(p["title"])}</a></li>')
        parts.append('</ul>')
    parts.append('</nav>')
    return '\n'.join(parts)


_HEAD_RE = re.compile(r'<h([23])\s+id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)


def toc_entries(body):
    out = []
    for lvl, hid, inner in _HEAD_RE.findall(body):
        text = re.sub(r'<a class="anchor-link".*?</a>', '', inner, flags=re.S)
        text = re.sub(r'<[^>]+>', '', text).strip()
        if text: out.append((int(lvl), html.unescape(hid), html.escape(html.unescape(text))))
    return out


# ---------------------------------------------------------------------------------------------------------------
# step 4: MathJax, a local copy

def cache_root() -> Path:
    return Path(os.environ.get('ACTIVEGAN_CACHE') or Path.home()/'.cache'/'activegan')


def find_mathjax(explicit: str | None = None) -> Path:
    """A folder with es5/tex-mml-chtml.js: --mathjax, env ACTIVEGAN_MATHJAX_DIR, the cache, else npm install into it."""
    cands = [explicit, os.environ.get('ACTIVEGAN_MATHJAX_DIR')]
    for c in filter(None, cands):
        p = Path(c)
        for d in (p, p/'node_modules'/'mathjax'):
            if (d/'es5'/'tex-mml-chtml.js').exists(): return d
        raise FileNotFoundError(f'{p}/es5/tex-mml-chtml.js not found: point --mathjax/ACTIVEGAN_MATHJAX_DIR at the mathjax@3 package folder')
    prefix = cache_root()/f'mathjax-{MATHJAX_VERSION}'
    d = prefix/'node_modules'/'mathjax'
    if (d/'es5'/'tex-mml-chtml.js').exists(): return d
    npm = shutil.which('npm')
    if not npm:
        raise RuntimeError('MathJax 3 not found and npm is missing: install Node.js/npm (apt-get install -y npm) '
                           'or set ACTIVEGAN_MATHJAX_DIR to a folder holding es5/tex-mml-chtml.js')
    log(f'installing mathjax@{MATHJAX_VERSION} into {prefix} (npm registry, once)')
    prefix.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([npm, 'install', '--prefix', str(prefix), '--no-audit', '--no-fund', '--no-save',
                        '--loglevel=error', f'mathjax@{MATHJAX_VERSION}'], capture_output=True, text=True)
    if r.returncode or not (d/'es5'/'tex-mml-chtml.js').exists():
        raise RuntimeError(f'npm install mathjax@{MATHJAX_VERSION} failed (exit {r.returncode}): {r.stderr.strip()[-500:]}')
    return d


def copy_mathjax(src: Path, dest: Path):
    """The combined component plus what it loads on demand: TeX extensions (autoload), fonts, menu, a11y, sre."""
    es5 = src/'es5'
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(es5/'tex-mml-chtml.js', dest/'tex-mml-chtml.js')
    for sub in ('input', 'output', 'ui', 'a11y', 'sre', 'adaptors'):
        if (es5/sub).exists(): shutil.copytree(es5/sub, dest/sub, dirs_exist_ok=True)
    if (src/'LICENSE').exists(): shutil.copy2(src/'LICENSE', dest/'LICENSE')


# ---------------------------------------------------------------------------------------------------------------
# step 5: images

_IMG_SRC_RE = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"', re.I)


def copy_images(nbs: Path, proc: Path, out: Path, body: str, page_dir: Path, warnings: list):
    for src in _IMG_SRC_RE.findall(body):
        s = html.unescape(src)
        if re.match(r'^(data:|https?:|//)', s): continue
        rel = (page_dir/s.split('#')[0].split('?')[0])
        for base in (nbs, proc):
            f = (base/rel).resolve()
            if f.is_file():
                d = out/rel
                d.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, d)
                break
        else: warnings.append(f'{page_dir/"?"}: image {s!r} not found under {nbs}')


def copy_all_images(nbs: Path, out: Path):
    for f in nbs.rglob('*'):
        rel = f.relative_to(nbs)
        if f.suffix.lower() not in IMAGE_EXTS or not f.is_file(): continue
        if any(p.startswith(('.', '_')) for p in rel.parts[:-1]): continue
        d = out/rel
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, d)


# ---------------------------------------------------------------------------------------------------------------

def title_cell_losses(nb_path: Path):
    """Text that nbdev's front-matter processor drops: it turns the `# Title` cell into front matter (title, the
    FIRST `> ` line as description) and removes the whole cell, so anything else in that cell never reaches the docs."""
    import nbformat
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == 'raw' and cell.source.strip().startswith('---'): return None
        if cell.cell_type != 'markdown': continue
        if not re.search(r'^#\s+(\S.*?)\s*$', cell.source, flags=re.M): return None
        rest = [l for l in cell.source.splitlines()
                if l.strip() and not re.match(r'^#\s+\S', l) and not re.match(r'^-\s+(\S.*:.*\S)\s*$', l)]
        quotes = [l for l in rest if l.startswith('>')]
        lost = rest[1:] if quotes and rest[0] == quotes[0] else rest
        return lost[0][:80] if lost else None
    return None


def mixed_import_cells(nb_path: Path):
    """Cells that nbdev runs while building the docs although they are not exported: a top-level import next to
    other top-level code (nbdev's "cells containing imports and other code" warning). They slow the docs build
    down, or break it when they use names from cells nbdev does not run."""
    import ast, nbformat
    nb = nbformat.read(nb_path, as_version=4)
    out, n = [], -1
    for cell in nb.cells:
        if cell.cell_type != 'code': continue
        n += 1
        opts = {m.group(1) for l in cell.source.splitlines() if (m := re.match(r'^#\|\s*([\w-]+)', l))}
        if opts & {'export', 'exports', 'exporti', 'exec_doc'} or str(cell_options(cell.source).get('eval', '')).lower() == 'false':
            continue
        src = '\n'.join(l for l in cell.source.splitlines() if not l.lstrip().startswith(('%', '!')))
        try: tree = ast.parse(src)
        except SyntaxError: continue
        top = tree.body
        if any(isinstance(t, (ast.Import, ast.ImportFrom)) for t in top) and any(isinstance(t, (ast.Expr, ast.Assign)) for t in top):
            out.append((n, cell.source.strip().splitlines()[0][:70]))
    return out


def output_name(key: str, front: dict) -> str:
    """The page's file, as Quarto names it: the front matter's output-file, else nbdev's rule (numeric prefix off)."""
    from nbdev.config import nbpath2html
    stem = Path(key)
    name = front.get('output-file') or nbpath2html(stem).name
    return str(stem.parent/name) if str(stem.parent) != '.' else name


_IPYNB_HREF_RE = re.compile(r'href="([^"#:]+\.ipynb)(#[^"]*)?"')


def render(out: Path, *, proc: bool = True, n_workers: int = 2, mathjax: str | None = None, show_warnings: bool = True) -> dict:
    t0 = time.time()
    for k, v in dict(MPLBACKEND='Agg', ACTIVEGAN_NO_PROGRESS='1', ACTIVEGAN_DEVICE='cpu').items(): os.environ.setdefault(k, v)
    nbs = nbs_path()
    out = out if out.is_absolute() else (ROOT/out)
    out = out.resolve()
    if out in (ROOT, nbs) or out in ROOT.parents or out == Path.home():
        raise ValueError(f'--out {out} would replace the repository: pick a folder such as _site')
    if out.exists() and any(out.iterdir()) and not (out/MARKER).exists():
        raise RuntimeError(f'{out} exists and was not made by render_docs.py: remove it or pick another --out')

    groups = read_sidebar(nbs)
    if proc:
        t = time.time(); cache, failures = run_nbdev_proc(nbs, n_workers)
        log(f'nbdev processors -> {cache.relative_to(ROOT)} ({time.time()-t:.1f}s)')
    else: cache, failures = ROOT/'_proc', {}
    if not cache.exists(): raise FileNotFoundError(f'{cache} not found: run without --no-proc')
    mj_src = find_mathjax(mathjax)

    order = [k for _, keys in groups for k in keys]
    notebooks = [str(p.relative_to(cache)) for p in _notebooks(cache)]
    notebooks = [k for k in notebooks if k not in failures and (nbs/k).exists()]
    extra = [k for k in notebooks if k not in order]
    pending = [k for k in order if k not in notebooks and k not in failures]
    warnings = []
    if pending: warnings.append(f'in the _quarto.yml sidebar, not in {nbs.name}/ yet (left out): {", ".join(pending)}')
    if extra:
        warnings.append(f'not in the _quarto.yml sidebar (listed under "Other"): {", ".join(extra)}')
        groups = groups + [('Other', extra)]
    keys = [k for k in order if k in notebooks] + extra

    tmp = out.with_name(out.name + '.tmp')
    if tmp.exists(): shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    (tmp/MARKER).write_text('made by tools/render_docs.py; the whole folder is replaced on every run\n')

    import nbformat
    from nbconvert.filters import markdown2html
    ex = exporter()
    pages, bodies = {}, {}
    mixed = [f'{nbs.name}/{k} code cell {n+1}: nbdev runs it when building the docs (an import next to other code; '
             f'move the import to its own cell): {first!r}'
             for k in keys + [k for k in failures if (nbs/k).exists()] for n, first in mixed_import_cells(nbs/k)]
    warnings += mixed
    for k in keys:
        if (lost := title_cell_losses(nbs/k)):
            warnings.append(f'{nbs.name}/{k}: nbdev drops everything in the title cell but "# Title" and one "> summary" '
                            f'line; this does not reach the docs: {lost!r}... (move it to the next markdown cell)')
        nb = nbformat.read(cache/k, as_version=4)
        nb, front, math = prepare_notebook(nb)
        body, _ = ex.from_notebook_node(nb)
        body = re.sub(r'^.*?<body[^>]*>|</body>.*$', '', body, flags=re.S)  # basic template: body only already
        title = str(front.get('title') or Path(k).stem)
        desc = front.get('description')
        desc_html = markdown2html(str(desc)) if desc else ''
        pages[k] = dict(href=output_name(k, front), title=title, notebook=f'{nbs.name}/{k}', math_display=math['display'],
                        math_inline=math['inline'], description=str(desc or ''))
        bodies[k] = (body, desc_html)
    href_of = {k: p['href'] for k, p in pages.items()}
    href_of.update({k: output_name(k, {}) for k in pending + list(failures)})  # links to pages still to come

    from pygments.formatters import HtmlFormatter
    (tmp/'pygments.css').write_text(HtmlFormatter(style='default').get_style_defs('.highlight'))
    (tmp/'site.css').write_text(_STYLE)
    for k in keys:
        body, desc_html = bodies[k]
        page_dir = Path(k).parent
        root = '../'*len(page_dir.parts)

        def fix(m, page_dir=page_dir, root=root):
            target = os.path.normpath(str(page_dir/m.group(1)))
            if target in href_of: return f'href="{root}{href_of[target]}{m.group(2) or ""}"'
            return m.group(0)
        body = _IPYNB_HREF_RE.sub(fix, body)
        copy_images(nbs, cache, tmp, body, page_dir, warnings)
        p = pages[k]
        doc = page_html(title=p['title'], description_html=desc_html, body=body, root=root,
                        sidebar_html=sidebar_html(groups, pages, k, root), toc=toc_entries(body),
                        pygments_css_href='pygments.css')
        dest = tmp/p['href']
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(doc, encoding='utf-8')
    copy_all_images(nbs, tmp)
    copy_mathjax(mj_src, tmp/'mathjax')
    manifest = dict(failed=failures, failed_pages=[dict(key=k, href=href_of[k]) for k in failures], pages=[dict(key=k, **pages[k]) for k in keys], pending=[dict(key=k, href=href_of[k]) for k in pending],
                    sidebar=[[s, ks] for s, ks in groups], warnings=warnings, mathjax=str(mj_src))
    (tmp/'pages.json').write_text(json.dumps(manifest, indent=1))

    if out.exists(): shutil.rmtree(out)
    tmp.rename(out)
    if show_warnings:
        for w in warnings: log('warning:', w)
    elif warnings: log(f'{len(warnings)} warnings (listed in the check report below)')
    dt = time.time()-t0
    log(f'{len(keys)} pages -> {out} in {dt:.1f}s (open {out/"index.html"})')
    for k, err in failures.items():
        log(f'ERROR: {nbs.name}/{k}: nbdev could not process it for the docs (page left out; nbdev-docs fails the same '
            f'way): {err}')
    if failures:
        log('hint: nbdev runs every #| export cell, show_doc cell and cell containing an import when building the '
            'docs; a cell that mixes an import with code using names from non-exported cells fails there: '
            'put the import in its own cell (or in an exported cell).')
    return dict(out=out, pages=len(keys), seconds=dt, warnings=warnings, failures=failures, mixed=mixed)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default='_site', help='output folder (default: _site, relative to the repo root)')
    ap.add_argument('--check', action='store_true', help='then check every page in headless Chromium (tools/check_docs.py)')
    ap.add_argument('--no-proc', action='store_true', help='reuse _proc/ as it is (skip nbdev processing)')
    ap.add_argument('--workers', type=int, default=min(4, os.cpu_count() or 1), help='nbdev processing workers')
    ap.add_argument('--mathjax', default=None, help='folder of the mathjax@3 package (holds es5/tex-mml-chtml.js)')
    a = ap.parse_args(argv)
    try:
        res = render(Path(a.out), proc=not a.no_proc, n_workers=a.workers, mathjax=a.mathjax, show_warnings=not a.check)
    except (FileNotFoundError, RuntimeError, ValueError) as e:
        print(f'render_docs: error: {e}', file=sys.stderr)
        return 2
    rc = 1 if res['failures'] else 0
    if a.check and res['mixed']:   # a regression guard: such a cell runs (and can fail) inside `nbdev-docs`
        for w in res['mixed']: print(f'render_docs: error: {w}', file=sys.stderr)
        rc = 1
    if a.check:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import check_docs
        rc = max(rc, check_docs.main([str(res['out'])]))
    return rc


if __name__ == '__main__':
    sys.exit(main())
