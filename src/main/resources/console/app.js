// Vigil console: plain JavaScript, no build step, nothing loaded from elsewhere. Every figure comes
// from /api, which checks the session and the user's role; this script only draws. Text from the
// server is always put in the page as text (never as HTML).
'use strict';

const state = { me: null, queue: { page: 0, sel: 0, items: [], total: 0 }, filters: null, caseData: null };
const $ = (sel) => document.querySelector(sel);
const SVG = 'http://www.w3.org/2000/svg';

/** An element: h('td', {class: 'num'}, 'text', child, ...). */
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) el.append(k instanceof Node ? k : String(k));
  return el;
}

function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const k of kids) el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return el;
}

function toast(msg, err) {
  const t = $('#toast');
  t.textContent = msg;
  t.className = 'show' + (err ? ' err' : '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ''; }, 4000);
}

async function api(method, path, body) {
  const opts = { method, headers: { 'X-Vigil-Console': '1' }, credentials: 'same-origin' };
  if (body !== undefined) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (r.status === 401 && path !== '/api/login') { state.me = null; showLogin(); throw new Error('please log in'); }
  if (!r.ok) throw new Error((data && data.error && data.error.message) || ('HTTP ' + r.status));
  return data;
}

const may = (p) => state.me && state.me.permissions.includes(p);
const badge = (cls, text) => h('span', { class: 'badge ' + cls }, text);
const ago = (secs) => secs < 3600 ? Math.floor(secs / 60) + ' min' : secs < 172800 ? Math.floor(secs / 3600) + ' h' : Math.floor(secs / 86400) + ' d';
const when = (iso) => iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';

function render(...nodes) {
  const m = $('#main');
  m.replaceChildren(...nodes);
}

// ---- login --------------------------------------------------------------------------------------

function showLogin(message) {
  $('#nav').hidden = true; $('#logout').hidden = true; $('#who').textContent = '';
  const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const err = h('p', { id: 'login-error', class: 'overdue', role: 'alert' }, message || '');
  const form = h('form', { class: 'card login', id: 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      state.me = await api('POST', '/api/login', { username: user.value, password: pass.value });
      pass.value = '';
      afterLogin();
    } catch (ex) { err.textContent = ex.message; pass.select(); }
  } }, h('h1', {}, 'Vigil console'), h('label', {}, 'Username', user), h('label', {}, 'Password', pass), err,
     h('button', { class: 'primary', id: 'login-submit', type: 'submit' }, 'Log in'));
  render(form);
  user.focus();
}

function afterLogin() {
  $('#nav').hidden = false; $('#logout').hidden = false;
  $('#who').textContent = state.me.username + ' · ' + state.me.roles.join(', ').toLowerCase();
  $('#nav-audit').hidden = !may('READ_AUDIT');
  $('#nav-queue').hidden = !may('VIEW_CASES');
  if (!location.hash || location.hash === '#/' || location.hash === '#/login') location.hash = may('VIEW_CASES') ? '#/queue' : '#/overview';
  else route();
}

// ---- queue --------------------------------------------------------------------------------------

function defaultFilters() {
  return { state: '', band: '', rule: '', assignee: '', min_age_hours: '', sort: 'priority', dir: 'desc', size: '50' };
}

async function showQueue() {
  if (!may('VIEW_CASES')) { render(h('p', { class: 'card' }, 'Your role does not see cases.')); return; }
  const f = state.filters || (state.filters = defaultFilters());
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  q.set('page', state.queue.page);
  const data = await api('GET', '/api/cases?' + q);
  state.queue.items = data.items; state.queue.total = data.total;
  state.queue.sel = Math.min(state.queue.sel, Math.max(0, data.items.length - 1));

  const field = (label, key, input) => {
    input.value = f[key];
    input.addEventListener('change', () => { f[key] = input.value; state.queue.page = 0; showQueue(); });
    input.id = 'filter-' + key;
    return h('label', {}, label, input);
  };
  const opt = (v, t) => h('option', { value: v }, t);
  const filters = h('div', { class: 'filters card' },
    field('State', 'state', h('select', {}, opt('', 'open (all open states)'), opt('OPEN', 'open'), opt('IN_REVIEW', 'in review'),
      opt('ESCALATED_SAR', 'escalated (SAR)'), opt('CLOSED_FRAUD', 'closed: fraud'), opt('CLOSED_LEGIT', 'closed: legitimate'), opt('ALL', 'all'))),
    field('Priority', 'band', h('select', {}, opt('', 'any'), opt('HIGH', 'high (70+)'), opt('MEDIUM', 'medium (40–69)'), opt('LOW', 'low (<40)'))),
    field('Rule', 'rule', h('input', { size: 14, placeholder: 'e.g. VEL-001' })),
    field('Assignee', 'assignee', h('input', { size: 10, placeholder: '- for nobody' })),
    field('Older than (h)', 'min_age_hours', h('input', { size: 5, type: 'number', min: 0, step: 'any' })),
    field('Sort', 'sort', h('select', {}, opt('priority', 'priority'), opt('age', 'opened'), opt('sla', 'SLA deadline'),
      opt('amount', 'amount'), opt('risk', 'risk score'), opt('alerts', 'alerts'), opt('updated', 'last change'))),
    field('Order', 'dir', h('select', {}, opt('desc', 'descending'), opt('asc', 'ascending'))),
    field('Per page', 'size', h('select', {}, opt('25', '25'), opt('50', '50'), opt('100', '100'), opt('200', '200'))));

  const counts = h('p', { class: 'counts', id: 'queue-counts' },
    ...Object.entries(data.counts).map(([k, v]) => h('span', {}, k.toLowerCase().replace('_', ' ') + ': ', h('b', {}, v))));
  const rows = data.items.map((c, i) => h('tr', { 'data-case': c.case_id, class: i === state.queue.sel ? 'sel' : null,
      onclick: () => { location.hash = '#/case/' + c.case_id; } },
    h('td', {}, h('a', { href: '#/case/' + c.case_id, id: 'case-link-' + c.case_id }, '#' + c.case_id)),
    h('td', {}, badge('b-' + c.band, c.priority)),
    h('td', {}, c.state.toLowerCase().replace('_', ' ')),
    h('td', {}, badge('v-' + c.max_verdict, c.max_verdict)),
    h('td', {}, c.account_id),
    h('td', { class: 'num' }, c.max_amount + ' ' + c.currency),
    h('td', { class: 'num' }, c.max_risk_score),
    h('td', { class: 'num' }, c.alert_count),
    h('td', {}, c.rule_ids.join(' ')),
    h('td', {}, c.assignee || h('span', { class: 'muted' }, '—')),
    h('td', {}, ago(c.age_seconds)),
    h('td', { class: c.overdue ? 'overdue' : null }, when(c.sla_deadline))));
  const pages = Math.max(1, Math.ceil(data.total / data.size));
  const pager = h('p', {},
    h('button', { id: 'page-prev', disabled: state.queue.page === 0, onclick: () => { state.queue.page--; showQueue(); } }, '← Previous'), ' ',
    `Page ${data.page + 1} of ${pages} · ${data.total} cases `,
    h('button', { id: 'page-next', disabled: data.page + 1 >= pages, onclick: () => { state.queue.page++; showQueue(); } }, 'Next →'));
  render(h('h1', {}, 'Case queue'), filters, counts,
    h('div', { class: 'card' }, h('table', { id: 'queue' },
      h('thead', {}, h('tr', {}, ...['Case', 'Priority', 'State', 'Verdict', 'Account', 'Largest amount', 'Risk', 'Alerts', 'Rules',
        'Assignee', 'Age', 'SLA deadline'].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 12, class: 'muted' }, 'No cases match.'))))),
    pager);
}

function moveSelection(d) {
  const rows = document.querySelectorAll('#queue tbody tr[data-case]');
  if (!rows.length) return;
  state.queue.sel = Math.max(0, Math.min(rows.length - 1, state.queue.sel + d));
  rows.forEach((r, i) => r.classList.toggle('sel', i === state.queue.sel));
  rows[state.queue.sel].scrollIntoView({ block: 'nearest' });
}

// ---- case page ----------------------------------------------------------------------------------

async function showCase(id) {
  const d = await api('GET', '/api/cases/' + id);
  state.caseData = d;
  const c = d.case;
  const blocked = d.alerts.filter((a) => a.verdict === 'BLOCK').map((a) => a.transaction_id);
  const comment = h('textarea', { id: 'action-comment', placeholder: 'Comment (optional for most actions; needed to comment)', 'aria-label': 'comment' });
  const releaseTx = h('select', { id: 'action-release-tx', 'aria-label': 'blocked transaction' }, ...blocked.map((t) => h('option', { value: t }, t)));
  const open = ['OPEN', 'IN_REVIEW', 'ESCALATED_SAR'].includes(c.state);
  const canAct = may('ACT_ON_CASES');
  const act = (action, extra) => async () => {
    try {
      const body = Object.assign({ action, comment: comment.value || null }, extra || {});
      const r = await api('POST', `/api/cases/${c.case_id}/actions`, body);
      toast(action.toLowerCase().replace('_', ' ') + ': case is ' + r.state.toLowerCase().replace('_', ' ')
        + (r.labels ? ` · ${r.labels} label(s) ${r.labels_published ? 'published' : 'NOT published'}` : ''), r.labels && !r.labels_published);
      showCase(c.case_id);
    } catch (e) { toast(e.message, true); }
  };
  const btn = (id, key, text, fn, enabled, cls) => h('button', { id, class: cls || null, disabled: !enabled, 'data-key': key, onclick: fn },
    text, ' ', h('kbd', {}, key));
  const actions = h('div', { class: 'card actions', id: 'case-actions' },
    btn('action-assign', 'a', 'Assign to me', act('ASSIGN'), canAct && open),
    btn('action-comment-btn', 'c', 'Comment', act('COMMENT'), canAct),
    btn('action-close-fraud', 'f', 'Close as fraud', act('CLOSE', { outcome: 'FRAUD' }), canAct && open, 'danger'),
    btn('action-close-legit', 'l', 'Close as legitimate', act('CLOSE', { outcome: 'LEGIT' }), canAct && open, 'primary'),
    btn('action-escalate', 'e', 'Escalate (SAR)', act('ESCALATE'), canAct && open && c.state !== 'ESCALATED_SAR'),
    blocked.length ? releaseTx : null,
    btn('action-request-release', 'r', 'Ask to release', () => act('REQUEST_RELEASE', { transaction_id: releaseTx.value })(),
      canAct && blocked.length > 0 && c.release_state !== 'RELEASED'),
    btn('action-approve-release', 'v', 'Approve release', () => act('APPROVE_RELEASE', { transaction_id: releaseTx.value })(),
      may('APPROVE_RELEASE') && c.release_state === 'REQUESTED'),
    comment);

  const summary = h('div', { class: 'card' }, h('dl', { class: 'kv', id: 'case-summary' },
    h('dt', {}, 'State'), h('dd', { id: 'case-state' }, c.state),
    h('dt', {}, 'Priority'), h('dd', {}, badge('b-' + c.band, c.priority + ' ' + c.band.toLowerCase())),
    h('dt', {}, 'Account'), h('dd', {}, c.account_id + ' (customer ' + c.customer_id + ')'),
    h('dt', {}, 'Opened'), h('dd', {}, when(c.opened_at) + ' · ' + ago(c.age_seconds) + ' ago'),
    h('dt', {}, 'SLA deadline'), h('dd', { class: c.overdue ? 'overdue' : null }, when(c.sla_deadline) + (c.overdue ? ' (overdue)' : '')),
    h('dt', {}, 'Assignee'), h('dd', {}, c.assignee || '—'),
    h('dt', {}, 'Release'), h('dd', {}, c.release_state ? c.release_state.toLowerCase() : '—')));

  const alerts = d.alerts.map((a) => h('div', { class: 'card', 'data-tx': a.transaction_id },
    h('h3', {}, badge('v-' + a.verdict, a.verdict), ' ', a.transaction_id, ' · ', a.amount + ' ' + a.currency, ' · ', a.transaction_type || ''),
    h('div', { class: 'grid' },
      h('div', {}, h('h4', {}, 'Decision'), h('dl', { class: 'kv' },
        h('dt', {}, 'Event time'), h('dd', {}, when(a.event_time)),
        h('dt', {}, 'Decided'), h('dd', {}, when(a.processed_at)),
        h('dt', {}, 'Model score'), h('dd', {}, a.risk_score + ' / 100 (p = ' + Number(a.probability).toFixed(4) + ')'),
        h('dt', {}, 'Model'), h('dd', {}, a.model_version || '—'),
        h('dt', {}, 'Rule set'), h('dd', {}, (a.rule_set_version || '') + ' ' + (a.rule_set_hash || '')),
        h('dt', {}, 'Source'), h('dd', {}, a.source || '')),
        h('h4', {}, 'Rules fired'),
        h('table', { class: 'rules' }, h('tbody', {}, ...(a.hits || []).map((r) => h('tr', {},
          h('td', {}, r.rule_id), h('td', {}, badge('v-' + r.verdict, r.verdict)), h('td', {}, r.reason)))))),
      h('div', {}, h('h4', {}, 'Why the model scored it so (SHAP, log-odds)'), shapChart(a.contributions || [])),
      h('div', {}, h('h4', {}, 'Features'), featureTable(a.features))),
    h('details', {}, h('summary', {}, 'Event as received'), h('pre', {}, JSON.stringify(a.event, null, 2)))));

  const history = h('table', { id: 'case-history' }, h('thead', {}, h('tr', {}, ...['When', 'Who', 'Action', 'Transaction', 'Outcome', 'Assignee', 'Comment', 'State after'].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...d.actions.map((x) => h('tr', {}, h('td', {}, when(x.at)), h('td', {}, x.actor), h('td', {}, x.action),
      h('td', {}, x.transaction_id || ''), h('td', {}, x.outcome || ''), h('td', {}, x.assignee || ''), h('td', {}, x.comment || ''),
      h('td', {}, x.state_after)))));

  const past = d.past_cases.length ? h('table', {}, h('tbody', {}, ...d.past_cases.map((p) => h('tr', { onclick: () => { location.hash = '#/case/' + p.case_id; } },
    h('td', {}, h('a', { href: '#/case/' + p.case_id }, '#' + p.case_id)), h('td', {}, p.state), h('td', {}, when(p.opened_at)),
    h('td', {}, p.alert_count + ' alert(s)'), h('td', {}, p.rule_ids.join(' '))))))
    : h('p', { class: 'muted' }, 'No other cases for this account.');

  render(h('p', {}, h('a', { href: '#/queue' }, '← Queue'), ' ', h('kbd', {}, 'u')),
    h('h1', {}, 'Case #' + c.case_id), summary, actions,
    h('h2', {}, 'Transactions in this case'), ...alerts,
    h('div', { class: 'card' }, h('h2', {}, 'Account timeline'), timelineChart(d.timeline), timelineTable(d.timeline)),
    h('div', { class: 'card' }, h('h2', {}, 'Past cases of the account'), past),
    h('div', { class: 'card' }, h('h2', {}, 'Case history'), history));
}

function featureTable(features) {
  if (!features) return h('p', { class: 'muted' }, 'No decision row.');
  return h('table', {}, h('tbody', {}, ...Object.entries(features).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, String(v))))));
}

/** Horizontal bars, positive (towards fraud) to the right in red, negative to the left in green. */
function shapChart(contribs) {
  if (!contribs.length) return h('p', { class: 'muted', id: 'shap-empty' }, 'No explanation was recorded for this score.');
  const W = 420, row = 20, left = 170, mid = left + (W - left) / 2, half = (W - left) / 2 - 4;
  const max = Math.max(...contribs.map((c) => Math.abs(c.contribution)), 1e-9);
  const svg = s('svg', { width: W, height: contribs.length * row + 10, viewBox: `0 0 ${W} ${contribs.length * row + 10}`, role: 'img', 'aria-label': 'SHAP contributions', class: 'chart shap' });
  svg.append(s('line', { x1: mid, x2: mid, y1: 0, y2: contribs.length * row + 10, stroke: '#9aa3b5' }));
  contribs.forEach((c, i) => {
    const w = Math.abs(c.contribution) / max * half, y = i * row + 4;
    svg.append(s('text', { x: 0, y: y + 13 }, c.feature + ' = ' + (c.value === null ? '?' : +Number(c.value).toFixed(3))));
    svg.append(s('rect', { x: c.contribution >= 0 ? mid : mid - w, y, width: Math.max(1, w), height: row - 6,
      fill: c.contribution >= 0 ? '#c23030' : '#2e8540' }, s('title', {}, c.feature + ': ' + c.contribution.toFixed(4))));
  });
  return svg;
}

function timelineChart(tl) {
  if (!tl.length) return h('p', { class: 'muted' }, 'No decisions for this account.');
  const W = 900, H = 120, pad = 30;
  const ts = tl.map((t) => Date.parse(t.event_time)), t0 = Math.min(...ts), t1 = Math.max(...ts) || t0 + 1;
  const amounts = tl.map((t) => Math.log10(1 + Number(t.amount))), a1 = Math.max(...amounts, 1);
  const svg = s('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'account timeline', class: 'chart' });
  svg.append(s('line', { x1: pad, x2: W - pad, y1: H - pad, y2: H - pad, stroke: '#9aa3b5' }));
  svg.append(s('text', { x: pad, y: H - 8 }, when(new Date(t0).toISOString())));
  svg.append(s('text', { x: W - pad - 150, y: H - 8 }, when(new Date(t1).toISOString())));
  const color = { ALLOW: '#2e8540', REVIEW: '#c27c0e', BLOCK: '#c23030' };
  tl.forEach((t, i) => {
    const x = pad + (t1 === t0 ? 0.5 : (ts[i] - t0) / (t1 - t0)) * (W - 2 * pad);
    const y = H - pad - (amounts[i] / a1) * (H - 2 * pad);
    svg.append(s('circle', { cx: x, cy: y, r: t.in_case ? 6 : 4, fill: color[t.verdict], stroke: t.in_case ? '#1d2330' : 'none' },
      s('title', {}, `${when(t.event_time)} ${t.type} ${t.amount} ${t.currency} ${t.verdict}`)));
  });
  return svg;
}

function timelineTable(tl) {
  return h('details', {}, h('summary', {}, tl.length + ' most recent decisions'), h('table', {}, h('tbody', {},
    ...tl.map((t) => h('tr', { class: t.in_case ? 'sel' : null }, h('td', {}, when(t.event_time)), h('td', {}, t.transaction_id), h('td', {}, t.type),
      h('td', { class: 'num' }, t.amount + ' ' + t.currency), h('td', {}, badge('v-' + t.verdict, t.verdict)), h('td', { class: 'num' }, t.risk_score),
      h('td', {}, t.rule_ids.join(' ')))))));
}

// ---- overview -----------------------------------------------------------------------------------

async function showOverview() {
  const minutes = state.minutes || 15;
  const d = await api('GET', '/api/overview?minutes=' + minutes);
  const pick = h('select', { id: 'overview-window', onchange: (e) => { state.minutes = +e.target.value; showOverview(); } },
    ...[5, 15, 60, 240, 1440].map((m) => h('option', { value: m, selected: m === minutes }, m < 60 ? m + ' min' : m / 60 + ' h')));
  const tile = (label, value, id) => h('div', { class: 'tile', id }, h('b', {}, value), label);
  const v = d.verdicts;
  render(h('h1', {}, 'Overview'), h('p', {}, 'Last ', pick, ' · ', when(d.from), ' to ', when(d.to)),
    h('div', { class: 'tiles' },
      tile('events per second (mean)', d.events_per_second.toFixed(d.events_per_second < 10 ? 2 : 0), 'tile-eps'),
      tile('decisions', d.decisions, 'tile-decisions'),
      tile('alert rate (REVIEW + BLOCK)', (100 * d.alert_rate).toFixed(2) + ' %', 'tile-alert-rate'),
      tile('open cases', (d.cases.OPEN || 0) + (d.cases.IN_REVIEW || 0) + (d.cases.ESCALATED_SAR || 0), 'tile-open-cases')),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, 'Decisions per second'), seriesChart(d.series)),
      h('div', { class: 'card' }, h('h2', {}, 'Verdict mix'), barChart([['ALLOW', v.ALLOW, '#2e8540'], ['REVIEW', v.REVIEW, '#c27c0e'], ['BLOCK', v.BLOCK, '#c23030']], 'verdict-mix')),
      h('div', { class: 'card' }, h('h2', {}, 'Top rules'), barChart(d.top_rules.map((r) => [r.rule_id, r.count, '#2456c7']), 'top-rules')),
      h('div', { class: 'card' }, h('h2', {}, 'Risk score distribution'), histogram(d.score_distribution))));
}

function barChart(rows, id) {
  if (!rows.length) return h('p', { class: 'muted' }, 'Nothing in this window.');
  const W = 420, row = 22, left = 110, max = Math.max(...rows.map((r) => r[1]), 1);
  const svg = s('svg', { width: W, height: rows.length * row + 4, viewBox: `0 0 ${W} ${rows.length * row + 4}`, role: 'img', id, 'aria-label': id, class: 'chart' });
  rows.forEach(([label, n, color], i) => {
    const w = (n / max) * (W - left - 60);
    svg.append(s('text', { x: 0, y: i * row + 15 }, label));
    svg.append(s('rect', { x: left, y: i * row + 3, width: Math.max(1, w), height: row - 6, fill: color }));
    svg.append(s('text', { x: left + w + 4, y: i * row + 15 }, n));
  });
  return svg;
}

function histogram(bins) {
  const W = 420, H = 150, pad = 20, max = Math.max(...bins.map((b) => b.count), 1), bw = (W - 2 * pad) / bins.length;
  const svg = s('svg', { width: W, height: H + 20, viewBox: `0 0 ${W} ${H + 20}`, role: 'img', id: 'score-histogram', 'aria-label': 'risk score distribution', class: 'chart' });
  bins.forEach((b, i) => {
    const hgt = (b.count / max) * (H - pad);
    svg.append(s('rect', { x: pad + i * bw + 1, y: H - hgt, width: bw - 2, height: Math.max(0, hgt), fill: b.from >= 70 ? '#c23030' : b.from >= 40 ? '#c27c0e' : '#2456c7' },
      s('title', {}, `${b.from}–${b.from + 4}: ${b.count}`)));
    if (i % 4 === 0) svg.append(s('text', { x: pad + i * bw, y: H + 14 }, b.from));
  });
  return svg;
}

function seriesChart(series) {
  if (!series.length) return h('p', { class: 'muted' }, 'Nothing in this window.');
  const W = 420, H = 150, pad = 28;
  const pts = series.map((p) => ({ t: p.t, v: (p.ALLOW + p.REVIEW + p.BLOCK) / 10 }));
  const t0 = pts[0].t, t1 = Math.max(pts[pts.length - 1].t, t0 + 10), max = Math.max(...pts.map((p) => p.v), 1);
  const x = (t) => pad + ((t - t0) / (t1 - t0)) * (W - 2 * pad), y = (v) => H - pad - (v / max) * (H - 2 * pad);
  const svg = s('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', id: 'eps-chart', 'aria-label': 'decisions per second', class: 'chart' });
  svg.append(s('polyline', { points: pts.map((p) => x(p.t) + ',' + y(p.v)).join(' '), fill: 'none', stroke: '#2456c7', 'stroke-width': 2 }));
  pts.forEach((p) => svg.append(s('circle', { cx: x(p.t), cy: y(p.v), r: 2.5, fill: '#2456c7' }, s('title', {}, new Date(p.t * 1000).toISOString() + ': ' + p.v.toFixed(1) + '/s'))));
  svg.append(s('line', { x1: pad, x2: W - pad, y1: H - pad, y2: H - pad, stroke: '#9aa3b5' }));
  svg.append(s('text', { x: 0, y: pad }, max.toFixed(0)));
  svg.append(s('text', { x: 0, y: H - pad }, '0'));
  return svg;
}

// ---- audit log ----------------------------------------------------------------------------------

async function showAudit() {
  if (!may('READ_AUDIT')) { render(h('p', { class: 'card' }, 'Your role does not read the audit log.')); return; }
  const d = await api('GET', '/api/audit/log?limit=200');
  const table = (rows, cols) => h('table', {}, h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...cols.map((c) => h('td', {}, r[c] === null ? '' : String(r[c])))))));
  render(h('h1', {}, 'Audit log'),
    h('div', { class: 'card' }, h('h2', {}, 'Case actions'), table(d.case_actions, ['at', 'actor', 'action', 'case_id', 'transaction_id', 'outcome', 'assignee', 'comment', 'state_after'])),
    h('div', { class: 'card' }, h('h2', {}, 'Access events'), table(d.access_events, ['at', 'actor', 'event', 'subject', 'detail'])));
}

// ---- routing and keys ---------------------------------------------------------------------------

async function route() {
  if (!state.me) return;
  const hash = location.hash || '#/queue';
  document.querySelectorAll('header nav a').forEach((a) => a.classList.toggle('active', hash.startsWith(a.getAttribute('href'))));
  try {
    let m;
    if ((m = hash.match(/^#\/case\/(\d+)$/))) await showCase(m[1]);
    else if (hash === '#/overview') await showOverview();
    else if (hash === '#/audit') await showAudit();
    else await showQueue();
    $('#main').focus({ preventScroll: true });
  } catch (e) { if (state.me) toast(e.message, true); }
}

let pendingG = false;
document.addEventListener('keydown', (e) => {
  if (!state.me) return;
  // Ctrl+Enter in the comment box sends it as a comment.
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && document.activeElement.id === 'action-comment') {
    e.preventDefault();
    const b = $('#action-comment-btn');
    if (b && !b.disabled) b.click();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
  if (typing) { if (e.key === 'Escape') document.activeElement.blur(); return; }
  const k = e.key;
  if (pendingG) {
    pendingG = false;
    if (k === 'q') location.hash = '#/queue';
    else if (k === 'o') location.hash = '#/overview';
    else if (k === 'a') location.hash = '#/audit';
    return;
  }
  if (k === 'g') { pendingG = true; return; }
  if (k === '?') { $('#help').showModal(); return; }
  const onCase = /^#\/case\//.test(location.hash);
  if (onCase) {
    if (k === 'u') { location.hash = '#/queue'; return; }
    if (k === 'c') { e.preventDefault(); $('#action-comment').focus(); return; }
    const b = document.querySelector(`#case-actions button[data-key="${k}"]`);
    if (b && !b.disabled) { e.preventDefault(); b.click(); }
    return;
  }
  if (document.querySelector('#queue')) {
    if (k === 'j') moveSelection(1);
    else if (k === 'k') moveSelection(-1);
    else if (k === 'Enter') { const it = state.queue.items[state.queue.sel]; if (it) location.hash = '#/case/' + it.case_id; }
    else if (k === 'n') { const b = $('#page-next'); if (b && !b.disabled) b.click(); }
    else if (k === 'p') { const b = $('#page-prev'); if (b && !b.disabled) b.click(); }
    else if (k === '/') { e.preventDefault(); $('#filter-rule').focus(); }
  }
});

window.addEventListener('hashchange', route);
$('#logout').addEventListener('click', async () => {
  try { await api('POST', '/api/logout'); } catch (e) { /* the session is gone either way */ }
  state.me = null; showLogin('Logged out.');
});

(async function init() {
  try {
    const r = await fetch('/api/me', { credentials: 'same-origin' });
    if (r.ok) { state.me = await r.json(); afterLogin(); } else showLogin();
  } catch (e) { showLogin('Vigil does not answer: ' + e.message); }
})();
