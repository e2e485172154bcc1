// Ballast's HTML report: renders the data that `ballast report` embeds (see src/cli/report/data.ts).
// Plain browser JavaScript, inlined into the page; it never fetches anything. Every name from the
// cluster (topic, rack, host) is set as text, never as HTML.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("ballast-data").textContent);
  const DESCRIBE = DATA.describe;
  const PLAN = DATA.plan;
  const PAGE_SIZE = 100;
  const RESOURCES = [
    { key: "replicas", label: "replicas", unit: "count" },
    { key: "leaders", label: "leaders", unit: "count" },
    { key: "disk", label: "disk", unit: "bytes", capacity: "diskCapacity" },
    { key: "networkIn", label: "network in", unit: "rate", capacity: "networkInCapacity" },
    { key: "networkOut", label: "network out", unit: "rate", capacity: "networkOutCapacity" },
  ];

  // ---- formatting, as the CLI does it (src/model/units.ts, src/cli/render.ts) ----------------
  // A copy, as this script runs in the page without modules; test/browser/report.test.ts compares
  // every figure the page shows with the model's formatBytes and formatRate, so they cannot drift.
  const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  function roundForDisplay(value) {
    const decimals = value < 10 ? 2 : value < 100 ? 1 : 0;
    return Number(value.toFixed(decimals));
  }
  function formatBytes(n) {
    if (!Number.isFinite(n)) return String(n);
    const sign = n < 0 ? "-" : "";
    let value = Math.abs(n);
    let unit = 0;
    while (unit < BINARY_UNITS.length - 1 && roundForDisplay(value) >= 1024) {
      value /= 1024;
      unit++;
    }
    return sign + roundForDisplay(value) + " " + BINARY_UNITS[unit];
  }
  function formatRate(n) {
    return formatBytes(n) + "/s";
  }
  function percent(fraction) {
    return (fraction * 100).toFixed(1) + "%";
  }
  function formatNumber(n) {
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
  }
  function formatUnit(value, unit) {
    if (value === null || value === undefined) return "—";
    if (unit === "bytes") return formatBytes(value);
    if (unit === "rate") return formatRate(value);
    if (unit === "pct") return percent(value);
    if (unit === "bool") return value ? "yes" : "no";
    if (unit === "text") return String(value);
    return typeof value === "number" ? formatNumber(value) : String(value);
  }
  function formatDisk(b) {
    const bytes = formatBytes(b.disk);
    return b.diskUtilization === undefined ? bytes : bytes + " (" + percent(b.diskUtilization) + ")";
  }
  function formatNet(rate, utilization) {
    if (rate === 0 && utilization === undefined) return "";
    const r = formatRate(rate);
    return utilization === undefined ? r : r + " (" + percent(utilization) + ")";
  }
  function formatBand(band) {
    return band.min === band.max ? String(band.min) : band.min + "–" + band.max;
  }
  function change(before, after) {
    return before === after ? after : before + " → " + after;
  }

  // ---- DOM helpers ---------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(typeof c === "string" ? document.createTextNode(c) : c);
    return node;
  }
  /** A figure from the JSON, with its path and raw value kept for the tests and for copying. */
  function fig(root, path, unit) {
    const value = pathGet(root === "plan" ? PLAN.summary : root === "after" ? PLAN.after : DESCRIBE, path);
    return el("span", { "data-fig": root + ":" + path, "data-unit": unit, "data-value": JSON.stringify(value === undefined ? null : value), text: formatUnit(value, unit) });
  }
  function pathGet(obj, path) {
    let cur = obj;
    for (const part of path.split(".")) {
      if (cur === null || cur === undefined) return undefined;
      cur = cur[part];
    }
    return cur;
  }
  const tip = el("div", { class: "tip" });
  function showTip(event, text) {
    tip.textContent = text;
    tip.style.display = "block";
    tip.style.left = event.clientX + 12 + "px";
    tip.style.top = event.clientY + 12 + "px";
  }
  function hideTip() {
    tip.style.display = "none";
  }

  // ---- lookups -----------------------------------------------------------------------------
  const brokerById = new Map(DESCRIBE.brokers.map((b) => [b.id, b]));
  const afterById = PLAN ? new Map(PLAN.after.brokers.map((b) => [b.id, b])) : null;
  const P = DATA.partitions;
  const partitionCount = P.topic.length;
  const offsets = new Int32Array(partitionCount + 1);
  for (let i = 0; i < partitionCount; i++) offsets[i + 1] = offsets[i] + P.rf[i];
  function sparse(list) {
    const out = new Map();
    for (let i = 0; i < list.length; ) {
      const index = list[i];
      const count = list[i + 1];
      out.set(index, list.slice(i + 2, i + 2 + count));
      i += 2 + count;
    }
    return out;
  }
  const outOfSync = sparse(P.outOfSync);
  const offline = sparse(P.offlineReplicas);
  function replicasOf(i) {
    return P.replicas.slice(offsets[i], offsets[i + 1]);
  }
  function partitionState(i) {
    if (offline.has(i)) return "offline";
    if (outOfSync.has(i)) return "under-replicated";
    return "in sync";
  }
  function replicaChips(i) {
    const span = el("span", { class: "replicas" });
    const short = outOfSync.get(i) || [];
    const down = offline.get(i) || [];
    for (const id of replicasOf(i)) {
      const classes = ["rep"];
      if (id === P.leader[i]) classes.push("leader");
      if (down.includes(id)) classes.push("offline");
      else if (short.includes(id)) classes.push("out-of-isr");
      span.append(el("span", { class: classes.join(" "), "data-broker": id, text: String(id) }));
    }
    return span;
  }

  // ---- a sortable, filterable, paged table over row indexes ----------------------------------
  /**
   * columns: {key, label, value(i) for sorting, text(i) → string or node, num}. The rows are the
   * indexes 0..count-1 (or `rows`); only the page in view is in the DOM.
   */
  function dataTable(opts) {
    const wrap = el("div", { class: "table-block", id: "block-" + opts.id });
    const search = el("input", { type: "search", id: "filter-" + opts.id, placeholder: opts.placeholder || "filter", "aria-label": "filter " + opts.id });
    const info = el("span", { class: "pager-info", id: "pager-" + opts.id });
    const prev = el("button", { type: "button", text: "‹ prev", id: "prev-" + opts.id });
    const next = el("button", { type: "button", text: "next ›", id: "next-" + opts.id });
    const extra = opts.controls || [];
    wrap.append(el("div", { class: "controls" }, search, ...extra, el("span", { class: "pager" }, prev, info, next)));
    const table = el("table", { id: "table-" + opts.id });
    const headRow = el("tr");
    const tbody = el("tbody");
    table.append(el("thead", {}, headRow), tbody);
    wrap.append(table);
    const all = opts.rows || Array.from({ length: opts.count }, (_, i) => i);
    let view = all;
    let page = 0;
    let sortKey = null;
    let sortDir = 1;
    const ths = opts.columns.map((c) => {
      const th = el("th", { class: "sortable" + (c.num ? " num" : ""), "data-key": c.key, text: c.label, title: "sort by " + c.label });
      th.addEventListener("click", () => sortBy(c.key));
      headRow.append(th);
      return th;
    });
    function apply() {
      const q = search.value.trim().toLowerCase();
      const keep = opts.extraFilter ? opts.extraFilter() : null;
      view = q === "" && !keep ? all.slice() : all.filter((i) => (!keep || keep(i)) && (q === "" || opts.matches(i, q)));
      if (sortKey !== null) view = sorted(view, opts.columns.find((c) => c.key === sortKey), sortDir);
      page = 0;
      render();
    }
    function sortBy(key) {
      if (sortKey === key) sortDir = -sortDir;
      else {
        sortKey = key;
        sortDir = 1;
      }
      ths.forEach((th) => th.classList.remove("sorted-asc", "sorted-desc"));
      ths[opts.columns.findIndex((c) => c.key === key)].classList.add(sortDir === 1 ? "sorted-asc" : "sorted-desc");
      apply();
    }
    function render() {
      const pages = Math.max(1, Math.ceil(view.length / PAGE_SIZE));
      page = Math.min(page, pages - 1);
      tbody.replaceChildren();
      for (const i of view.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)) {
        const tr = el("tr", { "data-row": i, class: opts.onRow ? "clickable" : undefined });
        for (const c of opts.columns) {
          const content = c.text(i);
          tr.append(el("td", { "data-col": c.key, class: (c.num ? "num" : "") + (c.wrap ? " wrap" : "") }, content));
        }
        if (opts.onRow) tr.addEventListener("click", () => opts.onRow(i));
        tbody.append(tr);
      }
      if (view.length === 0) tbody.append(el("tr", {}, el("td", { class: "empty", colspan: opts.columns.length, text: "no rows" })));
      info.textContent = view.length === 0 ? "0 rows" : "rows " + (page * PAGE_SIZE + 1) + "–" + Math.min(view.length, (page + 1) * PAGE_SIZE) + " of " + view.length;
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }
    let timer = 0;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(apply, 150);
    });
    prev.addEventListener("click", () => {
      page--;
      render();
    });
    next.addEventListener("click", () => {
      page++;
      render();
    });
    render();
    return { node: wrap, refresh: apply, sortBy };
  }

  /**
   * Rows ordered by a column, ties by row index. The keys are read once into an array and positions
   * are sorted (a typed array for numbers): a million partitions sort in about a second.
   */
  function sorted(rows, col, dir) {
    const n = rows.length;
    const numeric = n > 0 && typeof col.value(rows[0]) === "number";
    const keys = numeric ? new Float64Array(n) : new Array(n);
    for (let k = 0; k < n; k++) keys[k] = numeric ? col.value(rows[k]) : String(col.value(rows[k]));
    const order = new Uint32Array(n);
    for (let k = 0; k < n; k++) order[k] = k;
    const byKey = numeric ? (a, b) => keys[a] - keys[b] : (a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0);
    order.sort((a, b) => byKey(a, b) * dir || rows[a] - rows[b]);
    return Array.from(order, (k) => rows[k]);
  }

  // ---- colour scale --------------------------------------------------------------------------
  const STOPS = [
    [0, [232, 241, 251]],
    [0.5, [106, 163, 224]],
    [0.8, [240, 192, 64]],
    [1, [208, 48, 58]],
  ];
  function heat(t) {
    const x = Math.max(0, Math.min(1, t));
    for (let s = 1; s < STOPS.length; s++) {
      const [x1, c1] = STOPS[s];
      const [x0, c0] = STOPS[s - 1];
      if (x <= x1) {
        const f = (x - x0) / (x1 - x0 || 1);
        return "rgb(" + c0.map((v, k) => Math.round(v + (c1[k] - v) * f)).join(",") + ")";
      }
    }
    return "rgb(208,48,58)";
  }

  /**
   * A broker's level of one resource for the heat map: utilisation where its capacity is known (1 at
   * capacity), else its value against the eligible brokers' mean (1 at twice the mean).
   */
  function levels(brokers, resource) {
    const eligible = brokers.filter((b) => b.eligible);
    const mean = eligible.reduce((s, b) => s + b[resource.key], 0) / (eligible.length || 1);
    return new Map(
      brokers.map((b) => {
        const cap = resource.capacity ? b[resource.capacity] : undefined;
        const level = cap ? b[resource.key] / cap : mean > 0 ? b[resource.key] / (2 * mean) : 0;
        return [b.id, { level, byCapacity: cap !== undefined }];
      }),
    );
  }
  function resourceText(b, resource) {
    if (resource.key === "disk") return formatDisk(b);
    if (resource.key === "networkIn") return formatNet(b.networkIn, b.networkInUtilization) || formatRate(0);
    if (resource.key === "networkOut") return formatNet(b.networkOut, b.networkOutUtilization) || formatRate(0);
    return String(b[resource.key]);
  }
  function resourceSelect(id, onChange) {
    const select = el("select", { id, "aria-label": "resource" }, ...RESOURCES.map((r) => el("option", { value: r.key, text: r.label })));
    select.addEventListener("change", () => onChange(RESOURCES.find((r) => r.key === select.value)));
    return select;
  }

  // ---- overview ------------------------------------------------------------------------------
  function overview() {
    const s = "summary.";
    const section = el("div");
    section.append(
      el(
        "p",
        { class: "headline" },
        fig("describe", s + "brokers", "count"),
        " brokers (",
        fig("describe", s + "eligibleBrokers", "count"),
        " eligible) in ",
        fig("describe", s + "racks", "count"),
        " racks, ",
        fig("describe", s + "partitions", "count"),
        " partitions, ",
        fig("describe", s + "replicas", "count"),
        " replicas",
      ),
    );
    const diskUnit = DESCRIBE.summary.disk.utilization ? "pct" : "bytes";
    const loadUnit = (key) => (DESCRIBE.summary[key].utilization ? "pct" : "rate");
    const rows = [
      ["replicas per eligible broker", [["min", s + "replicaCount.min", "count"], ["max", s + "replicaCount.max", "count"], ["furthest from target", s + "replicaCount.maxDeviation", "count"]]],
      ["preferred leaders", [["min", s + "leaderCount.min", "count"], ["max", s + "leaderCount.max", "count"], ["ideal", s + "leaderCount.ideal", "count"], ["furthest", s + "leaderCount.maxDeviation", "count"]]],
      ["disk", [["min", s + "disk.min", diskUnit], ["max", s + "disk.max", diskUnit], ["mean", s + "disk.mean", diskUnit], ["furthest from share", s + "disk.maxDeviationRatio", "pct"]]],
      ...["networkIn", "networkOut", "leaderBytes"].map((key) => [
        { networkIn: "network in", networkOut: "network out", leaderBytes: "leader bytes in" }[key],
        [["min", s + key + ".min", loadUnit(key)], ["max", s + key + ".max", loadUnit(key)], ["mean", s + key + ".mean", loadUnit(key)], ["furthest from share", s + key + ".maxDeviationRatio", "pct"]],
      ]),
      ["topic spread", [["widest", s + "topicSpread.max", "count"], ["topic", s + "topicSpread.topic", "text"]]],
      ["placement", [["misplaced replicas", s + "misplacedReplicas", "count"], ["rack violations", s + "rackViolations", "count"], ["host violations", s + "hostViolations", "count"]]],
    ];
    const balance = el("table", { id: "balance" });
    for (const [label, figures] of rows) {
      const tr = el("tr", {}, el("th", { text: label }));
      for (const [name, path, unit] of figures) tr.append(el("td", {}, el("span", { class: "muted", text: name + " " }), fig("describe", path, unit)));
      balance.append(tr);
    }
    section.append(el("h2", { text: "Balance" }), balance);
    section.append(el("h2", { text: "Goals" }), goalsTable("goals", DESCRIBE.goals, "describe", "goals"));
    if (DESCRIBE.capacity) section.append(el("h2", { text: "Capacity" }), capacityTable(DESCRIBE.capacity, "describe", "capacity"));
    const problems = [];
    for (const p of (DESCRIBE.capacity && DESCRIBE.capacity.problems) || []) problems.push(el("li", { class: "bad", text: p.message }));
    for (const u of DESCRIBE.unknownCapacity || []) {
      problems.push(el("li", { class: "warn", text: "capacity unknown for " + RESOURCES.find((r) => r.key === u.resource).label + " on " + u.brokers.length + " eligible broker(s): " + u.brokers.join(",") }));
    }
    for (const n of DESCRIBE.notes || []) problems.push(el("li", { class: "warn", text: "note: " + n }));
    const isrShort = DATA.topics.reduce((sum, t) => sum + t.underReplicated, 0);
    const down = DATA.topics.reduce((sum, t) => sum + t.offline, 0);
    if (isrShort > 0) problems.push(el("li", { class: "warn", id: "problem-isr", text: isrShort + " partition(s) with replicas out of the ISR" }));
    if (down > 0) problems.push(el("li", { class: "bad", id: "problem-offline", text: down + " partition(s) with offline replicas" }));
    const dead = DESCRIBE.brokers.filter((b) => b.status === "dead").map((b) => b.id);
    if (dead.length > 0) problems.push(el("li", { class: "bad", text: "dead brokers: " + dead.join(",") }));
    section.append(el("h2", { text: "Problems and notes" }), problems.length ? el("ul", { id: "problems" }, ...problems) : el("p", { class: "empty", text: "none" }));
    return section;
  }
  function goalsTable(id, goals, root, base) {
    const table = el("table", { id: "table-" + id }, el("tr", {}, ...["goal", "kind", "holds", "score", "detail"].map((h) => el("th", { text: h }))));
    goals.forEach((g, i) => {
      table.append(
        el(
          "tr",
          { "data-goal": g.goal },
          el("td", { text: g.goal }),
          el("td", { text: g.hard ? "hard" : "soft" }),
          el("td", { class: g.satisfied ? "ok" : "bad" }, fig(root, base + "." + i + ".satisfied", "bool")),
          el("td", { class: "num" }, fig(root, base + "." + i + ".score", "count")),
          el("td", { class: "wrap", text: g.detail }),
        ),
      );
    });
    return table;
  }
  function capacityTable(capacity, root, base) {
    const table = el("table", { id: "capacity-" + root }, el("tr", {}, ...["resource", "threshold", "floor", "set by", "largest utilisation", "brokers over"].map((h) => el("th", { text: h }))));
    capacity.resources.forEach((r, i) => {
      const p = base + ".resources." + i + ".";
      const after = root === "plan" ? "after." : "";
      table.append(
        el(
          "tr",
          {},
          el("td", { text: RESOURCES.find((x) => x.key === r.resource).label }),
          el("td", { class: "num" }, fig(root, p + "threshold", "pct")),
          el("td", { class: "num" }, fig(root, p + "floor", "pct")),
          el("td", { class: "wrap", text: r.floorDetail }),
          el("td", { class: "num" }, fig(root, p + after + "maxUtilization", "pct")),
          el("td", { class: "num" }, fig(root, p + after + "brokersOver", "count")),
        ),
      );
    });
    return table;
  }

  // ---- brokers -------------------------------------------------------------------------------
  function brokersTab() {
    const section = el("div");
    let resource = RESOURCES[0];
    let selected = null;
    const map = el("div", { id: "heatmap" });
    const detail = el("div", { id: "broker-detail", class: "panel" }, el("p", { class: "empty", text: "Click a broker for its figures and partitions." }));
    const legend = el(
      "div",
      { class: "legend" },
      el("span", { id: "heat-basis" }),
      el("span", {}, "0 ", el("span", { class: "scale swatch", style: "width:160px" }), " 1"),
      el("span", {}, el("span", { class: "swatch cell dead", style: "width:14px;height:14px" }), "dead"),
      el("span", {}, el("span", { class: "swatch", style: "border:2px dashed #1d2330" }), "excluded"),
    );
    function drawMap() {
      const lv = levels(DESCRIBE.brokers, resource);
      map.replaceChildren();
      const racks = new Map();
      for (const b of DESCRIBE.brokers) {
        if (!racks.has(b.rack)) racks.set(b.rack, []);
        racks.get(b.rack).push(b);
      }
      for (const [rack, brokers] of racks) {
        const cells = el("div", { class: "cells" });
        for (const b of brokers) {
          const { level } = lv.get(b.id);
          const classes = ["cell"];
          if (b.status === "dead") classes.push("dead");
          if (b.excluded) classes.push("excluded");
          if (selected === b.id) classes.push("selected");
          const cell = el("div", { class: classes.join(" "), "data-broker": b.id, text: String(b.id), style: "background:" + heat(level) });
          cell.addEventListener("mousemove", (e) => showTip(e, "broker " + b.id + " (" + b.rack + ")\n" + resource.label + ": " + resourceText(b, resource) + (b.status === "dead" ? "\ndead" : b.excluded ? "\nexcluded" : "")));
          cell.addEventListener("mouseleave", hideTip);
          cell.addEventListener("click", () => select(b.id));
          cells.append(cell);
        }
        map.append(el("div", { class: "rack" }, el("div", { class: "rack-name", title: rack, text: rack }), cells));
      }
      const anyCap = [...lv.values()].some((x) => x.byCapacity);
      legend.querySelector("#heat-basis").textContent = anyCap ? resource.label + ": utilisation of capacity" : resource.label + ": against twice the eligible mean";
    }
    function select(id) {
      selected = id;
      drawMap();
      const b = brokerById.get(id);
      const rows = [];
      for (let i = 0; i < partitionCount; i++) {
        for (let k = offsets[i]; k < offsets[i + 1]; k++) {
          if (P.replicas[k] === id) {
            rows.push(i);
            break;
          }
        }
      }
      const figures = el(
        "table",
        { id: "broker-figures" },
        ...[
          ["broker", String(b.id)],
          ["rack", b.rack],
          ["host", b.host],
          ["state", b.status === "dead" ? "dead" : b.excluded ? "excluded" : "alive"],
          ["replicas", String(b.replicas)],
          ["target", formatBand(b.targetReplicas)],
          ["leaders", String(b.leaders)],
          ["disk", formatDisk(b)],
          ["network in", formatNet(b.networkIn, b.networkInUtilization) || formatRate(0)],
          ["network out", formatNet(b.networkOut, b.networkOutUtilization) || formatRate(0)],
        ].map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { "data-col": k, text: v }))),
      );
      detail.replaceChildren(el("h2", { text: "Broker " + id }), figures, el("h2", { text: "Its partitions" }), partitionsTable("broker-partitions", rows).node);
    }
    section.append(
      el("div", { class: "controls" }, el("label", {}, "colour by ", resourceSelect("heat-resource", (r) => ((resource = r), drawMap()))), legend),
      map,
      detail,
      el("h2", { text: "All brokers" }),
      brokerTable(select).node,
    );
    drawMap();
    return section;
  }
  function brokerTable(onSelect) {
    const rows = DESCRIBE.brokers;
    const col = (key, label, value, text, num) => ({ key, label, value: (i) => value(rows[i]), text: (i) => text(rows[i]), num });
    return dataTable({
      id: "brokers",
      count: rows.length,
      placeholder: "filter by id, rack, host, state",
      matches: (i, q) => [String(rows[i].id), rows[i].rack, rows[i].host, stateText(rows[i])].some((x) => x.toLowerCase().includes(q)),
      onRow: (i) => onSelect(rows[i].id),
      columns: [
        col("id", "broker", (b) => b.id, (b) => String(b.id), true),
        col("rack", "rack", (b) => b.rack, (b) => b.rack),
        col("host", "host", (b) => b.host, (b) => b.host),
        col("state", "state", stateText, stateText),
        col("replicas", "replicas", (b) => b.replicas, (b) => String(b.replicas), true),
        col("target", "target", (b) => b.targetReplicas.min, (b) => formatBand(b.targetReplicas), true),
        col("leaders", "leaders", (b) => b.leaders, (b) => String(b.leaders), true),
        col("disk", "disk", (b) => b.disk, formatDisk, true),
        col("networkIn", "net in", (b) => b.networkIn, (b) => formatNet(b.networkIn, b.networkInUtilization), true),
        col("networkOut", "net out", (b) => b.networkOut, (b) => formatNet(b.networkOut, b.networkOutUtilization), true),
      ],
    });
  }
  function stateText(b) {
    return b.status === "dead" ? "dead" : b.excluded ? "excluded" : "";
  }

  // ---- topics and partitions -----------------------------------------------------------------
  function topicsTab() {
    const section = el("div");
    const detail = el("div", { id: "topic-detail", class: "panel" }, el("p", { class: "empty", text: "Click a topic for its spread over brokers and racks, and its partitions." }));
    const T = DATA.topics;
    const col = (key, label, value, text, num) => ({ key, label, value: (i) => value(T[i]), text: (i) => text(T[i]), num });
    const count = (key) => col(key, { partitions: "partitions", replicas: "replicas", brokers: "brokers", racks: "racks", underReplicated: "under-replicated", offline: "offline" }[key], (t) => t[key], (t) => String(t[key]), true);
    const table = dataTable({
      id: "topics",
      count: T.length,
      placeholder: "filter by topic name",
      matches: (i, q) => T[i].name.toLowerCase().includes(q),
      onRow: (i) => showTopic(i),
      columns: [
        col("name", "topic", (t) => t.name, (t) => t.name),
        count("partitions"),
        count("replicas"),
        col("size", "size", (t) => t.size, (t) => formatBytes(t.size), true),
        col("bytesIn", "in", (t) => t.bytesIn, (t) => formatRate(t.bytesIn), true),
        col("bytesOut", "out", (t) => t.bytesOut, (t) => formatRate(t.bytesOut), true),
        count("brokers"),
        col("spread", "per broker", (t) => t.maxPerBroker - t.minPerBroker, (t) => (t.minPerBroker === t.maxPerBroker ? String(t.minPerBroker) : t.minPerBroker + "–" + t.maxPerBroker), true),
        count("racks"),
        count("underReplicated"),
        count("offline"),
      ],
    });
    function showTopic(topicIndex) {
      const rows = [];
      for (let i = 0; i < partitionCount; i++) if (P.topic[i] === topicIndex) rows.push(i);
      const perBroker = new Map(DESCRIBE.brokers.map((b) => [b.id, 0]));
      const perRack = new Map();
      for (const i of rows) {
        for (const id of replicasOf(i)) {
          perBroker.set(id, (perBroker.get(id) || 0) + 1);
          const rack = brokerById.get(id).rack;
          perRack.set(rack, (perRack.get(rack) || 0) + 1);
        }
      }
      const racks = el("table", { id: "topic-racks" }, el("tr", {}, el("th", { text: "rack" }), el("th", { class: "num", text: "replicas" })));
      for (const [rack, n] of perRack) racks.append(el("tr", {}, el("td", { text: rack }), el("td", { class: "num", text: String(n) })));
      const ids = [...perBroker.keys()];
      detail.replaceChildren(
        el("h2", { text: "Topic " + T[topicIndex].name + ": replicas per broker" }),
        barChart("topic-spread", ids, [{ label: "replicas", color: "#2e6bd9", value: (id) => perBroker.get(id) }], (v) => String(v)),
        el("h2", { text: "Per rack" }),
        racks,
        el("h2", { text: "Partitions" }),
        partitionsTable("topic-partitions", rows).node,
      );
    }
    section.append(table.node, detail);
    return section;
  }
  function partitionsTab() {
    const section = el("div");
    const stateFilter = el("select", { id: "partition-state", "aria-label": "partition state" }, ...["all", "under-replicated", "offline"].map((s) => el("option", { value: s, text: s })));
    const legend = el(
      "span",
      { class: "legend" },
      el("span", {}, el("span", { class: "rep leader", text: "1" }), " leader"),
      el("span", {}, el("span", { class: "rep out-of-isr", text: "2" }), " out of ISR"),
      el("span", {}, el("span", { class: "rep offline", text: "3" }), " offline"),
    );
    const table = partitionsTable("partitions", null, [stateFilter, legend], () => {
      if (stateFilter.value === "all") return null;
      const want = stateFilter.value;
      return (i) => (want === "offline" ? offline.has(i) : outOfSync.has(i) || offline.has(i));
    });
    stateFilter.addEventListener("change", table.refresh);
    section.append(
      el("p", { class: "sub", text: partitionCount + " partitions; " + PAGE_SIZE + " per page. Filter by topic name, or by broker as b:ID." }),
      table.node,
    );
    return section;
  }
  function partitionsTable(id, rows, controls, extraFilter) {
    const topicName = (i) => DATA.topics[P.topic[i]].name;
    return dataTable({
      id,
      count: partitionCount,
      rows: rows || undefined,
      controls,
      extraFilter,
      placeholder: "filter: topic name, or b:ID",
      matches: (i, q) => {
        const m = /^b:(\d+)$/.exec(q);
        if (m) return replicasOf(i).includes(Number(m[1]));
        return topicName(i).toLowerCase().includes(q);
      },
      columns: [
        { key: "topic", label: "topic", value: topicName, text: topicName },
        { key: "partition", label: "partition", value: (i) => P.partition[i], text: (i) => String(P.partition[i]), num: true },
        { key: "replicas", label: "replicas (leader underlined)", value: (i) => replicasOf(i).join(","), text: replicaChips },
        { key: "leader", label: "leader", value: (i) => P.leader[i], text: (i) => String(P.leader[i]), num: true },
        { key: "size", label: "size", value: (i) => P.size[i], text: (i) => formatBytes(P.size[i]), num: true },
        { key: "bytesIn", label: "in", value: (i) => P.bytesIn[i], text: (i) => formatRate(P.bytesIn[i]), num: true },
        { key: "bytesOut", label: "out", value: (i) => P.bytesOut[i], text: (i) => formatRate(P.bytesOut[i]), num: true },
        { key: "state", label: "state", value: partitionState, text: partitionState },
      ],
    });
  }

  // ---- leader → follower pairs ---------------------------------------------------------------
  function followersTab() {
    const section = el("div");
    const ids = DESCRIBE.brokers.map((b) => b.id);
    const index = new Map(ids.map((id, k) => [id, k]));
    const n = ids.length;
    const cell = Math.max(1, Math.min(12, Math.floor(640 / Math.max(1, n))));
    const pad = 40;
    const canvas = el("canvas", { id: "pairs-matrix", width: pad + n * cell + 4, height: pad + n * cell + 4 });
    const ctx = canvas.getContext("2d");
    const pairs = DATA.pairs;
    const pairCount = pairs.leader.length;
    const max = pairs.partitions.reduce((m, x) => Math.max(m, x), 0) || 1;
    const lookup = new Map();
    ctx.fillStyle = "#f5f6f9";
    ctx.fillRect(pad, pad, n * cell, n * cell);
    for (let k = 0; k < pairCount; k++) {
      const r = index.get(pairs.leader[k]);
      const c = index.get(pairs.follower[k]);
      if (r === undefined || c === undefined) continue;
      lookup.set(r * n + c, k);
      ctx.fillStyle = heat(pairs.partitions[k] / max);
      ctx.fillRect(pad + c * cell, pad + r * cell, cell, cell);
    }
    ctx.fillStyle = "#687083";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("followers →", pad, 14);
    ctx.save();
    ctx.translate(12, pad + 70);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("← leaders", 0, 0);
    ctx.restore();
    canvas.addEventListener("mousemove", (e) => {
      const rect = canvas.getBoundingClientRect();
      const c = Math.floor((e.clientX - rect.left - pad) / cell);
      const r = Math.floor((e.clientY - rect.top - pad) / cell);
      if (r < 0 || c < 0 || r >= n || c >= n) return hideTip();
      const k = lookup.get(r * n + c);
      showTip(e, "leader " + ids[r] + " → follower " + ids[c] + "\n" + (k !== undefined ? pairs.partitions[k] + " partitions, " + formatRate(pairs.bytesIn[k]) + " replicated" : "no partitions"));
    });
    canvas.addEventListener("mouseleave", hideTip);
    const table = dataTable({
      id: "pairs",
      count: pairCount,
      placeholder: "filter: broker id",
      matches: (i, q) => String(pairs.leader[i]) === q || String(pairs.follower[i]) === q,
      columns: ["leader", "follower", "partitions"]
        .map((key) => ({ key, label: key, value: (i) => pairs[key][i], text: (i) => String(pairs[key][i]), num: true }))
        .concat([{ key: "bytesIn", label: "replicated", value: (i) => pairs.bytesIn[i], text: (i) => formatRate(pairs.bytesIn[i]), num: true }]),
    });
    table.sortBy("partitions");
    table.sortBy("partitions");
    section.append(
      el("p", { class: "sub", text: "Each cell: how many partitions the follower (column) replicates from the leader (row), by current leader. Hot pairs stand out; the table lists them, most first." }),
      el("div", { class: "chart-wrap" }, canvas),
      el("h2", { text: "Pairs" }),
      table.node,
    );
    return section;
  }

  // ---- bar charts (canvas) -------------------------------------------------------------------
  /** Bars per broker id, one per series side by side; hover names the broker and each value. */
  function barChart(id, ids, series, format) {
    const group = Math.max(3, Math.min(48, Math.floor(1100 / Math.max(1, ids.length))));
    const bar = Math.max(1, Math.floor((group - 1) / series.length));
    const height = 180;
    const left = 56;
    const width = left + ids.length * group + 10;
    const canvas = el("canvas", { id: "chart-" + id, width, height: height + 24 });
    const ctx = canvas.getContext("2d");
    const max = Math.max(1, ...ids.flatMap((bid) => series.map((s) => s.value(bid))));
    ctx.strokeStyle = "#d9dde6";
    ctx.fillStyle = "#687083";
    ctx.font = "10px system-ui, sans-serif";
    for (const f of [0, 0.5, 1]) {
      const y = height - f * (height - 10);
      ctx.beginPath();
      ctx.moveTo(left, y + 0.5);
      ctx.lineTo(width, y + 0.5);
      ctx.stroke();
      ctx.fillText(format(max * f), 2, y + 3);
    }
    ids.forEach((bid, k) => {
      if (group >= 16) {
        ctx.fillStyle = "#687083";
        ctx.fillText(String(bid), left + k * group, height + 14);
      }
      series.forEach((s, j) => {
        const h = (s.value(bid) / max) * (height - 10);
        ctx.fillStyle = s.color;
        ctx.fillRect(left + k * group + j * bar, height - h, bar, h);
      });
    });
    canvas.addEventListener("mousemove", (e) => {
      const k = Math.floor((e.clientX - canvas.getBoundingClientRect().left - left) / group);
      if (k < 0 || k >= ids.length) return hideTip();
      showTip(e, "broker " + ids[k] + "\n" + series.map((s) => s.label + ": " + format(s.value(ids[k]))).join("\n"));
    });
    canvas.addEventListener("mouseleave", hideTip);
    const keys = el("div", { class: "legend" }, ...series.map((s) => el("span", {}, el("span", { class: "swatch", style: "background:" + s.color }), s.label)));
    return el("div", { class: "chart-wrap" }, keys, canvas);
  }

  // ---- the plan ------------------------------------------------------------------------------
  function planTab() {
    const section = el("div");
    const S = PLAN.summary;
    const totals = el("table", { id: "plan-totals" });
    const line = (label, ...cells) => totals.append(el("tr", {}, el("th", { text: label }), ...cells.map((c) => el("td", { class: "num" }, c))));
    line("replica moves", fig("plan", "moves", "count"));
    line("bytes to move", fig("plan", "bytesMoved", "bytes"));
    line("leadership changes", fig("plan", "leaderChanges", "count"));
    if (PLAN.origin === "planned") {
      line("lower bound on moves", fig("plan", "lowerBound.moves", "count"));
      line("lower bound on bytes", fig("plan", "lowerBound.bytesMoved", "bytes"));
      line("gap (moves − bound) ÷ bound", fig("plan", "optimalityGap", "pct"));
    }
    section.append(el("h2", { text: "Totals" }), totals);
    if ((S.notes || []).length > 0) section.append(el("ul", { id: "plan-notes" }, ...S.notes.map((n) => el("li", { class: "warn", text: "note: " + n }))));
    if (S.budgetLimited) section.append(el("p", { class: "warn", text: "The movement budget (max moves / max bytes) stopped the plan short of the goals." }));
    if (PLAN.origin === "file") {
      section.append(el("p", { class: "sub", id: "plan-file-note", text: "Read from a plan file: the lower bound and the goal behind each move come with the plan itself (ballast plan --report)." }));
    }
    let resource = RESOURCES[0];
    const chart = el("div", { id: "plan-chart" });
    const ids = DESCRIBE.brokers.map((b) => b.id);
    function drawChart() {
      const unit = resource.unit === "bytes" ? formatBytes : resource.unit === "rate" ? formatRate : (v) => String(v);
      chart.replaceChildren(
        barChart(
          "before-after",
          ids,
          [
            { label: "before", color: "#9aa7c7", value: (id) => brokerById.get(id)[resource.key] },
            { label: "after", color: "#2e6bd9", value: (id) => afterById.get(id)[resource.key] },
          ],
          unit,
        ),
      );
    }
    section.append(el("h2", { text: "Brokers before → after" }), el("div", { class: "controls" }, el("label", {}, "resource ", resourceSelect("plan-resource", (r) => ((resource = r), drawChart())))), chart);
    drawChart();
    const rows = PLAN.after.brokers;
    const before = (i) => brokerById.get(rows[i].id);
    const pair = (key, label, value, text) => ({ key, label, num: true, value: (i) => value(rows[i]) - value(before(i)), text: (i) => change(text(before(i)), text(rows[i])) });
    section.append(
      el("h2", { text: "Broker table" }),
      dataTable({
        id: "plan-brokers",
        count: rows.length,
        placeholder: "filter by id or rack",
        matches: (i, q) => String(rows[i].id) === q || rows[i].rack.toLowerCase().includes(q),
        columns: [
          { key: "id", label: "broker", num: true, value: (i) => rows[i].id, text: (i) => String(rows[i].id) },
          { key: "rack", label: "rack", value: (i) => rows[i].rack, text: (i) => rows[i].rack },
          pair("replicas", "replicas", (b) => b.replicas, (b) => String(b.replicas)),
          pair("leaders", "leaders", (b) => b.leaders, (b) => String(b.leaders)),
          pair("disk", "disk", (b) => b.disk, formatDisk),
          pair("networkIn", "net in", (b) => b.networkIn, (b) => formatNet(b.networkIn, b.networkInUtilization) || formatRate(0)),
          pair("networkOut", "net out", (b) => b.networkOut, (b) => formatNet(b.networkOut, b.networkOutUtilization) || formatRate(0)),
        ],
      }).node,
    );
    if (PLAN.after.capacity) section.append(el("h2", { text: "Capacity after" }), capacityTable(S.capacity || PLAN.after.capacity, S.capacity ? "plan" : "after", "capacity"));
    section.append(el("h2", { text: "Goals after the plan" }), goalsTable("plan-goals", PLAN.after.goals, "plan", "after.goals"));
    const M = PLAN.moves;
    section.append(
      el("h2", { text: "Moved partitions" }),
      dataTable({
        id: "moves",
        count: M.length,
        placeholder: "filter: topic, goal, or b:ID",
        matches: (i, q) => {
          const m = /^b:(\d+)$/.exec(q);
          if (m) return M[i].from.includes(Number(m[1])) || M[i].to.includes(Number(m[1]));
          return M[i].topic.toLowerCase().includes(q) || M[i].goals.some((g) => g.includes(q));
        },
        columns: [
          { key: "topic", label: "topic", value: (i) => M[i].topic, text: (i) => M[i].topic },
          { key: "partition", label: "partition", num: true, value: (i) => M[i].partition, text: (i) => String(M[i].partition) },
          { key: "from", label: "from", value: (i) => M[i].from.join(","), text: (i) => "[" + M[i].from.join(",") + "]" },
          { key: "to", label: "to", value: (i) => M[i].to.join(","), text: (i) => "[" + M[i].to.join(",") + "]" },
          { key: "bytes", label: "bytes", num: true, value: (i) => M[i].bytes, text: (i) => formatBytes(M[i].bytes) },
          { key: "goals", label: "asked by", value: (i) => M[i].goals.join(","), text: (i) => (M[i].goals.length ? M[i].goals.join(", ") : PLAN.origin === "file" ? "—" : "exact solution") },
        ],
      }).node,
    );
    return section;
  }

  // ---- the page ------------------------------------------------------------------------------
  function start() {
    document.title = "Ballast report: " + DATA.title;
    const tabs = [
      ["overview", "Overview", overview],
      ["brokers", "Brokers", brokersTab],
      ["topics", "Topics", topicsTab],
      ["partitions", "Partitions", partitionsTab],
      ["followers", "Leaders → followers", followersTab],
    ];
    if (PLAN) tabs.push(["plan", "Plan", planTab]);
    const nav = el("nav");
    const main = el("main");
    const built = new Map();
    function show(id) {
      const [, , build] = tabs.find((t) => t[0] === id);
      if (!built.has(id)) {
        const section = el("section", { class: "tab", id: "tab-" + id }, build());
        built.set(id, section);
        main.append(section);
      }
      for (const [key, section] of built) section.classList.toggle("active", key === id);
      for (const button of nav.children) button.classList.toggle("active", button.dataset.tab === id);
      if (location.hash !== "#" + id) history.replaceState(null, "", "#" + id);
    }
    for (const [id, label] of tabs) nav.append(el("button", { type: "button", "data-tab": id, id: "nav-" + id, text: label, onclick: () => show(id) }));
    const header = el("header", {}, el("h1", { text: "Ballast report: " + DATA.title }), el("div", { class: "sub", text: DATA.source + " · " + DATA.generator }), nav);
    document.body.replaceChildren(header, main, tip);
    const first = location.hash.slice(1);
    show(tabs.some((t) => t[0] === first) ? first : "overview");
    // Milliseconds from the start of navigation to the page drawn (the benchmark reads it).
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = "1";
  }
  start();
})();
