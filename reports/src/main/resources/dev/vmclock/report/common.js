'use strict';
// Shared helpers: build DOM nodes without innerHTML, so no report text is ever parsed as markup.
const DATA = JSON.parse(document.getElementById('report-data').textContent);
const VERDICTS = ['PASS', 'FAIL', 'NOT_APPLICABLE', 'ERROR'];
const STRENGTHS = ['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY'];
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}
function badge(v) { return el('span', {class: 'badge v-' + v}, v.replace('_', ' ')); }
function facts(pairs) {
  return el('dl', {class: 'facts'}, pairs.filter(p => p[1] !== null && p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}
function checkboxes(legend, name, values, onchange) {
  return el('fieldset', {}, el('legend', {}, legend), values.map(v =>
    el('label', {}, el('input', {type: 'checkbox', name, value: v, checked: true, onchange}), ' ', v.replace('_', ' '))));
}
function checked(name) { return new Set([...document.querySelectorAll('input[name="' + name + '"]:checked')].map(i => i.value)); }
