// index.html of one run: header, clauses grouped by spec section, filters, evidence opened on click.
(function () {
  const r = DATA.report, evidence = DATA.evidence, app = document.getElementById('app');
  const impl = r.implementation, run = r.run, gate = r.gate_result;

  // "11.1.3 (/usr/bin/qemu-system-x86_64 in IMAGE)": the version, the binary and where it ran.
  function vmm(v) {
    return v.version + ' (' + v.path + (v.where && v.where !== 'local' ? ' in ' + v.where : '') + ')';
  }

  function header() {
    const gi = impl.guest_image;
    const left = el('div', {},
      el('h1', {}, DATA.title),
      facts([
        [DATA.vmm_name, vmm(impl.vmm)],
        ['details', Object.entries(impl.vmm.details || {}).map(([k, v]) => k + ' ' + v).join(', ') || null],
        ['cross-version hop', impl.hop ? 'every new process of an event started from ' + DATA.hop_vmm_name + ' '
          + vmm(impl.hop.vmm) : null],
        ['machine', impl.machine],
        ['accelerator', impl.accelerator.name + (impl.accelerator.reason ? ' — ' + impl.accelerator.reason : '')],
        ['guest kernel', gi ? (gi.kernel_release || '?') + ' (' + gi.kernel + ')' : 'none recorded'],
        ['host', impl.host.hostname + ', ' + impl.host.kernel + ', ' + impl.host.cpus + ' CPUs'],
        ['date', run.date],
        ['suite', run.suite_version + ', ' + r.clauses.length + ' clauses in ' + (run.elapsed_ms / 1000).toFixed(1) + ' s'],
        ['reference clock', run.reference_clock],
        ['selection', run.selection.length ? run.selection.join(', ') : 'all clauses'],
      ]));
    const g = el('div', {},
      el('div', {class: 'gate ' + (gate.holds ? 'holds' : 'fails'), id: 'gate'},
        'Gate (--fail-on ' + gate.gate + '): ' + (gate.holds ? 'HOLDS' : 'FAILS')),
      gate.failing.length ? el('div', {}, 'breaking it: ', gate.failing.join(', ')) : null,
      gate.container_failure ? el('div', {class: 'message'}, gate.container_failure) : null,
      expectations(gate.expectations), baseline(gate.baseline),
      counts());
    return el('header', {class: 'summary'}, left, g);
  }

  // The run held against an expectations file: the counts, then each unexpected result and each stale entry.
  function expectations(e) {
    if (!e) return null;
    return el('div', {class: 'expectations', id: 'expectations'},
      el('div', {}, 'Expectations ' + e.file + ' (' + e.entries + ' entries for ' + e.implementation + '): '
        + e.outcomes.expected + ' clauses as expected, ' + e.outcomes.unexpected + ' unexpected, '
        + e.outcomes['unexpected-pass'] + ' better than expected'),
      lines('unexpected', e.unexpected), lines('stale (better than expected)', e.unexpected_pass));
  }

  function baseline(b) {
    if (!b) return null;
    return el('div', {class: 'baseline', id: 'baseline'},
      el('div', {}, 'Baseline ' + b.baseline + ' (' + b.implementation + '): ' + b.worse.length + ' checks worse, '
        + b.better.length + ' better' + (b.not_judged.length ? ', ' + b.not_judged.length + ' clauses not judged here' : '')),
      lines('worse', b.worse), lines('better', b.better));
  }

  function lines(title, xs) {
    return xs.length ? el('details', {class: 'gate-lines', open: title === 'unexpected' || title === 'worse'},
      el('summary', {}, title + ' (' + xs.length + ')'), el('ul', {}, xs.map(x => el('li', {}, x)))) : null;
  }

  // "expected" / "UNEXPECTED" / "stale" beside a verdict held against an expectations file.
  function held(x) {
    if (!x || (x.outcome === 'expected' && !x.expected)) return null; // a PASS nothing else was expected of
    const label = x.outcome === 'expected' ? 'expected' : x.outcome === 'unexpected' ? 'UNEXPECTED' : 'stale';
    return el('span', {class: 'held ' + x.outcome, title: x.reason || (x.outcome === 'unexpected'
      ? 'no entry expects this' : '')}, label);
  }

  function counts() {
    const t = r.totals;
    const rows = STRENGTHS.filter(s => VERDICTS.some(v => t.by_strength[s][v] > 0)).map(s =>
      el('tr', {}, el('th', {}, s), VERDICTS.map(v => el('td', {}, t.by_strength[s][v] || '')),
        el('td', {}, VERDICTS.reduce((a, v) => a + t.by_strength[s][v], 0))));
    return el('table', {class: 'counts', id: 'counts'},
      el('thead', {}, el('tr', {}, el('th', {}, 'strength'), VERDICTS.map(v => el('th', {}, badge(v))), el('th', {}, 'total'))),
      el('tbody', {}, rows,
        el('tr', {}, el('th', {}, 'all'), VERDICTS.map(v => el('td', {}, t.by_verdict[v])), el('td', {}, t.clauses))));
  }

  function table() {
    const sections = [];
    for (const c of r.clauses) {
      let s = sections.find(x => x.name === c.section);
      if (!s) sections.push(s = {name: c.section, clauses: []});
      s.clauses.push(c);
    }
    return el('table', {class: 'clauses', id: 'clauses'},
      el('thead', {}, el('tr', {}, ['clause', 'strength', 'verdict', 'rule', 'reason'].map(h => el('th', {}, h)))),
      sections.map(s => el('tbody', {class: 'section', 'data-section': s.name},
        el('tr', {class: 'section'}, el('th', {colspan: 5}, s.name)),
        s.clauses.map(c => [
          el('tr', {class: 'clause', id: 'clause-' + c.id, 'data-id': c.id, 'data-verdict': c.verdict,
                    'data-outcome': c.expectation ? c.expectation.outcome : null,
                    'data-strength': c.strength, onclick: () => toggle(c.id), title: 'show the evidence',
                    tabindex: 0, 'aria-expanded': 'false', 'aria-controls': 'evidence-' + c.id,
                    onkeydown: e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(c.id); } }},
            el('td', {class: 'id'}, c.id), el('td', {class: 'nowrap'}, c.strength), el('td', {}, badge(c.verdict), ' ', held(c.expectation)),
            el('td', {}, c.rule), el('td', {class: 'reason'}, c.reason)),
          el('tr', {class: 'evidence-row', id: 'evidence-' + c.id, hidden: true}, el('td', {colspan: 5}))]))));
  }

  function toggle(id, forceOpen) {
    const row = document.getElementById('clause-' + id), ev = document.getElementById('evidence-' + id);
    if (!row) return;
    const open = forceOpen || ev.hidden;
    if (open && !ev.dataset.built) { ev.firstChild.append(clauseEvidence(r.clauses.find(c => c.id === id))); ev.dataset.built = '1'; }
    ev.hidden = !open;
    row.classList.toggle('open', open);
    row.setAttribute('aria-expanded', String(open));
    if (open && location.hash !== '#' + id) history.replaceState(null, '', '#' + id);
  }

  function clauseEvidence(c) {
    return el('div', {class: 'evidence'},
      el('div', {class: 'muted'}, c.source + ' — ' + c.section),
      c.tests.map(t => testEvidence(t)));
  }

  function testEvidence(t) {
    const ev = t.evidence_dir ? evidence[t.evidence_dir] : null;
    return el('div', {class: 'test', 'data-test': t.test},
      el('h4', {}, badge(t.verdict), ' ', held(t.expectation), ' ', t.test, el('span', {class: 'muted'}, ' (' + t.duration_ms + ' ms)')),
      t.expectation && t.expectation.expected ? el('div', {class: 'muted'}, 'expected ' + t.expectation.expected + ': '
        + t.expectation.reason + (t.expectation.link ? ' (' + t.expectation.link + ')' : '')) : null,
      t.message ? el('div', {class: 'message'}, t.message) : null,
      t.evidence_dir ? el('div', {class: 'muted'}, 'evidence: ' + t.evidence_dir + '/ (' + t.evidence_files.join(', ') + ')') : el('div', {class: 'muted'}, 'no evidence recorded'),
      ev ? [
        ev.diffs.map(d => el('div', {class: 'diff'}, el('h4', {}, 'page before/after ' + d.name + ': ',
            d.changed.length ? d.changed.length + ' field(s) changed: ' + d.changed.join(', ') : 'no field changed'),
          pageDiff(d),
          d.tail_differs ? el('div', {class: 'message tail'}, 'bytes beyond the structure (offset 0x70 on) differ too: see the .bin files') : null)),
        ev.pages.map(p => el('details', {class: 'page'}, el('summary', {}, 'page ' + p.name),
          el('table', {class: 'page-diff'}, Object.entries(p.fields).map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v)))))),
        (ev.binaries || []).map(b => el('details', {class: 'binary'}, el('summary', {}, b.name + ' (' + b.size + ' bytes'
            + (b.size > 256 ? ', the first 256 shown' : '') + ')'), el('pre', {class: 'excerpt'}, b.hex))),
        ev.problems.map(p => el('div', {class: 'message'}, p)),
        excerpt('notes', ev.notes, true), excerpt('hypervisor transcript', ev.qmp, false), excerpt('console (tail)', ev.console, false)
      ] : null);
  }

  function pageDiff(d) {
    return el('table', {class: 'page-diff'},
      el('thead', {}, el('tr', {}, ['field', 'offset', 'before', 'after'].map(h => el('th', {}, h)))),
      el('tbody', {}, d.rows.map(f => el('tr', {class: f.changed ? 'changed' : null, 'data-field': f.field},
        el('td', {class: 'field'}, f.field), el('td', {}, f.offset), el('td', {}, f.before), el('td', {}, f.after)))));
  }

  function excerpt(title, x, open) {
    if (!x || !x.text) return null;
    return el('details', {class: 'excerpt-' + title.split(' ')[0].toLowerCase(), open},
      el('summary', {}, title + (x.omitted_lines ? ' (' + x.omitted_lines + ' lines left out, see the file)' : '')),
      el('pre', {class: 'excerpt'}, x.text));
  }

  function applyFilters() {
    const vs = checked('verdict'), ss = checked('strength');
    for (const row of document.querySelectorAll('tr.clause')) {
      const show = vs.has(row.dataset.verdict) && ss.has(row.dataset.strength);
      row.hidden = !show;
      const ev = document.getElementById('evidence-' + row.dataset.id);
      if (!show) ev.hidden = true; else if (row.classList.contains('open')) ev.hidden = false;
    }
    for (const tb of document.querySelectorAll('tbody.section'))
      tb.hidden = ![...tb.querySelectorAll('tr.clause')].some(x => !x.hidden);
  }

  function openFromHash() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (document.getElementById('clause-' + id)) { toggle(id, true); document.getElementById('clause-' + id).scrollIntoView(); }
  }

  app.replaceChildren(header(),
    el('div', {class: 'filters'},
      checkboxes('verdict', 'verdict', VERDICTS, applyFilters),
      checkboxes('strength', 'strength', STRENGTHS, applyFilters),
      el('span', {class: 'muted'}, 'click a clause for its evidence')),
    table());
  window.addEventListener('hashchange', openFromHash);
  openFromHash();
})();
