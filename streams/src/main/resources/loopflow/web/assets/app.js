'use strict';
/*
 * The operators' live page. Reads only the HTTP API of the stream processor that serves it:
 *   /api/flows, /api/figures, /api/finals, /api/map   for the chosen window (refetched when the server says
 *                                                     figures changed: event "figures");
 *   /api/events                                        server-sent events: "hello" (every alert), "alert" (each new
 *                                                     one), "pipeline" (health, every 2 s), "figures".
 * Charts are Apache ECharts (Sankey, lines, scatter, bar); this file only turns API answers into chart options.
 * window.loopflow holds the page's state and charts, for people and tests to look at.
 */
(function () {
  const F = window.LoopflowFormat;
  const REFRESH_MIN_MS = 2000;
  const COLORS = { site: '#12323f', material: '#1b7f5f', destination: '#c07a2c' };
  const ALERT_LABELS = {
    'surplus.available': 'Surplus available', 'surplus.cleared': 'Surplus cleared', match: 'Match', 'match.closed': 'Match closed'
  };

  const state = {
    mode: 'hour',
    past: null,
    range: null,
    selectedSite: null,
    alerts: new Map(),
    alertSeenAt: {},
    charts: { sankey: {}, sparks: [], map: null, rejections: null },
    figures: null,
    map: null,
    refreshing: false,
    refreshAgain: false,
    lastRefresh: 0,
    loaded: false,
    errors: []
  };
  window.loopflow = state;

  const $ = (sel) => document.querySelector(sel);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === null || v === undefined || v === false) {
        return;
      }
      if (k === 'class') {
        e.className = v;
      } else if (k === 'text') {
        e.textContent = v;
      } else {
        e.setAttribute(k, v === true ? '' : v);
      }
    });
    children.forEach((c) => e.append(c));
    return e;
  }

  async function api(path) {
    const response = await fetch(path, { cache: 'no-store' });
    const body = await response.json();
    if (!response.ok) {
      throw new Error(path + ': ' + (body.error || response.status));
    }
    return body;
  }

  // ---- the chosen window --------------------------------------------------------------------------------

  function toLocalInput(date) {
    const pad = (n) => String(n).padStart(2, '0');
    return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + 'T' + pad(date.getHours()) + ':' + pad(date.getMinutes());
  }

  function currentRange() {
    const now = new Date();
    if (state.mode === 'today') {
      const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
      return { from: midnight.toISOString(), to: now.toISOString(), label: 'today since ' + F.time(midnight.toISOString()) };
    }
    if (state.mode === 'past' && state.past) {
      return { from: state.past.from, to: state.past.to, label: F.time(state.past.from) + ' – ' + F.time(state.past.to) };
    }
    return { from: new Date(now.getTime() - 3600 * 1000).toISOString(), to: now.toISOString(), label: 'last hour' };
  }

  function rangeQuery(range) {
    return 'from=' + encodeURIComponent(range.from) + '&to=' + encodeURIComponent(range.to);
  }

  function setUpRangeForm() {
    const params = new URLSearchParams(window.location.search);
    if (params.get('from') && params.get('to')) {
      state.mode = 'past';
      state.past = { from: new Date(params.get('from')).toISOString(), to: new Date(params.get('to')).toISOString() };
    } else if (params.get('range') === 'today') {
      state.mode = 'today';
    }
    const form = $('#range');
    form.querySelector('input[value="' + state.mode + '"]').checked = true;
    const now = new Date();
    $('#past-from').value = toLocalInput(state.past ? new Date(state.past.from) : new Date(now.getTime() - 2 * 3600 * 1000));
    $('#past-to').value = toLocalInput(state.past ? new Date(state.past.to) : new Date(now.getTime() - 3600 * 1000));
    $('#past-inputs').classList.toggle('shown', state.mode === 'past');
    form.addEventListener('change', (e) => {
      if (e.target.name === 'mode') {
        state.mode = e.target.value;
        $('#past-inputs').classList.toggle('shown', state.mode === 'past');
        if (state.mode === 'past') {
          readPastInputs();
        }
        refresh();
      }
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      readPastInputs();
      refresh();
    });
  }

  function readPastInputs() {
    const from = new Date($('#past-from').value);
    const to = new Date($('#past-to').value);
    if (isNaN(from) || isNaN(to) || from >= to) {
      showError('Choose a past window whose start is before its end.');
      return;
    }
    state.past = { from: from.toISOString(), to: to.toISOString() };
  }

  // ---- refresh of the window's figures ----------------------------------------------------------------

  async function refresh() {
    if (state.refreshing) {
      state.refreshAgain = true;
      return;
    }
    state.refreshing = true;
    try {
      const range = currentRange();
      const q = rangeQuery(range);
      const [flows, figures, finals, map] = await Promise.all([
        api('/api/flows?' + q), api('/api/figures?' + q), api('/api/finals?window=PT1H&count=24'), api('/api/map')]);
      state.range = range;
      renderFlows(flows, range);
      renderFigures(figures, finals, range);
      renderMap(map);
      renderSite();
      state.loaded = true;
      document.body.dataset.loaded = 'true';
    } catch (e) {
      showError(e.message);
    } finally {
      state.refreshing = false;
      state.lastRefresh = Date.now();
      if (state.refreshAgain) {
        state.refreshAgain = false;
        setTimeout(refresh, REFRESH_MIN_MS);
      }
    }
  }

  function figuresChanged() {
    const wait = Math.max(0, REFRESH_MIN_MS - (Date.now() - state.lastRefresh));
    if (state.refreshPending) {
      return;
    }
    state.refreshPending = true;
    setTimeout(() => {
      state.refreshPending = false;
      refresh();
    }, wait);
  }

  function showError(message) {
    state.errors.push(message);
    const live = $('#live');
    live.title = message;
  }

  // ---- Sankey per unit --------------------------------------------------------------------------------

  function renderFlows(sankey, range) {
    $('#flows-range').textContent = range.label + (sankey.provisional ? ' · includes provisional windows' : '');
    const box = $('#flows');
    box.dataset.from = sankey.from;
    box.dataset.to = sankey.to;
    const shown = new Set();
    sankey.diagrams.forEach((d) => {
      shown.add(d.unit);
      let chart = state.charts.sankey[d.unit];
      if (!chart) {
        const title = el('p', { class: 'sankey-title', text: dimensionTitle(d) });
        const div = el('div', { class: 'sankey', id: 'sankey-' + d.dimension, 'data-unit': d.unit });
        box.append(el('div', { class: 'sankey-box', 'data-unit': d.unit }, title, div));
        chart = echarts.init(div);
        chart.on('click', (p) => {
          if (p.dataType === 'node' && p.data.name.startsWith('site:')) {
            selectSite(p.data.name.substring(5));
          }
        });
        state.charts.sankey[d.unit] = chart;
      }
      const labels = Object.fromEntries(d.nodes.map((n) => [n.id, n.label]));
      const values = Object.fromEntries(d.nodes.map((n) => [n.id, n.value]));
      chart.setOption({
        tooltip: {
          trigger: 'item',
          formatter: (p) => p.dataType === 'edge'
            ? labels[p.data.source] + ' → ' + labels[p.data.target] + ': ' + F.quantity(p.data.value, d.unit)
            : labels[p.data.name] + ': ' + F.quantity(values[p.data.name], d.unit)
        },
        // Refreshes move the bands to their new widths instead of drawing the diagram again from the left.
        animationDurationUpdate: 400,
        series: [{
          type: 'sankey',
          left: 10, right: 10, top: 10, bottom: 10,
          nodeAlign: 'justify',
          emphasis: { focus: 'adjacency' },
          lineStyle: { color: 'gradient', opacity: 0.45 },
          label: { formatter: (p) => labels[p.data.name] + '  ' + F.quantity(values[p.data.name], d.unit), color: '#1d2b36' },
          // Destinations are labelled on their left, inside the diagram.
          data: d.nodes.map((n) => ({
            name: n.id, depth: n.column, itemStyle: { color: COLORS[n.kind] },
            label: n.column === 2 ? { position: 'left' } : undefined
          })),
          links: d.links.map((l) => ({ source: l.source, target: l.target, value: l.value }))
        }]
      });
    });
    Object.keys(state.charts.sankey).forEach((unit) => {
      if (!shown.has(unit)) {
        state.charts.sankey[unit].dispose();
        delete state.charts.sankey[unit];
        box.querySelector('.sankey-box[data-unit="' + unit + '"]').remove();
      }
    });
    $('#flows-empty').hidden = sankey.diagrams.length > 0;
  }

  function dimensionTitle(d) {
    const names = { mass: 'Mass', energy: 'Energy', volume: 'Volume' };
    return (names[d.dimension] || d.dimension) + ' (' + (d.unit === 'm3' ? 'm³' : d.unit) + ')';
  }

  // ---- key figures ------------------------------------------------------------------------------------

  function renderFigures(figures, finals, range) {
    state.figures = figures;
    $('#figures-range').textContent = range.label;
    const regions = [...new Set(figures.figures.filter((f) => f.scope === 'region').map((f) => f.id))];
    $('#region-name').textContent = regions.length ? '· ' + regions.join(', ') : '';
    state.charts.sparks.forEach((c) => c.dispose());
    state.charts.sparks = [];
    const trends = new Map(finals.map((s) => [s.scope + '/' + s.id + '/' + s.material, s.finals]));
    const body = $('#figures tbody');
    body.replaceChildren();
    figures.figures.forEach((f) => {
      const cls = [f.scope === 'region' ? 'region' : '', f.scope === 'site' && f.id === state.selectedSite ? 'selected' : ''].join(' ').trim();
      const rate = (v) => el('td', { class: 'num' + (f.provisional ? ' provisional' : ''), title: f.provisional ? 'provisional' : null }, F.rate(v));
      const name = f.scope === 'region' ? el('span', { text: 'Region ' + f.label }) : siteLink(f.id, f.label);
      const spark = el('div', { class: 'spark' });
      const row = el('tr', { class: cls || null, 'data-scope': f.scope, 'data-id': f.id, 'data-material': f.material },
        el('td', {}, name, f.provisional ? el('span', { class: 'tag', text: 'provisional' }) : ''),
        el('td', { text: f.materialLabel }),
        el('td', { class: 'num' + (f.provisional ? ' provisional' : '') }, F.quantity(residues(f.sums), f.unit)),
        rate(f.recyclingRate), rate(f.landfillRate), rate(f.circularInputRate),
        el('td', {}, spark));
      body.append(row);
      const series = trends.get(f.scope + '/' + f.id + '/' + f.material) || [];
      if (series.length > 0) {
        state.charts.sparks.push(sparkline(spark, series));
      } else {
        spark.textContent = 'no closed hour yet';
        spark.className = 'spark empty';
      }
    });
  }

  function residues(s) {
    return s['out.reuse'] + s['out.recovery'] + s['out.disposal'] + s['out.storage'];
  }

  function sparkline(div, finals) {
    const chart = echarts.init(div);
    const line = (name, field, color) => ({
      name: name, type: 'line', showSymbol: finals.length < 4, symbolSize: 3, lineStyle: { width: 1.5, color: color }, itemStyle: { color: color },
      data: finals.map((r) => [r.windowStart, r[field] === null ? null : r[field]])
    });
    chart.setOption({
      animation: false,
      grid: { left: 2, right: 2, top: 2, bottom: 2 },
      xAxis: { type: 'time', show: false },
      yAxis: { type: 'value', show: false, min: 0, max: 1 },
      tooltip: {
        trigger: 'axis',
        formatter: (ps) => F.time(ps[0].value[0]) + '<br>' + ps.map((p) => p.seriesName + ' ' + F.rate(p.value[1])).join('<br>')
      },
      series: [line('Recycling', 'recyclingRate', '#1b7f5f'), line('Landfill', 'landfillRate', '#b4441b'),
        line('Circular input', 'circularInputRate', '#2c6fbb')]
    });
    return chart;
  }

  function siteLink(id, label) {
    const a = el('a', { href: '#site-' + id, text: label });
    a.addEventListener('click', (e) => {
      e.preventDefault();
      selectSite(id);
    });
    return a;
  }

  // ---- one site ---------------------------------------------------------------------------------------

  function selectSite(id) {
    state.selectedSite = id;
    renderSite();
    document.querySelectorAll('#figures tbody tr').forEach((tr) => {
      tr.classList.toggle('selected', tr.dataset.scope === 'site' && tr.dataset.id === id);
    });
    $('#site-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  function renderSite() {
    const id = state.selectedSite;
    $('#site-section').hidden = !id;
    if (!id || !state.map) {
      return;
    }
    const site = state.map.sites.find((s) => s.id === id) || { id: id, name: id, surplus: [] };
    $('#site-title').textContent = site.name + (site.region ? ' · ' + site.region : '');
    const detail = $('#site-detail');
    detail.replaceChildren();
    const where = site.lat === null || site.lat === undefined ? 'no coordinates in its site descriptor'
      : F.number(site.lat) + ' N, ' + F.number(site.lon) + ' E';
    detail.append(el('p', { class: 'hint', text: 'Site id ' + site.id + ' · ' + where }));
    const rows = (state.figures ? state.figures.figures : []).filter((f) => f.scope === 'site' && f.id === id);
    const table = el('table', {}, el('thead', {}, el('tr', {}, ...['Material', 'In (virgin / secondary)', 'Out product', 'Reuse',
      'Recovery', 'Disposal', 'Storage', 'Recycling', 'Circular input'].map((h) => el('th', { text: h })))));
    const tbody = el('tbody');
    rows.forEach((f) => {
      const q = (v) => el('td', { class: 'num' + (f.provisional ? ' provisional' : '') }, F.quantity(v, f.unit));
      tbody.append(el('tr', {}, el('td', { text: f.materialLabel }),
        el('td', { class: 'num' }, F.quantity(f.sums['in.virgin'], f.unit) + ' / ' + F.quantity(f.sums['in.secondary'], f.unit)),
        q(f.sums['out.product']), q(f.sums['out.reuse']), q(f.sums['out.recovery']), q(f.sums['out.disposal']), q(f.sums['out.storage']),
        el('td', { class: 'num' }, F.rate(f.recyclingRate)), el('td', { class: 'num' }, F.rate(f.circularInputRate))));
    });
    table.append(tbody);
    detail.append(rows.length ? table : el('p', { class: 'empty', text: 'No flows of this site in the chosen window.' }));
    site.surplus.forEach((s) => detail.append(el('p', {},
      'Surplus of ' + s.materialLabel + ': ' + F.quantity(s.available, s.unit) + ' of a ' + F.quantity(s.threshold, s.unit) + ' threshold'
      + (s.raised ? ' (alert raised)' : ''))));
  }

  // ---- map of the sites --------------------------------------------------------------------------------

  function renderMap(map) {
    state.map = map;
    const placed = map.sites.filter((s) => s.lat !== null && s.lat !== undefined && s.lon !== null && s.lon !== undefined);
    if (!state.charts.map) {
      state.charts.map = echarts.init($('#map'));
      state.charts.map.on('click', (p) => {
        if (p.seriesType === 'scatter') {
          selectSite(p.data.id);
        }
      });
    }
    const byId = Object.fromEntries(map.sites.map((s) => [s.id, s]));
    const lats = placed.length ? placed.map((s) => s.lat) : [0, 1];
    const lons = placed.length ? placed.map((s) => s.lon) : [0, 1];
    const pad = (min, max) => Math.max((max - min) * 0.15, 0.005);
    const latMin = Math.min(...lats) - pad(Math.min(...lats), Math.max(...lats));
    const latMax = Math.max(...lats) + pad(Math.min(...lats), Math.max(...lats));
    const lonMin = Math.min(...lons) - pad(Math.min(...lons), Math.max(...lons));
    const lonMax = Math.max(...lons) + pad(Math.min(...lons), Math.max(...lons));
    const surplusText = (s) => s.surplus.map((x) => x.materialLabel + ' ' + F.quantity(x.available, x.unit) + ' / ' + F.quantity(x.threshold, x.unit)).join('\n');
    const over = (s) => s.surplus.some((x) => x.available >= x.threshold);
    const ratio = (s) => Math.max(0, ...s.surplus.map((x) => x.threshold > 0 ? x.available / x.threshold : 0));
    state.charts.map.setOption({
      animation: false,
      tooltip: { trigger: 'item' },
      grid: { left: 50, right: 30, top: 20, bottom: 40 },
      // An equirectangular plot of the sites' coordinates on a plain background: no map tiles from anywhere.
      xAxis: { type: 'value', name: 'lon °E', min: lonMin, max: lonMax, axisLabel: { formatter: (v) => v.toFixed(3) }, splitLine: { lineStyle: { color: '#eef2f4' } } },
      yAxis: { type: 'value', name: 'lat °N', min: latMin, max: latMax, axisLabel: { formatter: (v) => v.toFixed(3) }, splitLine: { lineStyle: { color: '#eef2f4' } } },
      series: [
        {
          type: 'lines', coordinateSystem: 'cartesian2d', z: 1,
          lineStyle: { color: '#b4441b', width: 2, type: 'dashed', curveness: 0.2 },
          tooltip: { formatter: (p) => p.data.tip },
          data: map.matches.filter((m) => byId[m.site] && byId[m.counterpart] && byId[m.site].lat != null && byId[m.counterpart].lat != null)
            .map((m) => ({
              coords: [[byId[m.site].lon, byId[m.site].lat], [byId[m.counterpart].lon, byId[m.counterpart].lat]],
              tip: 'Match: ' + m.materialLabel + ' from ' + byId[m.site].name + ' to ' + byId[m.counterpart].name + ', ' + F.km(m.distanceKm)
            }))
        },
        {
          type: 'scatter', z: 2,
          data: placed.map((s) => ({
            id: s.id, value: [s.lon, s.lat], name: s.name,
            symbolSize: 14 + Math.min(ratio(s), 2) * 14,
            itemStyle: { color: over(s) ? '#b4441b' : '#1b7f5f' },
            label: { show: true, position: 'right', distance: 10, lineHeight: 15, formatter: s.name + (s.surplus.length ? '\n' + surplusText(s) : '') }
          })),
          tooltip: { formatter: (p) => byId[p.data.id].name + (byId[p.data.id].surplus.length ? '<br>' + surplusText(byId[p.data.id]).replace(/\n/g, '<br>') : '') }
        }
      ]
    });
    const tbody = $('#matches tbody');
    tbody.replaceChildren();
    map.matches.forEach((m) => tbody.append(el('tr', {},
      el('td', {}, siteLink(m.site, byId[m.site] ? byId[m.site].name : m.site)),
      el('td', { text: m.materialLabel }),
      el('td', {}, siteLink(m.counterpart, byId[m.counterpart] ? byId[m.counterpart].name : m.counterpart)),
      el('td', { class: 'num' }, F.quantity(m.available, unitOf(map, m))),
      el('td', { class: 'num' }, F.quantity(m.quantity, unitOf(map, m))),
      el('td', { class: 'num' }, F.km(m.distanceKm)))));
    if (map.matches.length === 0) {
      tbody.append(el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'No open match.' })));
    }
  }

  function unitOf(map, match) {
    const site = map.sites.find((s) => s.id === match.site);
    const s = site ? site.surplus.find((x) => x.material === match.material) : null;
    return s ? s.unit : '';
  }

  // ---- alerts -----------------------------------------------------------------------------------------

  function renderAlerts(freshId) {
    const list = $('#alerts');
    list.replaceChildren();
    const all = [...state.alerts.values()].sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0)).slice(0, 100);
    all.forEach((a) => {
      const type = a.type.replace('.', '-');
      list.append(el('li', { class: a.id === freshId ? 'fresh' : null, 'data-id': a.id, 'data-type': a.type },
        el('span', { class: 'type ' + type, text: ALERT_LABELS[a.type] || a.type }),
        el('span', { text: a.message || (a.site + ' ' + a.material) }),
        el('span', { class: 'when', text: F.time(a.ts, true) })));
    });
    $('#alerts-empty').hidden = all.length > 0;
  }

  // ---- pipeline health --------------------------------------------------------------------------------

  function renderPipeline(p) {
    const box = $('#pipeline-figures');
    const figure = (value, label, title) => el('div', { class: 'figure', title: title || null },
      el('div', { class: 'value', text: value }), el('div', { class: 'label', text: label }));
    const lag = p.consumerLag.map((l) => figure(F.count(l.lag), 'lag of ' + l.group,
      Object.entries(l.byTopic).map(([t, n]) => t + ': ' + n).join(', ')));
    box.replaceChildren(
      figure(p.readingsPerSecond === null ? '–' : F.number(p.readingsPerSecond), 'readings/s accepted'),
      figure(F.count(p.readingsAccepted), 'readings on loopflow.readings'),
      figure(F.count(p.rejections.reduce((n, r) => n + r.lastHour, 0)), 'rejected in the last hour'),
      figure(p.brokerDropped === null ? 'n/a' : F.count(p.brokerDropped), 'dropped by the MQTT broker',
        p.brokerDropped === null ? 'the MQTT broker does not run in this process' : null),
      ...lag);
    if (p.sampleError) {
      box.append(el('div', { class: 'figure' }, el('div', { class: 'label', text: 'Kafka figures of ' + F.time(p.sampledAt, true) + ': ' + p.sampleError })));
    }
    if (!state.charts.rejections) {
      state.charts.rejections = echarts.init($('#rejections-chart'));
    }
    const reasons = p.rejections.map((r) => r.reason);
    state.charts.rejections.setOption({
      animation: false,
      title: { text: 'Rejections by reason', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, right: 0 },
      grid: { left: 10, right: 20, top: 40, bottom: 20, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: reasons, inverse: true },
      series: [
        { name: 'last hour', type: 'bar', data: p.rejections.map((r) => r.lastHour), itemStyle: { color: '#b4441b' } },
        { name: 'last 48 h', type: 'bar', data: p.rejections.map((r) => r.kept), itemStyle: { color: '#d9a38e' } }
      ]
    });
    const tbody = $('#rejections tbody');
    tbody.replaceChildren();
    p.latestRejections.slice(0, 8).forEach((r) => tbody.append(el('tr', { 'data-reason': r.reason },
      el('td', { text: F.time(r.receivedAt, true) }),
      el('td', { class: 'reason', text: r.reason }),
      el('td', { text: r.site && r.meter ? r.site + '/' + r.meter : (r.mqttTopic || '–') }),
      el('td', { class: 'detail', text: r.detail || '' }),
      el('td', {}, el('code', { class: 'payload', text: r.payload === null || r.payload === undefined ? '' : r.payload.slice(0, 300) })))));
    $('#rejections-empty').hidden = p.latestRejections.length > 0;
  }

  // ---- live updates -----------------------------------------------------------------------------------

  function connect() {
    const live = $('#live');
    const events = new EventSource('/api/events');
    events.onopen = () => {
      live.textContent = 'live';
      live.className = 'live on';
    };
    events.onerror = () => {
      // EventSource reconnects by itself (the server asks for 2 s).
      live.textContent = 'reconnecting…';
      live.className = 'live off';
    };
    events.addEventListener('hello', (e) => {
      const hello = JSON.parse(e.data);
      if (!hello.ready) {
        live.textContent = 'server loading…';
        return;
      }
      live.textContent = 'live';
      state.alerts = new Map(hello.alerts.map((a) => [a.id, a]));
      renderAlerts(null);
      figuresChanged();
    });
    events.addEventListener('alert', (e) => {
      const alert = JSON.parse(e.data);
      state.alertSeenAt[alert.id] = Date.now();
      state.alerts.set(alert.id, alert);
      renderAlerts(alert.id);
      figuresChanged();
    });
    events.addEventListener('pipeline', (e) => renderPipeline(JSON.parse(e.data)));
    events.addEventListener('figures', figuresChanged);
    state.events = events;
  }

  window.addEventListener('resize', () => {
    Object.values(state.charts.sankey).forEach((c) => c.resize());
    state.charts.sparks.forEach((c) => c.resize());
    if (state.charts.map) {
      state.charts.map.resize();
    }
    if (state.charts.rejections) {
      state.charts.rejections.resize();
    }
  });

  $('#site-close').addEventListener('click', () => {
    state.selectedSite = null;
    renderSite();
    document.querySelectorAll('#figures tbody tr.selected').forEach((tr) => tr.classList.remove('selected'));
  });

  setUpRangeForm();
  // The first figures are fetched when the server's hello says its view is ready (a view still reading answers 503).
  connect();
})();
