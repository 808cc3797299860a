// Several runs side by side: implementations as columns, clauses as rows, differing rows highlighted.
(function () {
  const c = DATA.comparison, app = document.getElementById('app');
  const differing = c.rows.filter(r => r.differs).length;
  const onlyDiff = el('input', {type: 'checkbox', id: 'only-differing', onchange: filter});
  function filter() {
    for (const tr of document.querySelectorAll('tr.row')) tr.hidden = onlyDiff.checked && !tr.classList.contains('differs');
  }
  app.replaceChildren(
    el('h1', {}, DATA.title),
    el('p', {}, c.rows.length + ' clauses, ', el('strong', {id: 'differing-count'}, differing + ' with differing verdicts'),
      ' (highlighted). ', el('label', {}, onlyDiff, ' show only those')),
    el('table', {class: 'compare', id: 'compare'},
      el('thead', {}, el('tr', {}, el('th', {}, 'clause'), el('th', {}, 'strength'), el('th', {}, 'rule'),
        c.columns.map(col => el('th', {class: 'run', title: col.run_dir},
          col.label, el('br'), col.where !== 'local' ? [el('span', {class: 'muted'}, col.where), el('br')] : null,
          el('span', {class: 'muted'}, col.run_dir), el('br'),
          el('span', {class: 'gate ' + (col.gate_holds ? 'holds' : 'fails')}, 'gate ' + (col.gate_holds ? 'holds' : 'fails')),
          col.error ? el('div', {class: 'message cell-error'}, 'ERROR: ' + col.error) : null,
          el('div', {class: 'muted'}, VERDICTS.filter(v => col.by_verdict[v]).map(v => col.by_verdict[v] + ' ' + v.replace('_', ' ')).join(' · ')))))),
      el('tbody', {}, c.rows.map(r => el('tr', {class: 'row' + (r.differs ? ' differs' : ''), id: 'row-' + r.id, 'data-id': r.id},
        el('td', {class: 'id'}, r.id), el('td', {class: 'nowrap'}, r.strength), el('td', {}, r.rule),
        r.verdicts.map(v => el('td', {class: 'v'}, badge(v))))))));
})();
