// The playground page: pickers, editor, output and link state. Every
// conversion is done by the WebAssembly build of sigconv (sigconv.convert);
// this file only shows what it returns and never interprets a rule.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const ui = {
    example: $('example'), target: $('target'), pipelines: $('pipelines'),
    without: $('without-pipeline'), format: $('format'), share: $('share'),
    rule: $('rule'), gutter: $('gutter'), backdrop: $('backdrop'), errors: $('errors'),
    output: $('output'), copy: $('copy'), status: $('status'),
  };
  const loadStart = performance.now();
  const timings = { readyMs: null, firstConversionMs: null, lastConversionMs: null, conversions: 0 };
  window.sigconvTimings = timings;
  let targets = [];
  let examples = [];
  let ready = false;
  let pending = 0;

  // --- link state: #t=TARGET&p=A,B&np=1&f=FORMAT&r=BASE64URL(rule text) ---
  const encodeText = (s) => {
    let bin = '';
    for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const decodeText = (s) => {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  };
  function readFragment() {
    const q = new URLSearchParams(location.hash.slice(1));
    const st = { t: q.get('t') || '', p: (q.get('p') || '').split(',').filter(Boolean), np: q.get('np') === '1', f: q.get('f') || '', r: null };
    if (q.has('r')) {
      try { st.r = decodeText(q.get('r')); } catch (e) { st.r = null; }
    }
    return st;
  }
  function writeFragment() {
    const q = new URLSearchParams();
    q.set('t', ui.target.value);
    const p = chosenPipelines();
    if (p.length) q.set('p', p.join(','));
    if (ui.without.checked) q.set('np', '1');
    if (ui.format.value) q.set('f', ui.format.value);
    q.set('r', encodeText(ui.rule.value));
    history.replaceState(null, '', '#' + q.toString());
  }

  // --- pickers ---
  const option = (value, label) => { const o = document.createElement('option'); o.value = value; o.textContent = label; return o; };
  const currentTarget = () => targets.find((t) => t.name === ui.target.value) || targets[0];
  function fillTargetChoices(st) {
    const t = currentTarget();
    ui.pipelines.querySelectorAll('label').forEach((l) => l.remove());
    for (const p of t.pipelines) {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = p.name;
      box.checked = st && st.p.length ? st.p.includes(p.name) : p.default;
      box.dataset.default = p.default ? '1' : '';
      box.addEventListener('change', changed);
      label.append(box, ' ' + p.name + (p.default ? ' (default)' : ''));
      ui.pipelines.append(label);
    }
    ui.format.replaceChildren(...t.formats.map((f) => option(f === 'default' ? '' : f, f)));
    if (st && st.f && t.formats.includes(st.f)) ui.format.value = st.f;
    syncWithout();
  }
  function syncWithout() {
    ui.pipelines.querySelectorAll('input').forEach((b) => { b.disabled = ui.without.checked; });
  }
  // The pipelines to name with -p: none when the choice is the target's
  // default, as the CLI does without -p.
  function chosenPipelines() {
    if (ui.without.checked) return [];
    const boxes = [...ui.pipelines.querySelectorAll('input')];
    const same = boxes.every((b) => b.checked === (b.dataset.default === '1'));
    return same ? [] : boxes.filter((b) => b.checked).map((b) => b.value);
  }

  // --- editor: line numbers and highlighted error lines ---
  function renderEditor(errorLines, warningLines = new Set()) {
    const lines = ui.rule.value.split('\n');
    const gutter = document.createDocumentFragment();
    const back = document.createDocumentFragment();
    lines.forEach((text, i) => {
      const n = i + 1;
      const g = document.createElement('div');
      g.textContent = String(n);
      const b = document.createElement('div');
      b.className = 'line';
      b.textContent = text || ' ';
      b.dataset.line = g.dataset.line = String(n);
      const mark = errorLines.has(n) ? 'error' : warningLines.has(n) ? 'warning' : '';
      if (mark) { g.className = mark; b.classList.add(mark); }
      gutter.append(g);
      back.append(b);
    });
    ui.gutter.replaceChildren(gutter);
    ui.backdrop.replaceChildren(back);
    syncScroll();
  }
  function syncScroll() {
    ui.backdrop.scrollTop = ui.gutter.scrollTop = ui.rule.scrollTop;
    ui.backdrop.scrollLeft = ui.rule.scrollLeft;
  }
  function goTo(line, column) {
    const lines = ui.rule.value.split('\n');
    let at = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += Math.max(0, column - 1);
    ui.rule.focus();
    ui.rule.setSelectionRange(at, at);
    ui.rule.scrollTop = Math.max(0, (line - 5) * 20);
    syncScroll();
  }

  // --- conversion ---
  function convert() {
    if (!ready) return;
    const req = {
      target: ui.target.value, pipelines: chosenPipelines(), withoutPipeline: ui.without.checked,
      format: ui.format.value, text: ui.rule.value,
    };
    const start = performance.now();
    const res = JSON.parse(sigconv.convert(JSON.stringify(req)));
    const took = performance.now() - start;
    timings.lastConversionMs = took;
    timings.conversions++;
    if (timings.firstConversionMs === null) timings.firstConversionMs = performance.now() - loadStart;
    ui.output.textContent = res.output;
    const errorLines = new Set();
    const warningLines = new Set();
    const items = res.diagnostics.map((d) => {
      const li = document.createElement('li');
      if (d.warning) li.classList.add('warning');
      // Positions named inside the message (a correlation's failing rule) are marked too.
      for (const r of d.related || []) (d.warning ? warningLines : errorLines).add(r.line);
      if (d.line > 0) {
        (d.warning ? warningLines : errorLines).add(d.line);
        li.textContent = `rule.yml:${d.line}:${d.column}: ${d.message}`;
        li.dataset.line = String(d.line);
        li.addEventListener('click', () => goTo(d.line, d.column));
      } else {
        li.classList.add('plain');
        li.textContent = d.message;
      }
      return li;
    });
    ui.errors.replaceChildren(...items);
    renderEditor(errorLines, warningLines);
    const parts = [];
    if (res.summary) parts.push(res.summary);
    else if (res.status === 0) parts.push('converted');
    else parts.push(`failed (exit status ${res.status})`);
    parts.push(`${took.toFixed(1)} ms`);
    ui.status.textContent = parts.join(' · ');
    document.body.dataset.conversions = String(timings.conversions);
    writeFragment();
  }
  function changed() {
    syncWithout();
    clearTimeout(pending);
    pending = setTimeout(convert, 120);
  }

  // --- wiring ---
  function applyState(st) {
    if (st.t && targets.some((t) => t.name === st.t)) ui.target.value = st.t;
    ui.without.checked = st.np;
    fillTargetChoices(st);
    if (st.r !== null) {
      ui.rule.value = st.r;
      ui.example.value = '';
    }
  }
  function start() {
    targets = JSON.parse(sigconv.targets());
    examples = JSON.parse(sigconv.examples());
    ui.target.replaceChildren(...targets.map((t) => option(t.name, t.name)));
    examples.forEach((e, i) => ui.example.append(option(String(i), e.name)));
    ui.rule.value = examples[0].text;
    ui.example.value = '0';
    applyState(readFragment());
    ready = true;
    timings.readyMs = performance.now() - loadStart;
    convert();
  }
  ui.example.addEventListener('change', () => {
    const e = examples[Number(ui.example.value)];
    if (e) { ui.rule.value = e.text; convert(); }
  });
  ui.target.addEventListener('change', () => { fillTargetChoices(null); convert(); });
  ui.without.addEventListener('change', changed);
  ui.format.addEventListener('change', changed);
  ui.rule.addEventListener('input', () => { ui.example.value = ''; renderEditor(new Set()); changed(); });
  ui.rule.addEventListener('scroll', syncScroll);
  ui.rule.addEventListener('keydown', (ev) => {
    if (ev.key === 'Tab' && !ev.shiftKey && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
      ev.preventDefault();
      ui.rule.setRangeText('    ', ui.rule.selectionStart, ui.rule.selectionEnd, 'end');
      changed();
    }
  });
  window.addEventListener('hashchange', () => {
    if (!ready) return;
    const st = readFragment();
    if (st.r !== null && st.r === ui.rule.value && st.t === ui.target.value) return; // our own write
    applyState(st);
    convert();
  });
  function copyText(text, button, label) {
    const done = () => { button.textContent = 'Copied'; setTimeout(() => { button.textContent = label; }, 1200); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
    } else {
      fallbackCopy(text, done);
    }
  }
  function fallbackCopy(text, done) {
    const t = document.createElement('textarea');
    t.value = text;
    document.body.append(t);
    t.select();
    if (document.execCommand('copy')) done();
    t.remove();
  }
  ui.copy.addEventListener('click', () => copyText(ui.output.textContent, ui.copy, 'Copy'));
  ui.share.addEventListener('click', () => { writeFragment(); copyText(location.href, ui.share, 'Copy link'); });

  // --- load the converter ---
  window.sigconvReady = () => setTimeout(start, 0);
  const go = new Go();
  const instantiate = () => (WebAssembly.instantiateStreaming
    ? WebAssembly.instantiateStreaming(fetch('sigconv.wasm'), go.importObject)
      .catch(() => fetch('sigconv.wasm').then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, go.importObject)))
    : fetch('sigconv.wasm').then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, go.importObject)));
  instantiate()
    .then((r) => go.run(r.instance))
    .catch((e) => { ui.status.textContent = 'Cannot load the converter: ' + e; });
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('sw.js').catch(() => {});
  }
})();
