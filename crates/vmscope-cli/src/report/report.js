// vmscope report: draws the figures embedded in this page (the JSON block above). No network.
(function () {
  'use strict';
  var tParse = performance.now();
  var D = JSON.parse(document.getElementById('vmscope-data').textContent);
  // Large tables come column by column ({n, cols}): back to one object per row (nulls left out).
  function rowsOf(t) {
    var keys = Object.keys(t.cols), out = new Array(t.n);
    for (var i = 0; i < t.n; i++) {
      var o = {};
      for (var k = 0; k < keys.length; k++) { var v = t.cols[keys[k]][i]; if (v !== null) o[keys[k]] = v; }
      out[i] = o;
    }
    return out;
  }
  ['processes', 'files', 'flows', 'connections', 'images', 'findings', 'alerts'].forEach(function (k) { D[k] = rowsOf(D[k]); });
  var P = D.processes;
  P.forEach(function (p) { p.execs = p.execs || []; });
  document.body.setAttribute('data-parse-ms', String(Math.round(performance.now() - tParse)));
  var main = document.getElementById('main');
  var nav = document.getElementById('nav');

  // ---------- formatting ----------
  var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  function esc(s) { return s == null ? '' : String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  function num(n) { return n == null ? '' : Number(n).toLocaleString('en-US'); }
  function secs(ns) { return ns == null ? '' : (ns / 1e9).toFixed(3) + ' s'; }
  function dur(ns) {
    if (ns == null) return '';
    if (ns < 1e3) return ns + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(1) + ' µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(1) + ' ms';
    return (ns / 1e9).toFixed(2) + ' s';
  }
  function bytes(n) {
    if (!n) return n === 0 ? '0' : '';
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + ' ' + u[i];
  }
  function text(v) {
    if (v == null) return '';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  function ops(list) {
    return (list || []).map(function (o) { return '<span class="chip">' + esc(o[0]) + (o[1] > 1 ? ' ×' + num(o[1]) : '') + '</span>'; }).join('');
  }
  function procLink(id) {
    var p = P[id];
    if (!p) return '';
    return '<a class="proc" data-proc="' + id + '">' + esc(p.comm || '?') + '</a> <span class="pid">' + esc(p.pid) + '</span>';
  }
  function procByPid(pid) {
    for (var i = P.length - 1; i >= 0; i--) if (P[i].pid === pid) return i;
    return null;
  }
  function exitBadge(p) {
    if (!p.exit) return p.kthread ? '<span class="badge k">kernel</span>' : '';
    if (p.exit.signal) return '<span class="badge sig">' + esc(p.exit.signal) + (p.exit.core ? ' (core)' : '') + '</span>';
    if (p.exit.code === 0) return '<span class="badge ok">exit 0</span>';
    return '<span class="badge code">exit ' + esc(p.exit.code) + '</span>';
  }
  function lastExec(p) { return p.execs && p.execs.length ? p.execs[p.execs.length - 1] : null; }
  function omitted(n, what) { return n ? '<p class="muted">' + num(n) + ' ' + what + ' left out of this page (bounded to keep it small).</p>' : ''; }

  // ---------- sections ----------
  var sections = [];
  function section(id, title, count, draw) { sections.push({ id: id, title: title, count: count, draw: draw }); }
  function el(tag, cls, html) { var e = document.createElement(tag); if (cls) e.className = cls; if (html != null) e.innerHTML = html; return e; }

  // A sortable, filterable table that renders rows a page at a time.
  function table(host, cols, rows, opt) {
    opt = opt || {};
    var state = { sort: opt.sort == null ? -1 : opt.sort, dir: opt.dir || -1, q: '', limit: opt.page || 100 };
    var wrap = el('div', 'tbl');
    var tools = el('div', 'tbl-tools');
    var input = null;
    if (rows.length > 12 || opt.filter) {
      input = el('input');
      input.placeholder = 'Filter ' + num(rows.length) + ' rows…';
      tools.appendChild(input);
    }
    var info = el('span', 'muted');
    tools.appendChild(info);
    wrap.appendChild(tools);
    var holder = el('div');
    wrap.appendChild(holder);
    host.appendChild(wrap);
    var keys = null;
    function rowText(r) { return cols.map(function (c) { return text(c.get(r)); }).join(' ').toLowerCase(); }
    function draw() {
      var list = rows;
      if (state.q) {
        if (!keys) keys = rows.map(rowText);
        var q = state.q;
        list = rows.filter(function (r, i) { return keys[i].indexOf(q) >= 0; });
      }
      if (state.sort >= 0) {
        var g = cols[state.sort].get, d = state.dir;
        list = list.slice().sort(function (a, b) {
          var x = g(a), y = g(b);
          if (x == null) return 1; if (y == null) return -1;
          return (x < y ? -1 : x > y ? 1 : 0) * d;
        });
      }
      var shown = list.slice(0, state.limit);
      var h = ['<table><thead><tr>'];
      cols.forEach(function (c, i) {
        var cls = (c.num ? 'num ' : '') + (i === state.sort ? 'sorted' + (state.dir > 0 ? ' asc' : '') : '');
        h.push('<th data-i="' + i + '" class="' + cls + '">' + esc(c.label) + '</th>');
      });
      h.push('</tr></thead><tbody>');
      shown.forEach(function (r) {
        h.push('<tr>');
        cols.forEach(function (c) {
          var v = c.html ? c.html(r) : esc(text(c.get(r)));
          h.push('<td' + (c.num ? ' class="num"' : c.cls ? ' class="' + c.cls + '"' : '') + '>' + v + '</td>');
        });
        h.push('</tr>');
      });
      h.push('</tbody></table>');
      if (list.length > shown.length) h.push('<button class="more">Show ' + Math.min(opt.page || 100, list.length - shown.length) + ' more (' + num(list.length - shown.length) + ' not shown)</button>');
      holder.innerHTML = h.join('');
      info.textContent = state.q ? num(list.length) + ' of ' + num(rows.length) + ' rows' : '';
    }
    holder.addEventListener('click', function (e) {
      var th = e.target.closest('th');
      if (th) {
        var i = +th.dataset.i;
        if (state.sort === i) state.dir = -state.dir; else { state.sort = i; state.dir = cols[i].num ? -1 : 1; }
        draw();
      } else if (e.target.classList.contains('more')) { state.limit += opt.page || 100; draw(); }
    });
    if (input) input.addEventListener('input', function () { state.q = input.value.trim().toLowerCase(); state.limit = opt.page || 100; draw(); });
    if (!rows.length) { holder.innerHTML = '<div class="empty">' + esc(opt.empty || 'Nothing.') + '</div>'; return; }
    draw();
  }

  // strace -c columns for [name, {calls, errors, ns, unfinished}] rows.
  function syscallTable(host, rows, opt) {
    var total = rows.reduce(function (a, r) { return a + r[1].ns; }, 0) || 1;
    table(host, [
      { label: '% time', num: true, get: function (r) { return r[1].ns; }, html: function (r) { return (100 * r[1].ns / total).toFixed(2); } },
      { label: 'seconds', num: true, get: function (r) { return r[1].ns; }, html: function (r) { return (r[1].ns / 1e9).toFixed(6); } },
      { label: 'usecs/call', num: true, get: function (r) { return r[1].ns / Math.max(1, r[1].calls - r[1].unfinished); }, html: function (r) { return num(Math.round(r[1].ns / 1e3 / Math.max(1, r[1].calls - r[1].unfinished))); } },
      { label: 'calls', num: true, get: function (r) { return r[1].calls; }, html: function (r) { return num(r[1].calls); } },
      { label: 'errors', num: true, get: function (r) { return r[1].errors; }, html: function (r) { return r[1].errors ? num(r[1].errors) : ''; } },
      { label: 'syscall', get: function (r) { return r[0]; }, cls: 'mono' }
    ], rows, Object.assign({ sort: 0, page: 60, empty: 'No system calls.' }, opt || {}));
  }

  var O = D.overview, M = D.meta;
  var span = (O.first_ts != null && O.last_ts != null) ? O.last_ts - O.first_ts : null;
  function countOf(t) { for (var i = 0; i < O.counts.length; i++) if (O.counts[i][0] === t) return O.counts[i][1]; return 0; }
  var users = P.filter(function (p) { return !p.kthread; });
  var execs = P.reduce(function (a, p) { return a + (p.execs || []).filter(function (e) { return e.ts != null; }).length; }, 0);
  var callErrors = D.syscalls.reduce(function (a, r) { return a + r[1].errors; }, 0);
  var alertCount = countOf('alert');

  document.getElementById('headline').innerHTML = '<b>' + esc(M.title || M.journal) + '</b> · ' + esc(O.kernel || 'kernel unknown') +
    (O.arch ? ' · ' + esc(O.arch) : '') + (span != null ? ' · ' + dur(span) : '') + ' · ' + num(M.events) + ' events';

  // ---------- overview ----------
  section('overview', 'Overview', null, function (s) {
    var h = [];
    if (M.truncated || M.skipped_lines) h.push('<div class="warn">' + M.warnings.map(esc).join('<br>') + '</div>');
    function card(k, v, bad) { h.push('<div class="card' + (bad ? ' bad' : '') + '"><div class="v">' + v + '</div><div class="k">' + esc(k) + '</div></div>'); }
    h.push('<div class="cards">');
    card('events', num(M.events));
    card('traced time', span != null ? dur(span) : '–');
    card('processes', num(users.length));
    card('programs run', num(execs));
    card('system calls', num(countOf('syscall')));
    card('failed calls', num(callErrors));
    card('paths', num(D.files.length + D.files_omitted));
    card('connections', num(D.connections.length || D.flows.length));
    card('alerts', num(alertCount), alertCount > 0);
    h.push('</div><div class="cols"><div><h3>Guest</h3><div class="kv">');
    function kv(k, v) { h.push('<div>' + esc(k) + '</div><div>' + v + '</div>'); }
    kv('kernel', esc(O.kernel || 'unknown (no kernel notice in the journal)'));
    kv('architecture', esc(O.arch || 'unknown'));
    kv('modules', esc(O.modules || 'unknown'));
    kv('vCPUs seen', num(O.vcpus));
    kv('first event', secs(O.first_ts));
    kv('last event', secs(O.last_ts));
    kv('journal', esc(M.journal) + ' (' + bytes(M.bytes) + ')');
    kv('report by', esc(M.generated_by));
    h.push('</div><p class="muted">Times are the journal\'s <code>ts</code>: seconds since QEMU loaded vmscope (host clock).</p></div><div><h3>Events by type</h3><div id="types"></div></div></div>');
    s.innerHTML += h.join('');
    table(s.querySelector('#types'), [
      { label: 'type', get: function (r) { return r[0]; }, cls: 'mono' },
      { label: 'events', num: true, get: function (r) { return r[1]; }, html: function (r) { return num(r[1]); } },
      { label: '%', num: true, get: function (r) { return r[1]; }, html: function (r) { return (100 * r[1] / Math.max(1, M.events)).toFixed(1); } }
    ], O.counts, { sort: 1 });
  });

  // ---------- timeline ----------
  var COLORS = { syscall: '#4a6cf7', file: '#1a9e6a', process: '#e08a00', thread: '#c9a227', net: '#8b4ad8', connection: '#6c3bbd',
    memory: '#169aa6', maps: '#0f7680', image: '#2a8fd8', alert: '#d63b30', 'switch': '#8a94a8', notice: '#9aa3b5',
    process_list: '#b08850', file_summary: '#3cb587', device_summary: '#a0527a' };
  var EXTRA = ['#d4589a', '#5d8c2e', '#b7472a', '#3f6fb5', '#8f6a2d', '#6a5acd', '#2e8b57', '#b8860b'];
  var extraI = 0;
  function color(t) { if (!COLORS[t]) COLORS[t] = EXTRA[extraI++ % EXTRA.length]; return COLORS[t]; }
  function niceStep(range, n) {
    var raw = range / n, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }
  var tip = document.getElementById('tip');
  function showTip(e, s) { tip.textContent = s; tip.hidden = false; tip.style.left = Math.min(e.clientX + 12, window.innerWidth - 540) + 'px'; tip.style.top = (e.clientY + 14) + 'px'; }

  section('timeline', 'Timeline', null, function (s) { drawTimeline(s, 40); });
  function drawTimeline(s, maxLanes) {
    var T = D.timeline;
    if (!T.series.length) { s.innerHTML = '<h2>Timeline</h2><div class="empty">No timed events.</div>'; return; }
    var W = Math.max(700, (s.clientWidth || 1200) - 36), L = 150, R = 10, plotW = W - L - R;
    var nb = T.series[0][1].length, bw = plotW / nb;
    var t0 = T.t0, t1 = T.t0 + T.width * nb;
    function x(ts) { return L + (ts - t0) / (t1 - t0) * plotW; }
    var rowH = 26, gap = 5;
    var lanes = D.lanes.length <= maxLanes ? D.lanes : D.lanes.slice().sort(function (a, b) { return P[b.proc_id].events - P[a.proc_id].events; })
      .slice(0, maxLanes).sort(function (a, b) { return a.start - b.start || a.proc_id - b.proc_id; });
    var showLanes = lanes.length;
    var laneH = 10;
    var h = [], y = 22;
    var H0 = y + T.series.length * (rowH + gap);
    var alertsRow = D.marks.some(function (m) { return m.kind === 'alert'; });
    var H = H0 + (alertsRow ? 22 : 0) + 16 + showLanes * (laneH + 3) + 10;
    h.push('<svg width="' + W + '" height="' + H + '" role="img" aria-label="timeline">');
    var step = niceStep((t1 - t0) / 1e9, 10) * 1e9;
    for (var g = Math.ceil(t0 / step) * step; g <= t1; g += step) {
      var gx = x(g).toFixed(1);
      h.push('<line class="grid" x1="' + gx + '" x2="' + gx + '" y1="14" y2="' + H + '"/>');
      h.push('<text x="' + gx + '" y="11" text-anchor="middle">' + (g / 1e9).toFixed(step < 1e9 ? 1 : 0) + ' s</text>');
    }
    T.series.forEach(function (ser) {
      var name = ser[0], counts = ser[1], max = Math.max.apply(null, counts) || 1, total = counts.reduce(function (a, b) { return a + b; }, 0);
      h.push('<text class="lab" x="0" y="' + (y + rowH / 2 + 4) + '">' + esc(name) + '</text>');
      h.push('<text x="' + (L - 8) + '" y="' + (y + rowH / 2 + 4) + '" text-anchor="end">' + num(total) + '</text>');
      h.push('<line class="grid" x1="' + L + '" x2="' + (W - R) + '" y1="' + (y + rowH) + '" y2="' + (y + rowH) + '"/>');
      var c = color(name);
      counts.forEach(function (n, i) {
        if (!n) return;
        var bh = Math.max(1.5, rowH * n / max);
        h.push('<rect x="' + (L + i * bw).toFixed(1) + '" y="' + (y + rowH - bh).toFixed(1) + '" width="' + Math.max(1, bw - 0.5).toFixed(1) + '" height="' + bh.toFixed(1) +
          '" fill="' + c + '" data-tip="' + esc(name + ': ' + num(n) + ' events at ' + ((t0 + i * T.width) / 1e9).toFixed(3) + '–' + ((t0 + (i + 1) * T.width) / 1e9).toFixed(3) + ' s') + '"/>');
      });
      y += rowH + gap;
    });
    if (alertsRow) {
      h.push('<text class="lab" x="0" y="' + (y + 12) + '">alerts</text>');
      D.marks.forEach(function (m) {
        if (m.kind !== 'alert') return;
        var mx = x(m.ts);
        h.push('<path d="M' + mx.toFixed(1) + ' ' + (y + 2) + 'l5 12h-10z" fill="#d63b30" data-tip="' + esc(m.label + (m.proc_id != null ? ' — ' + (P[m.proc_id].comm + ' ' + P[m.proc_id].pid) : '') + ' at ' + secs(m.ts)) + '"' + (m.proc_id != null ? ' data-proc="' + m.proc_id + '"' : '') + '/>');
      });
      y += 22;
    }
    h.push('<text class="lab" x="0" y="' + (y + 12) + '">processes</text>');
    y += 16;
    var byProc = {};
    D.marks.forEach(function (m) { if (m.proc_id != null) (byProc[m.proc_id] = byProc[m.proc_id] || []).push(m); });
    lanes.slice(0, showLanes).forEach(function (ln) {
      var p = P[ln.proc_id], x0 = x(ln.start), x1 = Math.max(x0 + 2, x(ln.end));
      var fill = !p.exit ? '#8fa8f8' : p.exit.signal ? '#ef8c84' : p.exit.code === 0 ? '#7fcfa5' : '#f4c06b';
      var ex = lastExec(p);
      h.push('<text x="' + (L - 8) + '" y="' + (y + 10) + '" text-anchor="end">' + esc((p.comm || '?').slice(0, 16) + ' ' + p.pid) + '</text>');
      h.push('<rect class="lane" x="' + x0.toFixed(1) + '" y="' + y + '" width="' + (x1 - x0).toFixed(1) + '" height="' + laneH + '" rx="2" fill="' + fill + '" data-proc="' + p.id +
        '" data-tip="' + esc(p.comm + ' (pid ' + p.pid + ')' + (ex ? '\n' + ex.path : '') + '\n' + secs(ln.start) + ' → ' + secs(ln.end) + '\n' + num(p.calls) + ' calls') + '"/>');
      (byProc[p.id] || []).forEach(function (m) {
        var mx = x(m.ts).toFixed(1);
        h.push('<rect x="' + mx + '" y="' + (y - 1) + '" width="2" height="' + (laneH + 2) + '" fill="' + (m.kind === 'exec' ? '#1d2330' : '#c0362c') + '" data-tip="' + esc(m.kind + ': ' + m.label + ' at ' + secs(m.ts)) + '"/>');
      });
      y += laneH + 3;
    });
    h.push('</svg>');
    var legend = '<div class="legend"><span><i style="background:#7fcfa5"></i>exit 0</span><span><i style="background:#f4c06b"></i>exit ≠ 0</span><span><i style="background:#ef8c84"></i>killed by a signal</span><span><i style="background:#8fa8f8"></i>no exit seen</span><span><i style="background:#1d2330"></i>exec</span></div>';
    var more = D.lanes.length > showLanes ? '<p class="muted">The ' + showLanes + ' busiest of ' + num(D.lanes.length) + ' processes drawn, by start time. <button class="more" id="all-lanes">Draw all ' + num(D.lanes.length) + '</button></p>' : '';
    s.innerHTML = '<h2>Timeline</h2><div class="tl">' + h.join('') + '</div>' + legend + more + omitted(D.marks_omitted, 'marks');
    var all = s.querySelector('#all-lanes');
    if (all) all.addEventListener('click', function () { drawTimeline(s, D.lanes.length); });
    s.querySelector('svg').addEventListener('mousemove', function (e) {
      var t = e.target.getAttribute && e.target.getAttribute('data-tip');
      if (t) showTip(e, t); else tip.hidden = true;
    });
    s.querySelector('svg').addEventListener('mouseleave', function () { tip.hidden = true; });
  }

  // ---------- processes ----------
  var children = {}, roots = [];
  P.forEach(function (p) {
    if (p.parent != null && P[p.parent] && p.parent !== p.id) (children[p.parent] = children[p.parent] || []).push(p.id);
    else roots.push(p.id);
  });
  function startOf(p) { return p.fork != null ? p.fork : p.first != null ? p.first : -1; }
  function byStart(a, b) { return startOf(P[a]) - startOf(P[b]) || P[a].pid - P[b].pid; }
  roots.sort(byStart);
  Object.keys(children).forEach(function (k) { children[k].sort(byStart); });
  var selected = null;
  var detailHost = null;

  function nodeHtml(id, open) {
    var p = P[id], ex = lastExec(p), kids = children[id] || [];
    var argv = ex && ex.argv.length > 1 ? ex.argv.slice(1).join(' ') : '';
    return '<div class="node' + (p.kthread ? ' kt' : '') + (selected === id ? ' sel' : '') + '" data-id="' + id + '">' +
      '<span class="tog">' + (kids.length ? (open ? '▾' : '▸') : '') + '</span>' +
      '<span class="pid">' + esc(p.pid) + '</span><span class="comm">' + esc(p.comm || '?') + '</span>' +
      (ex ? '<span class="exe">' + esc(ex.path) + '</span>' : '') +
      (argv ? '<span class="argv">' + esc(argv.length > 160 ? argv.slice(0, 160) + '…' : argv) + '</span>' : '') +
      exitBadge(p) +
      '<span class="stat">' + (kids.length ? num(kids.length) + ' children · ' : '') + num(p.calls) + ' calls' + (p.errors ? ', ' + num(p.errors) + ' failed' : '') + (p.alerts ? ' · <span class="badge high">' + num(p.alerts) + ' alerts</span>' : '') + '</span></div>';
  }
  // Subtrees with user processes open at first (all of them in a small run, a few levels in a
  // large one, at most OPEN_BUDGET nodes); kernel threads stay folded; long child lists come
  // MAX_KIDS at a time. Folded parts are drawn when opened.
  var userBelow = {};
  function markUser(id, guard) {
    if (guard > 10000 || userBelow[id]) return;
    userBelow[id] = true;
    var p = P[id];
    if (p.parent != null && p.parent !== id) markUser(p.parent, guard + 1);
  }
  users.forEach(function (p) { markUser(p.id, 0); });
  var expandAll = users.length <= 400, MAX_KIDS = 150, OPEN_BUDGET = 1500;
  var lazy = {}, lazySeq = 0;
  function liHtml(id, depth, st) {
    var kids = children[id] || [];
    var open = kids.length > 0 && st.budget > 0 && userBelow[id] && depth <= (expandAll ? 60 : 3);
    st.budget--;
    return '<li data-id="' + id + '">' + nodeHtml(id, open) + (open ? '<ul>' + listHtml(kids, depth + 1, st) + '</ul>' : '') + '</li>';
  }
  function listHtml(ids, depth, st) {
    var shown = [], folded = [];
    ids.forEach(function (k) { (userBelow[k] || !P[k].kthread ? shown : folded).push(k); });
    // User processes before kernel threads that have user processes below them (modprobe under a
    // kworker), each group by start time.
    if (depth > 0) shown = shown.filter(function (k) { return !P[k].kthread; }).concat(shown.filter(function (k) { return P[k].kthread; }));
    var h = shown.slice(0, MAX_KIDS).map(function (k) { return liHtml(k, depth, st); });
    if (shown.length > MAX_KIDS) {
      var key = ++lazySeq; lazy[key] = { ids: shown.slice(MAX_KIDS), depth: depth };
      h.push('<li class="kgroup" data-lazy="' + key + '" data-more="1"><div class="node"><span class="tog">▸</span><span class="muted">' + num(shown.length - MAX_KIDS) + ' more</span></div></li>');
    }
    if (folded.length) {
      var k2 = ++lazySeq; lazy[k2] = { ids: folded, depth: depth };
      h.push('<li class="kgroup" data-lazy="' + k2 + '"><div class="node kt"><span class="tog">▸</span><span class="muted">' + num(folded.length) + ' kernel thread' + (folded.length > 1 ? 's' : '') + '</span></div></li>');
    }
    return h.join('');
  }
  function openNode(li, open) {
    var id = +li.dataset.id, kids = children[id] || [];
    var ul = li.querySelector(':scope > ul');
    var tog = li.querySelector(':scope > .node > .tog');
    if (!kids.length) return;
    if (!open) { if (ul) ul.hidden = true; tog.textContent = '▸'; return; }
    if (!ul) {
      ul = document.createElement('ul');
      ul.innerHTML = listHtml(kids, 1, { budget: 0 });
      li.appendChild(ul);
    }
    ul.hidden = false; tog.textContent = '▾';
  }
  function openLazy(li) {
    var key = li.dataset.lazy, item = lazy[key];
    if (li.dataset.more) {
      // "N more": replaced by the next siblings.
      var tmp = document.createElement('ul');
      tmp.innerHTML = listHtml(item.ids, item.depth, { budget: 0 });
      while (tmp.firstChild) li.parentNode.insertBefore(tmp.firstChild, li);
      li.remove();
    } else {
      var ul = li.querySelector(':scope > ul');
      if (!ul) {
        ul = document.createElement('ul');
        ul.hidden = true;
        ul.innerHTML = item.ids.map(function (k) { return liHtml(k, 0, { budget: 0 }); }).join('');
        li.appendChild(ul);
      }
      ul.hidden = !ul.hidden;
      li.querySelector(':scope > .node > .tog').textContent = ul.hidden ? '▸' : '▾';
    }
  }

  function selectProc(id, scroll) {
    if (id == null || !P[id]) return;
    selected = id;
    document.querySelectorAll('.node.sel').forEach(function (n) { n.classList.remove('sel'); });
    document.querySelectorAll('.node[data-id="' + id + '"]').forEach(function (n) { n.classList.add('sel'); });
    if (detailHost) drawDetail(detailHost, id);
    if (scroll) document.getElementById('processes').scrollIntoView();
  }

  function drawDetail(host, id) {
    var p = P[id], h = [];
    h.push('<h3>' + esc(p.comm || '?') + ' <span class="pid">pid ' + esc(p.pid) + '</span> ' + exitBadge(p) + '</h3><div class="kv">');
    function kv(k, v) { if (v !== '' && v != null) h.push('<div>' + esc(k) + '</div><div>' + v + '</div>'); }
    kv('parent', p.parent != null ? procLink(p.parent) : p.ppid != null ? 'pid ' + esc(p.ppid) : 'unknown');
    if (p.comms && p.comms.length) kv('earlier names', p.comms.map(esc).join(', '));
    kv('started', p.fork != null ? secs(p.fork) + ' (fork)' : p.first != null ? secs(p.first) + ' (first event)' : '');
    if (p.exit) kv('ended', secs(p.exit.ts) + ' — ' + (p.exit.signal ? 'killed by ' + esc(p.exit.signal) : 'exit code ' + esc(p.exit.code)));
    kv('threads', num(p.threads));
    kv('system calls', num(p.calls) + (p.errors ? ' (' + num(p.errors) + ' failed)' : ''));
    if (p.cpu_ns) kv('on a vCPU', dur(p.cpu_ns) + ' over ' + num(p.switches) + ' switches');
    if (p.state) kv('last state', esc(p.state));
    if (p.alerts) kv('alerts', '<span class="badge high">' + num(p.alerts) + '</span>');
    var kids = children[id] || [];
    if (kids.length) kv('children', kids.slice(0, 30).map(procLink).join(', ') + (kids.length > 30 ? ' … ' + num(kids.length - 30) + ' more' : ''));
    h.push('</div>');
    if (p.execs.length) {
      h.push('<h3>Programs</h3>');
      p.execs.forEach(function (e) {
        h.push('<div class="kv"><div>' + (e.ts != null ? secs(e.ts) : 'before tracing') + '</div><div><span class="path">' + esc(e.path) + '</span><pre>' + esc(JSON.stringify(e.argv)) + '</pre></div></div>');
      });
      if (p.execs_omitted) h.push('<p class="muted">' + num(p.execs_omitted) + ' more execs</p>');
    }
    host.innerHTML = h.join('');
    if (p.sys && p.sys.length) { host.appendChild(el('h3', null, 'System calls')); syscallTable(host, p.sys, { page: 25 }); }
    if (p.paths && p.paths.length) {
      host.appendChild(el('h3', null, 'Paths (' + (D.files_source === 'file' ? 'file monitor' : 'from system call arguments') + ')'));
      table(host, [
        { label: 'path', get: function (r) { return r.path; }, cls: 'path' },
        { label: 'operations', get: function (r) { return r.ops.map(function (o) { return o[0]; }).join(' '); }, html: function (r) { return ops(r.ops); } },
        { label: 'read', num: true, get: function (r) { return r.read; }, html: function (r) { return bytes(r.read); } },
        { label: 'written', num: true, get: function (r) { return r.written; }, html: function (r) { return bytes(r.written); } },
        { label: 'errors', num: true, get: function (r) { return r.errors; }, html: function (r) { return r.errors ? num(r.errors) : ''; } }
      ], p.paths, { page: 25 });
      if (p.paths_omitted) host.appendChild(el('p', 'muted', num(p.paths_omitted) + ' uses of further paths left out'));
    }
    var flows = D.flows.filter(function (f) { return f.proc_id === id; });
    if (flows.length) { host.appendChild(el('h3', null, 'Network')); flowTable(host, flows, true); }
    var al = D.alerts.filter(function (a) { return a.proc === id; });
    if (al.length) { host.appendChild(el('h3', null, 'Alerts')); alertTable(host, al, true); }
    if (p.first_calls && p.first_calls.length) {
      host.appendChild(el('h3', null, 'First calls'));
      host.appendChild(el('pre', null, esc(p.first_calls.join('\n')) + (p.calls > p.first_calls.length ? '\n… ' + num(p.calls - p.first_calls.length) + ' more calls' : '')));
    }
  }

  section('processes', 'Processes', users.length, function (s) {
    s.querySelector('h2').insertAdjacentHTML('beforeend', '<span class="sub">' + num(users.length) + ' user processes, ' + num(P.length - users.length) + ' kernel threads; click one for its details</span>');
    var cols = el('div', 'cols');
    var left = el('div'), right = el('div', 'detail sticky');
    cols.appendChild(left); cols.appendChild(right);
    s.appendChild(cols);
    var search = el('input', 'search');
    search.placeholder = 'Find a process: pid, name, program, argument…';
    left.appendChild(search);
    var tree = el('div', 'tree');
    var flat = el('div');
    left.appendChild(tree); left.appendChild(flat);
    tree.innerHTML = '<ul>' + listHtml(roots, 0, { budget: OPEN_BUDGET }) + '</ul>';
    tree.addEventListener('click', function (e) {
      var node = e.target.closest('.node');
      if (!node) return;
      var li = node.parentNode;
      if (li.dataset.lazy) { openLazy(li); return; }
      var id = +li.dataset.id;
      if (e.target.classList.contains('tog')) {
        var ul = li.querySelector(':scope > ul');
        openNode(li, !ul || ul.hidden);
        return;
      }
      selectProc(id, false);
    });
    search.addEventListener('input', function () {
      var q = search.value.trim().toLowerCase();
      tree.hidden = !!q;
      flat.innerHTML = '';
      if (!q) return;
      var hits = P.filter(function (p) {
        var ex = lastExec(p);
        return (String(p.pid) === q) || (p.comm || '').toLowerCase().indexOf(q) >= 0 ||
          (ex && (ex.path.toLowerCase().indexOf(q) >= 0 || ex.argv.join(' ').toLowerCase().indexOf(q) >= 0));
      });
      flat.innerHTML = '<p class="muted">' + num(hits.length) + ' matching processes</p><div class="tree"><ul>' +
        hits.slice(0, 300).map(function (p) { return '<li data-id="' + p.id + '">' + nodeHtml(p.id, false) + '</li>'; }).join('') + '</ul></div>';
    });
    flat.addEventListener('click', function (e) { var n = e.target.closest('.node'); if (n) selectProc(+n.dataset.id, false); });
    detailHost = right;
    var best = null;
    users.forEach(function (p) { if (p.execs.some(function (e) { return e.ts != null; }) && (best == null || p.calls > P[best].calls)) best = p.id; });
    if (best == null && users.length) best = users.reduce(function (a, p) { return p.calls > a.calls ? p : a; }, users[0]).id;
    if (best != null) selectProc(best, false); else right.innerHTML = '<div class="empty">No processes in this journal.</div>';
    if (D.calls_omitted) left.appendChild(el('p', 'muted', num(D.calls_omitted) + ' first calls left out of the details (bounded).'));
    if (D.processes_omitted) left.insertAdjacentHTML('afterbegin', omitted(D.processes_omitted, 'less active processes'));
  });

  // ---------- system calls ----------
  section('syscalls', 'System calls', countOf('syscall'), function (s) {
    s.querySelector('h2').insertAdjacentHTML('beforeend', '<span class="sub">like <code>strace -c</code>; time is entry to return on the host clock</span>');
    syscallTable(s, D.syscalls);
    if (D.stacks.length) {
      s.appendChild(el('h3', null, 'Where calls come from (call stacks)'));
      table(s, [
        { label: 'calls', num: true, get: function (r) { return r.count; }, html: function (r) { return num(r.count); } },
        { label: 'syscall', get: function (r) { return r.name; }, cls: 'mono' },
        { label: 'frames (innermost first)', get: function (r) { return r.frames.join(' ← '); }, html: function (r) { return '<span class="mono">' + r.frames.map(esc).join('<br>') + '</span>'; } }
      ], D.stacks, { sort: 0, page: 30 });
      s.insertAdjacentHTML('beforeend', omitted(D.stacks_omitted, 'stacks'));
    }
  });

  // ---------- files ----------
  function procList(ids, more) {
    return (ids || []).slice(0, 6).map(procLink).join(', ') + ((ids || []).length > 6 || more ? ' … ' + num((ids.length - 6 > 0 ? ids.length - 6 : 0) + (more || 0)) + ' more' : '');
  }
  section('files', 'Files', D.files.length + D.files_omitted, function (s) {
    s.querySelector('h2').insertAdjacentHTML('beforeend', '<span class="sub">' + (D.files_source === 'file' ? 'from the file monitor (<code>--modules files</code>)' : 'from the paths in system call arguments (run with <code>--modules files</code> for descriptors, bytes and hashes)') + '</span>');
    table(s, [
      { label: 'path', get: function (r) { return r.path; }, cls: 'path' },
      { label: 'operations', get: function (r) { return r.ops.map(function (o) { return o[0]; }).join(' '); }, html: function (r) { return ops(r.ops); } },
      { label: 'read', num: true, get: function (r) { return r.read; }, html: function (r) { return bytes(r.read); } },
      { label: 'written', num: true, get: function (r) { return r.written; }, html: function (r) { return bytes(r.written); } },
      { label: 'errors', num: true, get: function (r) { return r.errors; }, html: function (r) { return r.errors ? num(r.errors) : ''; } },
      { label: 'processes', get: function (r) { return r.procs.length + r.more_procs; }, html: function (r) { return procList(r.procs, r.more_procs); } },
      { label: 'first', num: true, get: function (r) { return r.first; }, html: function (r) { return secs(r.first); } },
      { label: 'sha256 (last close)', get: function (r) { return r.sha256; }, html: function (r) { return r.sha256 ? '<span class="mono" title="' + esc(r.sha256) + '">' + esc(r.sha256.slice(0, 16)) + '…</span>' : ''; } }
    ], D.files, { empty: 'No file activity in this journal.' });
    s.insertAdjacentHTML('beforeend', omitted(D.files_omitted, 'paths'));
  });

  // ---------- network ----------
  function flowTable(host, rows, small) {
    table(host, [
      { label: 'process', get: function (r) { return r.proc_id != null ? P[r.proc_id].comm : ''; }, html: function (r) { return procLink(r.proc_id); } },
      { label: 'protocol', get: function (r) { return r.proto; } },
      { label: 'local', get: function (r) { return r.local; }, cls: 'mono' },
      { label: 'remote', get: function (r) { return r.remote; }, cls: 'mono' },
      { label: 'operations', get: function (r) { return r.ops.map(function (o) { return o[0]; }).join(' '); }, html: function (r) { return ops(r.ops); } },
      { label: 'sent', num: true, get: function (r) { return r.sent; }, html: function (r) { return bytes(r.sent); } },
      { label: 'received', num: true, get: function (r) { return r.received; }, html: function (r) { return bytes(r.received); } },
      { label: 'errors', num: true, get: function (r) { return r.errors; }, html: function (r) { return r.errors ? num(r.errors) : ''; } },
      { label: 'first', num: true, get: function (r) { return r.first; }, html: function (r) { return secs(r.first); } }
    ], rows, { page: small ? 20 : 100, empty: 'No network activity in this journal.' });
  }
  section('network', 'Network', D.connections.length + D.flows.length, function (s) {
    if (D.connections.length) {
      s.appendChild(el('h3', null, 'Connections'));
      table(s, [
        { label: 'process', get: function (r) { return r.comm; }, html: function (r) { return r.proc != null ? procLink(r.proc) : esc(r.comm) + ' <span class="pid">' + esc(r.pid) + '</span>'; } },
        { label: 'protocol', get: function (r) { return text(r.proto) + ' ' + text(r.family); } },
        { label: 'local', get: function (r) { return text(r.local); }, cls: 'mono' },
        { label: 'remote', get: function (r) { return text(r.remote); }, cls: 'mono' },
        { label: 'sent', num: true, get: function (r) { return r.bytes_sent; }, html: function (r) { return bytes(r.bytes_sent); } },
        { label: 'received', num: true, get: function (r) { return r.bytes_received; }, html: function (r) { return bytes(r.bytes_received); } },
        { label: 'opened', num: true, get: function (r) { return r.opened_ts; }, html: function (r) { return secs(r.opened_ts); } },
        { label: 'closed', num: true, get: function (r) { return r.closed_ts; }, html: function (r) { return secs(r.closed_ts); } }
      ], D.connections, { sort: 6, dir: 1 });
    }
    s.appendChild(el('h3', null, D.flows_source === 'net' ? 'Traffic (network events)' : 'Socket calls (from system call arguments)'));
    flowTable(s, D.flows);
    s.insertAdjacentHTML('beforeend', omitted(D.net_omitted, 'network events'));
  });

  // ---------- memory & images ----------
  var memCount = D.images.length + D.findings.length + D.maps.length + D.memory_ops.length;
  if (memCount) section('memory', 'Memory & images', D.findings.length, function (s) {
    s.appendChild(el('h3', null, 'Findings'));
    table(s, [
      { label: 'finding', get: function (r) { return r.finding; }, html: function (r) { return '<span class="badge high">' + esc(r.finding) + '</span>'; } },
      { label: 'process', get: function (r) { return r.comm; }, html: function (r) { return r.proc != null ? procLink(r.proc) : esc(r.comm); } },
      { label: 'op', get: function (r) { return r.op; } },
      { label: 'start', get: function (r) { return text(r.start); }, cls: 'mono' },
      { label: 'end', get: function (r) { return text(r.end); }, cls: 'mono' },
      { label: 'perms', get: function (r) { return text(r.perms); }, cls: 'mono' },
      { label: 'path', get: function (r) { return r.path == null ? '(no file)' : r.path; }, cls: 'path' },
      { label: 'when', num: true, get: function (r) { return r.ts; }, html: function (r) { return secs(r.ts); } }
    ], D.findings, { empty: 'Nothing writable and executable, no executable memory without a file.' });
    if (D.images.length) {
      s.appendChild(el('h3', null, 'Loaded images'));
      table(s, [
        { label: 'when', num: true, get: function (r) { return r.ts; }, html: function (r) { return secs(r.ts); } },
        { label: 'op', get: function (r) { return r.op; } },
        { label: 'process', get: function (r) { return r.comm; }, html: function (r) { return r.proc != null ? procLink(r.proc) : esc(r.comm); } },
        { label: 'kind', get: function (r) { return r.kind; } },
        { label: 'path', get: function (r) { return r.path; }, cls: 'path' },
        { label: 'base', get: function (r) { return text(r.base); }, cls: 'mono' },
        { label: 'end', get: function (r) { return text(r.end); }, cls: 'mono' },
        { label: 'soname', get: function (r) { return r.soname; }, cls: 'path' },
        { label: 'build id', get: function (r) { return r.build_id; }, cls: 'mono' }
      ], D.images, { sort: 0, dir: 1 });
    }
    if (D.memory_ops.length) {
      s.appendChild(el('h3', null, 'Memory operations per process'));
      table(s, [
        { label: 'process', get: function (r) { return P[r[0]].comm; }, html: function (r) { return procLink(r[0]); } },
        { label: 'operations', get: function (r) { return r[1].reduce(function (a, o) { return a + o[1]; }, 0); }, html: function (r) { return ops(r[1]); } }
      ], D.memory_ops, { sort: 1 });
    }
    if (D.maps.length) {
      s.appendChild(el('h3', null, 'Address spaces (last snapshot per process)'));
      D.maps.forEach(function (m) {
        var d = el('details');
        d.innerHTML = '<summary>' + procLink(m.proc) + ' — ' + num(m.regions.length + m.more) + ' regions, ' + esc(m.when || '') + ' ' + secs(m.ts) + '</summary>';
        s.appendChild(d);
        var drawn = false;
        d.addEventListener('toggle', function () {
          if (drawn) return; drawn = true;
          table(d, [
            { label: 'start', get: function (r) { return text(r.start); }, cls: 'mono' },
            { label: 'end', get: function (r) { return text(r.end); }, cls: 'mono' },
            { label: 'perms', get: function (r) { return text(r.perms); }, cls: 'mono' },
            { label: 'offset', get: function (r) { return text(r.offset); }, cls: 'mono' },
            { label: 'path', get: function (r) { return r.path; }, cls: 'path' }
          ], m.regions, { page: 50 });
        });
      });
    }
    s.insertAdjacentHTML('beforeend', omitted(D.memory_omitted, 'memory rows'));
  });

  // ---------- alerts ----------
  function alertTable(host, rows, small) {
    table(host, [
      { label: 'when', num: true, get: function (r) { return r.ts; }, html: function (r) { return secs(r.ts); } },
      { label: 'severity', get: function (r) { return r.severity; }, html: function (r) { return '<span class="badge ' + esc(String(r.severity || '').toLowerCase()) + '">' + esc(r.severity) + '</span>'; } },
      { label: 'rule', get: function (r) { return r.rule; }, cls: 'mono' },
      { label: 'module', get: function (r) { return r.module; } },
      { label: 'process', get: function (r) { return r.comm; }, html: function (r) { return r.proc != null ? procLink(r.proc) : esc(r.comm); } },
      { label: 'details', get: function (r) { return r.details; }, cls: 'mono' }
    ], rows, { sort: 0, dir: 1, page: small ? 20 : 100, empty: 'No alerts.' });
  }
  section('alerts', 'Alerts', alertCount, function (s) {
    if (!alertCount) { s.insertAdjacentHTML('beforeend', '<div class="empty">No alerts were raised in this run.</div>'); return; }
    s.insertAdjacentHTML('beforeend', '<p>' + D.alerts_by_severity.map(function (x) { return '<span class="badge ' + esc(x[0].toLowerCase()) + '">' + esc(x[0]) + ' ' + num(x[1]) + '</span>'; }).join(' ') +
      ' &nbsp; ' + D.alerts_by_rule.slice(0, 20).map(function (x) { return '<span class="chip">' + esc(x[0]) + ' ×' + num(x[1]) + '</span>'; }).join('') + '</p>');
    alertTable(s, D.alerts);
    s.insertAdjacentHTML('beforeend', omitted(D.alerts_omitted, 'alerts'));
  });

  // ---------- devices ----------
  function genericTable(host, rows, fields, opt) {
    if (!fields) {
      fields = [];
      rows.forEach(function (r) { Object.keys(r).forEach(function (k) { if (fields.indexOf(k) < 0 && fields.length < 14) fields.push(k); }); });
    }
    table(host, fields.map(function (f) {
      return { label: f, get: function (r) { return r[f]; }, html: function (r) { var v = text(r[f]); return esc(v.length > 200 ? v.slice(0, 200) + '…' : v); } };
    }), rows, opt);
  }
  if (D.devices.length) section('devices', 'Devices', D.devices.length, function (s) {
    genericTable(s, D.devices, null, { page: 50 });
  });

  // ---------- other events ----------
  if (D.other.length) section('other', 'Other events', D.other.reduce(function (a, o) { return a + o[1].count; }, 0), function (s) {
    s.insertAdjacentHTML('beforeend', '<p class="muted">Event types this report has no section for; the first of each are shown, every field kept.</p>');
    D.other.forEach(function (o) {
      s.appendChild(el('h3', null, '<code>' + esc(o[0]) + '</code> <span class="muted">' + num(o[1].count) + ' events · fields: ' + o[1].fields.map(esc).join(', ') + '</span>'));
      genericTable(s, o[1].samples, o[1].fields.filter(function (f) { return f !== 'type'; }).slice(0, 14), { page: 20 });
    });
  });

  // ---------- notices ----------
  section('notices', 'Notices', O.notices.length, function (s) {
    table(s, [
      { label: 'when', num: true, get: function (r) { return r.ts; }, html: function (r) { return secs(r.ts); } },
      { label: 'level', get: function (r) { return r.level; }, html: function (r) { return '<span class="badge ' + (r.level === 'warning' || r.level === 'error' ? 'medium' : 'info') + '">' + esc(r.level) + '</span>'; } },
      { label: 'source', get: function (r) { return r.source; } },
      { label: 'message', get: function (r) { return r.message; } }
    ], O.notices, { sort: 0, dir: 1, empty: 'No notices.' });
    s.insertAdjacentHTML('beforeend', omitted(O.notices_omitted, 'notices'));
  });

  // ---------- draw ----------
  var navHtml = [];
  sections.forEach(function (sec) {
    var s = el('section');
    s.id = sec.id;
    s.innerHTML = '<h2>' + esc(sec.title) + '</h2>';
    main.appendChild(s);
    navHtml.push('<a href="#' + sec.id + '">' + esc(sec.title) + (sec.count ? '<span class="n">' + num(sec.count) + '</span>' : '') + '</a>');
    var t = performance.now();
    try { sec.draw(s); s.setAttribute('data-ms', String(Math.round(performance.now() - t))); } catch (e) {
      s.insertAdjacentHTML('beforeend', '<div class="warn">This section could not be drawn: ' + esc(e && e.message) + '</div>');
      if (window.console) console.error(e);
      document.body.setAttribute('data-errors', (+(document.body.getAttribute('data-errors') || 0) + 1));
    }
  });
  nav.innerHTML = navHtml.join('');
  main.insertAdjacentHTML('beforeend', '<footer>' + esc(M.generated_by) + ' · from ' + esc(M.journal) + ' · self-contained page, nothing fetched</footer>');
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('[data-proc]');
    if (!a || e.target.closest('.tree')) return;
    e.preventDefault();
    selectProc(+a.getAttribute('data-proc'), true);
  });
  document.body.setAttribute('data-render-ms', String(Math.round(performance.now())));
  document.body.setAttribute('data-ready', '1');
})();
