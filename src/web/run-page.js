// The run page's script. Everything it puts into the page is either HTML the server escaped
// (graph, node and log fragments) or text set with textContent; it never builds markup from data.
(() => {
  const body = document.body;
  const base = body.dataset.base;
  const query = body.dataset.query;
  const graph = document.getElementById('graph');
  const panel = document.getElementById('panel');
  const SYMBOLS = { Pending: '◷', Running: '●', Succeeded: '✔', Failed: '✖', Error: '⚠', Skipped: '○', Omitted: '○' };
  let logStream;
  let shownNode;

  const url = (part, params) => `${base}/${part}?${params ? `${params}&` : ''}${query}`;

  // --- the graph's edges, drawn over its rows from the boxes' positions ---
  function drawEdges() {
    const rows = graph.querySelector('.graph-rows');
    if (!rows) return;
    rows.querySelector('svg.edges')?.remove();
    const edges = JSON.parse(rows.dataset.edges || '[]');
    if (edges.length === 0) return;
    const svgNs = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('class', 'edges');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('width', rows.scrollWidth);
    svg.setAttribute('height', rows.scrollHeight);
    const origin = rows.getBoundingClientRect();
    const paths = [];
    for (const [from, to] of edges) {
      const a = document.getElementById(`box-${from}`);
      const b = document.getElementById(`box-${to}`);
      if (!a || !b) continue;
      const ra = a.getBoundingClientRect();
      const rb = b.getBoundingClientRect();
      const x1 = ra.left + ra.width / 2 - origin.left;
      const y1 = ra.bottom - origin.top;
      const x2 = rb.left + rb.width / 2 - origin.left;
      const y2 = rb.top - origin.top;
      const mid = (y1 + y2) / 2;
      paths.push(`M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`);
    }
    const path = document.createElementNS(svgNs, 'path');
    path.setAttribute('d', paths.join(' '));
    svg.appendChild(path);
    rows.prepend(svg);
  }

  function setPhase(element, phase) {
    for (const name of [...element.classList]) if (name.startsWith('phase-')) element.classList.remove(name);
    element.classList.add(`phase-${phase}`);
  }

  function updateBox(item) {
    const box = document.getElementById(`box-${item.id}`);
    if (!box) return;
    setPhase(box, item.phase);
    const badge = box.querySelector('.box-phase');
    badge.dataset.phase = item.phase;
    badge.firstElementChild.textContent = SYMBOLS[item.phase] || '?';
    badge.querySelector('.phase-word').textContent = item.phase;
    if (item.detail !== undefined) box.querySelector('.box-detail').textContent = item.detail;
  }

  // The graph is fetched again when its boxes change (a step starts, a loop grows): at most one
  // fetch at a time and one every half second, never dropping a change asked for meanwhile. Phase
  // changes that arrive during a fetch are applied again on the fetched graph, in order, so a
  // graph fetched a moment before them does not undo them.
  const refetch = { running: false, again: false, queued: [] };
  async function refetchGraph() {
    if (refetch.running) {
      refetch.again = true;
      return;
    }
    refetch.running = true;
    try {
      do {
        refetch.again = false;
        refetch.queued = [];
        const response = await fetch(url('graph'));
        if (response.ok) {
          graph.innerHTML = await response.text(); // escaped by the server
          for (const item of refetch.queued) updateBox(item);
          markSelected();
          drawEdges();
        }
        if (refetch.again) await new Promise((resolve) => setTimeout(resolve, 500));
      } while (refetch.again);
    } finally {
      refetch.running = false;
    }
  }

  function updateRun(run) {
    const phase = document.querySelector('#run-phase .phase');
    setPhase(phase, run.phase);
    phase.firstElementChild.textContent = SYMBOLS[run.phase] || '?';
    phase.lastChild.textContent = ` ${run.phase}`;
    document.getElementById('run-message').textContent = run.message;
    document.getElementById('run-started').textContent = run.startedAt || '—';
    document.getElementById('run-finished').textContent = run.finishedAt || '—';
    document.getElementById('run-progress').textContent = run.progress || '—';
    document.getElementById('run-duration').textContent = run.startedAt ? formatDuration((run.finishedAt ? Date.parse(run.finishedAt) : Date.now()) - Date.parse(run.startedAt)) : '—';
    document.title = `${document.title.split(' · ')[0]} · ${run.phase} · Skiff`;
  }

  const shape = graph.querySelector('.graph-rows')?.dataset.shape ?? '';
  const events = new EventSource(url('events', `shape=${encodeURIComponent(shape)}`));
  events.addEventListener('change', (event) => {
    const change = JSON.parse(event.data);
    updateRun(change.run);
    for (const item of change.items) updateBox(item);
    if (refetch.running) refetch.queued.push(...change.items);
    if (change.structure) refetchGraph();
    if (shownNode && change.items.some((item) => item.id === shownNode)) refreshNodeFacts();
  });

  // --- the panel: a node or a loop, named in the URL's fragment so its link can be copied ---
  function markSelected() {
    for (const box of graph.querySelectorAll('.box[aria-current]')) box.removeAttribute('aria-current');
    const selected = shownNode && document.getElementById(`box-${shownNode}`);
    if (selected) selected.setAttribute('aria-current', 'true');
  }

  function closeLog() {
    if (logStream) logStream.close();
    logStream = undefined;
  }

  async function show() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const nodeId = hash.get('node');
    const loopId = hash.get('loop');
    closeLog();
    if (!nodeId && !loopId) {
      shownNode = undefined;
      panel.hidden = true;
      panel.textContent = '';
      markSelected();
      return;
    }
    shownNode = nodeId || loopId;
    markSelected();
    const response = await fetch(url(nodeId ? 'node' : 'loop', `id=${encodeURIComponent(shownNode)}`));
    panel.hidden = false;
    if (!response.ok) {
      panel.textContent = await response.text();
      return;
    }
    panel.innerHTML = await response.text(); // escaped by the server
    wirePanel();
    panel.querySelector('h2')?.setAttribute('tabindex', '-1');
    panel.querySelector('h2')?.focus({ preventScroll: true });
    const log = panel.querySelector('pre.log');
    if (log) loadLog(log);
  }

  // The shown step changed phase: its facts and outputs are fetched again; its log and the log's stream stay.
  async function refreshNodeFacts() {
    const view = panel.querySelector('.node-view');
    if (!view) return;
    const response = await fetch(url('node', `id=${encodeURIComponent(view.dataset.node)}`));
    if (!response.ok) return;
    const holder = document.createElement('div');
    holder.innerHTML = await response.text(); // escaped by the server
    const next = holder.querySelector('.node-view');
    if (!next) return;
    for (const selector of ['pre.log', '.log-tools']) {
      const kept = view.querySelector(selector);
      const fresh = next.querySelector(selector);
      if (kept && fresh) fresh.replaceWith(kept);
    }
    view.replaceWith(next);
    wirePanel();
  }

  function wirePanel() {
    panel.querySelector('.close')?.addEventListener('click', closePanel);
    const choice = panel.querySelector('select.log-container');
    if (choice && !choice.dataset.wired) {
      choice.dataset.wired = '1';
      choice.addEventListener('change', () => showContainer(choice.value));
    }
    for (const info of panel.querySelectorAll('[data-info]')) loadArtifactInfo(info);
  }

  function closePanel() {
    history.pushState(null, '', location.pathname + location.search);
    show();
  }

  async function loadArtifactInfo(element) {
    const response = await fetch(element.dataset.info);
    if (!response.ok) {
      element.textContent = '(not readable)';
      return;
    }
    const info = await response.json();
    element.textContent = `${formatBytes(info.size)} · ${info.repository}`;
    if (info.files && info.files.length > 0) {
      const list = document.createElement('ul');
      list.className = 'artifact-files';
      for (const file of info.files) {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = `${element.dataset.info.replace('/artifact-info?', '/artifact?')}&file=${encodeURIComponent(file.name)}`;
        link.textContent = file.name;
        item.append(link, ` ${formatBytes(file.size)}`);
        list.appendChild(item);
      }
      element.after(list);
    }
  }

  function formatDuration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
    return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  }

  function formatBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
    return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  }

  // A containerSet's step: the log, its stream and its download follow the chosen container.
  function showContainer(container) {
    const pre = panel.querySelector('pre.log');
    if (!pre) return;
    const point = (link) => link.replace(/([?&]container=)[^&]*/, `$1${encodeURIComponent(container)}`);
    pre.dataset.log = point(pre.dataset.log);
    pre.dataset.follow = point(pre.dataset.follow);
    pre.dataset.container = container;
    const download = panel.querySelector('.log-download');
    if (download) download.href = point(download.getAttribute('href'));
    closeLog();
    pre.textContent = '';
    loadLog(pre);
  }

  async function loadLog(pre) {
    const response = await fetch(pre.dataset.log);
    if (!response.ok) return;
    const page = await response.json();
    pre.innerHTML = page.html; // escaped by the server
    if (page.note && !page.html) pre.textContent = `[${page.note}]`;
    // A log shown with a note (the archived copy of a pod that is gone) says so above it.
    else if (page.note) pre.insertAdjacentText('afterbegin', `[${page.note}]\n`);
    pre.dataset.start = page.start;
    const earlier = panel.querySelector('.log-earlier');
    if (earlier) earlier.hidden = true;
    if (page.start > 0 && earlier) {
      earlier.hidden = false;
      earlier.onclick = async () => {
        const more = await (await fetch(`${pre.dataset.log}&before=${pre.dataset.start}`)).json();
        const fragment = document.createElement('span');
        fragment.innerHTML = `${more.html}\n`; // escaped by the server
        pre.prepend(fragment);
        pre.dataset.start = more.start;
        earlier.hidden = more.start === 0;
      };
    }
    followLog(pre, page.end);
  }

  function followLog(pre, from) {
    closeLog();
    const stream = new EventSource(`${pre.dataset.follow}&from=${from}`);
    logStream = stream;
    stream.addEventListener('lines', (event) => {
      const { html } = JSON.parse(event.data);
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      const chunk = document.createElement('span');
      chunk.innerHTML = (pre.childNodes.length > 0 ? '\n' : '') + html; // escaped by the server
      pre.appendChild(chunk);
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    });
    stream.addEventListener('end', () => stream.close());
    // The server could not go on reading the log (it says why): the lines shown stay.
    stream.addEventListener('failed', (event) => {
      stream.close();
      const note = document.createElement('span');
      note.className = 'log-failed';
      note.textContent = `\n[the log stopped: ${JSON.parse(event.data).message}]`;
      pre.appendChild(note);
    });
  }

  // --- keyboard: arrows move between boxes, Escape closes the panel ---
  graph.addEventListener('keydown', (event) => {
    const box = event.target.closest?.('.box');
    if (!box) return;
    const row = box.parentElement;
    let next;
    if (event.key === 'ArrowRight') next = box.nextElementSibling;
    else if (event.key === 'ArrowLeft') next = box.previousElementSibling;
    else if (event.key === 'ArrowDown') next = row.nextElementSibling?.querySelector('.box');
    else if (event.key === 'ArrowUp') next = row.previousElementSibling?.querySelector('.box');
    if (next?.classList.contains('box')) {
      next.focus();
      event.preventDefault();
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) closePanel();
  });

  window.addEventListener('hashchange', show);
  // Edges follow the boxes wherever the layout moves them (a panel opening, a phone turned).
  let drawQueued = false;
  new ResizeObserver(() => {
    if (drawQueued) return;
    drawQueued = true;
    requestAnimationFrame(() => {
      drawQueued = false;
      drawEdges();
    });
  }).observe(graph);
  drawEdges();
  show();
})();
