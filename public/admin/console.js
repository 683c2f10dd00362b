// The operator's console: reads GET /admin/console and acts through the admin API with the token kept for this tab.
// Plain script (the page's Content-Security-Policy allows no inline code); every text is set as text, never as HTML.

(() => {
  const TOKEN_KEY = "campfire-ai-bot.admin-token";
  /** The figures are current within a minute; reading them again costs a handful of Durable Object reads. */
  const REFRESH_MS = 60_000;
  const NONE = "—";

  const FAILURE_LABELS = {
    rate_limited: "rate limited",
    overloaded: "overloaded",
    campfire: "Campfire unreachable",
    internal: "internal",
    refused: "refused by policy",
    other: "other",
  };
  const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
  // A second cue beside colour: each series of a chart has its own dash.
  const DASHES = [[], [6, 3], [2, 3], [10, 3, 2, 3], [1, 4], [14, 5]];
  const WHOLE_STEPS = [1, 2, 5]
    .flatMap((step) => Array.from({ length: 10 }, (_, power) => step * 10 ** power))
    .sort((a, b) => a - b);

  let token = sessionStorage.getItem(TOKEN_KEY);
  let timer = null;
  /** Live uPlot charts and the elements they fill, resized with the window. */
  let charts = [];

  // ── small helpers ────────────────────────────────────────────────────────────────────────────────────────────────

  const $ = (id) => document.getElementById(id);

  /** An element with attributes (`text` is its text, `class` its class, `data-*` as given) and children. */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Number.POSITIVE_INFINITY))
      if (child !== undefined && child !== null && child !== false)
        node.append(child instanceof Node ? child : String(child));
    return node;
  }

  /** A table: its header row's cells, then its body's rows (lists are spread, as in el()). */
  const dataTable = (attrs, headers, rows) =>
    el("table", attrs, el("thead", {}, el("tr", {}, headers)), el("tbody", {}, rows));

  /** Replaces a node's children; lists are spread and absent ones (null, false) left out, as in el(). */
  const put = (node, ...children) =>
    node.replaceChildren(
      ...children.flat(Number.POSITIVE_INFINITY).filter((c) => c !== undefined && c !== null && c !== false),
    );

  const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
  const count = (value) => (isNumber(value) ? Math.round(value).toLocaleString() : NONE);
  const usd = (value) => {
    if (!isNumber(value)) return NONE;
    if (value > 0 && value < 0.0001) return "< $0.0001";
    const digits = value !== 0 && Math.abs(value) < 0.01 ? 4 : 2;
    return `$${value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
  };
  const percent = (value) => (isNumber(value) ? `${(value * 100).toFixed(1)} %` : NONE);
  const when = (iso) => {
    const date = typeof iso === "number" ? new Date(iso) : new Date(String(iso ?? ""));
    return Number.isNaN(date.getTime())
      ? NONE
      : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  };
  const hourLabel = (iso) =>
    new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
  const dayLabel = (iso) => new Date(iso).toLocaleDateString(undefined, { month: "short", day: "numeric" });
  const list = (value) => (Array.isArray(value) && value.length > 0 ? value.join(", ") : NONE);
  const yesNo = (value) => (value === true ? "yes" : value === false ? "no" : NONE);
  const sum = (values) => (values.every((v) => !isNumber(v)) ? null : values.reduce((a, v) => a + (v ?? 0), 0));

  // ── the admin API ────────────────────────────────────────────────────────────────────────────────────────────────

  class Refused extends Error {}

  /** One call to the admin API: its status and JSON (or text). A 401 forgets the token and asks for it again. */
  async function api(method, path, body, contentType = "application/json") {
    const headers = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = contentType;
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined || typeof body === "string" || body instanceof Blob ? body : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: the text is shown as the answer.
    }
    if (response.status === 401) {
      askForToken(
        "That token was refused (401 Unauthorized): it is not this Worker's ADMIN_TOKEN. Check it and enter it again.",
      );
      throw new Refused("401");
    }
    return { status: response.status, ok: response.ok, statusText: response.statusText, json, text };
  }

  /** The server's answer to an action, as it gave it: status, its sentence (note or error), and the full JSON. */
  function answer(target, what, result) {
    const said = result.json?.error ?? result.json?.note ?? (result.json ? "" : result.text.trim());
    const box = el(
      "div",
      { class: `answer ${result.ok ? "ok" : "failed"}`, role: "status" },
      el("strong", { text: `${what}: ${result.status} ${result.statusText || (result.ok ? "OK" : "failed")}` }),
      said ? el("p", { text: said }) : null,
      result.json
        ? el(
            "details",
            {},
            el("summary", { text: "The server's full answer" }),
            el("pre", { text: JSON.stringify(result.json, null, 2) }),
          )
        : null,
    );
    put(target, box);
    return box;
  }

  function failure(target, what, error) {
    if (error instanceof Refused) return;
    put(
      target,
      el(
        "div",
        { class: "answer failed", role: "status" },
        el("strong", { text: `${what}: no answer` }),
        el("p", { text: `The Worker could not be reached (${error.message}).` }),
      ),
    );
  }

  // ── token ────────────────────────────────────────────────────────────────────────────────────────────────────────

  function askForToken(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(timer);
    $("console").hidden = true;
    $("refresh").hidden = true;
    $("forget").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message ?? "";
    $("token").value = "";
    $("token").focus();
  }

  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    token = $("token").value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    load(true);
  });
  $("forget").addEventListener("click", () => askForToken(""));
  $("refresh").addEventListener("click", () => load(false));

  // ── loading ──────────────────────────────────────────────────────────────────────────────────────────────────────

  async function load(first) {
    let result;
    try {
      result = await api("GET", "/admin/console");
    } catch (error) {
      if (!(error instanceof Refused))
        $("load-error").textContent = `The Worker could not be reached: ${error.message}`;
      return;
    }
    if (!result.ok || !result.json) {
      $("load-error").textContent =
        `GET /admin/console answered ${result.status}: ${result.json?.error ?? (result.text.trim() || result.statusText)}`;
      if (first) {
        $("login").hidden = true;
        $("console").hidden = false;
      }
      return;
    }
    $("load-error").textContent = "";
    $("login").hidden = true;
    $("console").hidden = false;
    $("refresh").hidden = false;
    $("forget").hidden = false;
    render(result.json);
    clearInterval(timer);
    timer = setInterval(() => document.visibilityState === "visible" && load(false), REFRESH_MS);
  }

  // ── figures ──────────────────────────────────────────────────────────────────────────────────────────────────────

  const tokensOf = (p) => p?.tokens ?? {};

  /** Each chart: its title, its series (label and value of a point) and how its numbers read. */
  function chartKinds(points) {
    const failureKinds = [...new Set(points.flatMap((p) => Object.keys(p?.failures ?? {})))];
    return [
      {
        id: "alive",
        title: "Conversations alive",
        format: count,
        overall: "highest",
        series: [{ label: "alive", get: (p) => p?.alive }],
      },
      { id: "turns", title: "Answered messages", format: count, series: [{ label: "answered", get: (p) => p?.turns }] },
      {
        id: "tokens",
        title: "Claude tokens",
        format: count,
        series: [
          { label: "input", get: (p) => tokensOf(p).input },
          { label: "output", get: (p) => tokensOf(p).output },
          { label: "cache read", get: (p) => tokensOf(p).cacheRead },
          { label: "cache write", get: (p) => tokensOf(p).cacheWrite },
        ],
      },
      {
        id: "cost",
        title: "Cost",
        format: usd,
        series: [
          { label: "Claude", get: (p) => p?.claudeUsd },
          { label: "Cloudflare", get: (p) => p?.cloudflareUsd },
        ],
      },
      {
        id: "cache",
        title: "Cache-read share",
        format: percent,
        overall: "highest",
        max: 1,
        axis: (v) => `${Math.round(v * 100)} %`,
        series: [{ label: "of input read from the cache", get: (p) => p?.cacheReadShare }],
      },
      {
        id: "failures",
        title: "Failures by kind",
        format: count,
        series: failureKinds.map((kind) => ({
          label: FAILURE_LABELS[kind] ?? kind.replaceAll("_", " "),
          get: (p) => p?.failures?.[kind],
        })),
      },
    ];
  }

  function chart(kind, points, range, key) {
    const label = range === "hourly" ? hourLabel : dayLabel;
    const columns = kind.series.map((s) => points.map((p) => (isNumber(s.get(p)) ? s.get(p) : null)));
    const figure = el("figure", {
      class: "chart",
      "data-chart": kind.id,
      "data-range": range,
    });
    const plot = el("div", { class: "plot" });
    // What is not added up (how many were alive at once, a share) is summed up by its highest point instead.
    const overall = kind.overall === "highest" ? "highest" : "total";
    const totals = dataTable(
      { class: "chart-figures" },
      [
        el("th", { scope: "col", text: "" }),
        el("th", { scope: "col", text: overall }),
        el("th", { scope: "col", text: "latest" }),
      ],
      kind.series.map((s, i) => {
        const values = columns[i].filter(isNumber);
        const figure = overall === "highest" ? Math.max(...values) : sum(values);
        return el(
          "tr",
          {},
          el("th", { scope: "row" }, el("span", { class: `swatch s${i}` }), s.label),
          el("td", { "data-overall": s.label, text: values.length ? kind.format(figure) : NONE }),
          el("td", { text: kind.format(columns[i].at(-1)) }),
        );
      }),
    );
    const table = dataTable(
      {},
      [
        el("th", { scope: "col", text: range === "hourly" ? "hour" : "day" }),
        kind.series.map((s) => el("th", { scope: "col", text: s.label })),
      ],
      points.map((p, row) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: p?.day ? dayLabel(`${p.day}T12:00:00`) : p?.at ? label(p.at) : NONE }),
          columns.map((column) => el("td", { text: kind.format(column[row]) })),
        ),
      ),
    );
    figure.append(
      el("figcaption", {
        text: `${kind.title} · ${range === "hourly" ? "last 24 hours, by hour" : "last 14 days, by day"}`,
      }),
      el("div", { class: "chart-body" }, plot, totals),
      el(
        "details",
        { class: "numbers", "data-key": `${key}:${kind.id}:${range}` },
        el("summary", { text: "All numbers" }),
        el("div", { class: "scroll" }, table),
      ),
    );
    if (kind.series.length > 0 && typeof window.uPlot === "function") {
      charts.push({ plot, make: () => plotChart(plot, kind, points, columns) });
    }
    return figure;
  }

  function plotChart(target, kind, points, columns) {
    const times = points.map((p) => Date.parse(p?.at ?? "") / 1000);
    const options = {
      width: Math.max(200, target.clientWidth),
      height: 150,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (_u, _min, max) => [0, kind.max ?? (max > 0 ? max * 1.1 : 1)] } },
      axes: [
        { stroke: "#555", grid: { stroke: "#eee" } },
        {
          stroke: "#555",
          grid: { stroke: "#eee" },
          size: 64,
          // Counts have whole-number ticks only.
          incrs: kind.format === count ? WHOLE_STEPS : undefined,
          values: (_u, ticks) => ticks.map(kind.axis ?? kind.format),
        },
      ],
      series: [
        {},
        ...kind.series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          dash: DASHES[i % DASHES.length],
          width: 2,
          points: { show: true, size: 4 },
          value: (_u, v) => kind.format(v),
        })),
      ],
    };
    return new window.uPlot(options, [times, ...columns], target);
  }

  function drawCharts() {
    for (const entry of charts) entry.chart = entry.make();
  }

  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      for (const { plot, chart: u } of charts) u?.setSize({ width: Math.max(200, plot.clientWidth), height: 150 });
    }, 100);
  });

  function chartGroup(points, range, key) {
    const list = Array.isArray(points) ? points : [];
    return el(
      "div",
      { class: "charts", "data-range": range },
      chartKinds(list).map((kind) => chart(kind, list, range, key)),
    );
  }

  function figures(totals, alive) {
    const tokens = totals?.tokens ?? {};
    const failures = totals?.failures ?? {};
    const failed = sum(Object.values(failures));
    const item = (name, label, value) =>
      el("div", { class: "figure" }, el("dt", { text: label }), el("dd", { "data-figure": name, text: value }));
    return el(
      "dl",
      { class: "figures" },
      item("alive", "Alive now", count(alive)),
      item("turns", "Answered messages", count(totals?.turns)),
      item("input", "Input tokens", count(tokens.input)),
      item("output", "Output tokens", count(tokens.output)),
      item("cacheRead", "Cache-read tokens", count(tokens.cacheRead)),
      item("cacheWrite", "Cache-write tokens", count(tokens.cacheWrite)),
      item("claudeUsd", "Claude cost", usd(totals?.claudeUsd)),
      item("cloudflareUsd", "Cloudflare cost", usd(totals?.cloudflareUsd)),
      item("cacheReadShare", "Cache-read share", percent(totals?.cacheReadShare)),
      item("failures", "Failures", count(failed)),
    );
  }

  // ── rendering ────────────────────────────────────────────────────────────────────────────────────────────────────

  function render(data) {
    const open = new Set([...document.querySelectorAll("details[data-key][open]")].map((d) => d.dataset.key));
    for (const { chart: u } of charts) u?.destroy();
    charts = [];
    const bots = Array.isArray(data.bots) ? data.bots : [];

    $("generated").textContent = data.generatedAt ? `Figures as of ${when(data.generatedAt)}` : "";
    const alerts = Array.isArray(data.alerts) ? data.alerts : [];
    put(
      $("alerts"),
      alerts.length > 0
        ? el(
            "div",
            { class: "alerts" },
            el("h2", { text: alerts.length === 1 ? "1 alert" : `${alerts.length} alerts` }),
            el(
              "ul",
              {},
              alerts.map((alert) => el("li", { text: alert })),
            ),
          )
        : el("p", { class: "all-clear", text: "No alerts: every bot is configured, running and within its budget." }),
    );

    const total = data.total ?? {};
    put(
      $("fleet"),
      el("h2", { id: "fleet-title", text: `All bots (${bots.length})` }),
      figures(total.totals, total.alive),
      el("h3", { text: "Last 24 hours" }),
      chartGroup(total.hourly, "hourly", "all"),
      el("h3", { text: "Last 14 days" }),
      chartGroup(total.daily, "daily", "all"),
    );

    put(
      $("jump"),
      el("a", { href: "#fleet", text: "All bots" }),
      bots.map((bot) => el("a", { href: `#bot-${bot.id}`, text: bot.name ?? bot.id })),
      el("a", { href: "#knowledge", text: "Knowledge" }),
      el("a", { href: "#memory", text: "Memory" }),
      el("a", { href: "#conversations", text: "Conversations" }),
    );
    put($("bots"), bots.map(botSection));
    for (const details of document.querySelectorAll("details[data-key]"))
      if (open.has(details.dataset.key)) details.open = true;
    drawCharts();
    fillTools(bots);
    for (const bot of bots) if (bot.capabilities?.digests === true) loadDigests(bot);
  }

  function botSection(bot) {
    const answerBox = el("div", { class: "answers", "data-answer": bot.id });
    const status = bot.paused
      ? el("span", { class: "badge paused", text: `Paused${bot.pausedSince ? ` since ${when(bot.pausedSince)}` : ""}` })
      : el("span", { class: "badge running", text: "Running" });
    const toggle = el("button", {
      type: "button",
      class: bot.paused ? "" : "danger",
      text: bot.paused ? `Resume ${bot.name ?? bot.id}` : `Pause ${bot.name ?? bot.id}`,
      onclick: () =>
        act(
          answerBox,
          `${bot.paused ? "Resume" : "Pause"} ${bot.id}`,
          "POST",
          `/admin/bots/${encodeURIComponent(bot.id)}/${bot.paused ? "resume" : "pause"}`,
        ),
    });
    return el(
      "article",
      { class: "bot panel", id: `bot-${bot.id}`, "data-bot": bot.id },
      el(
        "header",
        { class: "bot-head" },
        el("h2", {}, bot.name ?? bot.id, " ", el("small", { text: `${bot.id} · ${bot.model ?? NONE}` })),
        status,
        bot.configured === false ? el("span", { class: "badge problem", text: "Not configured" }) : null,
        toggle,
      ),
      answerBox,
      Array.isArray(bot.alerts) && bot.alerts.length > 0
        ? el(
            "ul",
            { class: "bot-alerts" },
            bot.alerts.map((a) => el("li", { text: a })),
          )
        : null,
      figures(bot.totals, bot.alive),
      el("h3", { text: "Last 24 hours" }),
      chartGroup(bot.hourly, "hourly", bot.id),
      el("h3", { text: "Last 14 days" }),
      chartGroup(bot.daily, "daily", bot.id),
      el("div", { class: "columns" }, budgetBlock(bot, answerBox), capabilitiesBlock(bot)),
      bot.capabilities?.digests === true ? digestsBlock(bot) : null,
      auditBlock(bot),
    );
  }

  // Digests: each bot's subscriptions, as GET /admin/digests/:bot gives them; the last answer is drawn again at once
  // when the page is drawn again, then read anew.
  const digestLists = new Map();
  const ENDED_WHY = {
    cancelled: "cancelled by its owner",
    admin: "ended by an operator",
    idle: "its owner was idle too long",
    not_in_room: "the bot is no longer in the room",
    shared_direct_room: "its direct room has other people in it",
    never_fires: "its schedule never comes round",
  };

  function digestsBlock(bot) {
    const view = el("div", { "data-digests": bot.id });
    const section = el(
      "section",
      { class: "digests" },
      el("h3", { text: "Digests" }),
      el("div", { class: "answers", "data-answer": `${bot.id}:digests` }),
      view,
    );
    if (digestLists.has(bot.id)) drawDigests(view, bot, digestLists.get(bot.id));
    else put(view, el("p", { class: "muted", text: "Reading the subscriptions…" }));
    return section;
  }

  async function loadDigests(bot) {
    let result;
    try {
      result = await api("GET", `/admin/digests/${encodeURIComponent(bot.id)}`);
    } catch (error) {
      const view = document.querySelector(`[data-digests="${CSS.escape(bot.id)}"]`);
      if (view) failure(view, `List ${bot.id}'s digests`, error);
      return;
    }
    digestLists.set(bot.id, result);
    const view = document.querySelector(`[data-digests="${CSS.escape(bot.id)}"]`);
    if (view) drawDigests(view, bot, result);
  }

  function drawDigests(view, bot, result) {
    if (!result.ok) return answer(view, `List ${bot.id}'s digests`, result);
    const { live, bounds = {}, digests = [] } = result.json ?? {};
    const posted = (d) => (d.postedIn === "direct" ? `direct room ${d.postRoom ?? NONE}` : "in the room");
    const ended = (d) => (d.endedAt ? `${when(d.endedAt)}: ${ENDED_WHY[d.endedWhy] ?? d.endedWhy ?? NONE}` : "live");
    put(
      view,
      el(
        "p",
        {},
        `${count(live)} live of ${count(digests.length)} kept (ended ones are listed for 30 days). `,
        `At most ${count(bounds.perPerson)} per person and ${count(bounds.perBot)} for the bot; one ends after ${count(bounds.idleDays)} days without hearing from its owner.`,
      ),
      digests.length > 0
        ? el(
            "div",
            { class: "scroll" },
            dataTable(
              {},
              [
                ["#", "owner", "room", "posted", "schedule", "next due", "last delivered", "ended", ""].map((h) =>
                  el("th", { scope: "col", text: h }),
                ),
              ],
              digests.map((d) =>
                el(
                  "tr",
                  { "data-digest": d.id },
                  el("th", { scope: "row", text: `#${d.id}` }),
                  el("td", { text: `${d.owner?.name ?? "person"} (#${d.owner?.id ?? "?"})` }),
                  el("td", { text: d.room ?? NONE }),
                  el("td", { text: posted(d) }),
                  el("td", { text: `${d.cron ?? NONE} (${d.timeZone ?? NONE})` }),
                  el("td", { text: d.nextDueAt ? when(d.nextDueAt) : NONE }),
                  el("td", { text: d.lastDeliveredAt ? when(d.lastDeliveredAt) : "never" }),
                  el("td", { text: ended(d) }),
                  el(
                    "td",
                    {},
                    d.endedAt
                      ? null
                      : el("button", {
                          type: "button",
                          class: "danger",
                          text: "End",
                          "aria-label": `End ${bot.id}'s digest #${d.id}`,
                          onclick: () => endDigest(bot, d),
                        }),
                  ),
                ),
              ),
            ),
          )
        : el("p", { class: "muted", text: "No one has subscribed." }),
    );
  }

  function endDigest(bot, digest) {
    const owner = digest.owner?.name ?? "its owner";
    if (!window.confirm(`End ${owner}'s digest #${digest.id} of room ${digest.room}? Nothing more will be posted.`))
      return;
    act(
      document.querySelector(`[data-answer="${CSS.escape(`${bot.id}:digests`)}"]`),
      `End ${bot.id}'s digest #${digest.id}`,
      "DELETE",
      `/admin/digests/${encodeURIComponent(bot.id)}/${encodeURIComponent(digest.id)}`,
    );
  }

  function budgetBlock(bot, answerBox) {
    const budget = bot.budget ?? {};
    const overriding = typeof budget.source === "string" && budget.source.startsWith("runtime");
    const spent = Array.isArray(budget.spent) ? budget.spent : [];
    const top = [
      ...(budget.top?.people ?? []).map((t) => ({ ...t, scope: "person" })),
      ...(budget.top?.rooms ?? []).map((t) => ({ ...t, scope: "room" })),
    ];
    const limitsSet = budget.limits ?? {};
    const limits = [
      ["daily_usd", "Bot, per day"],
      ["monthly_usd", "Bot, per month"],
      ["per_person_daily_usd", "Each person, per day"],
      ["per_room_daily_usd", "Each room, per day"],
    ];
    const form = el("form", { class: "budget-form" });
    for (const [name, label] of limits) {
      form.append(
        el(
          "label",
          {},
          `${label} (US$)`,
          el("input", { name, type: "number", min: "0", step: "0.01", inputmode: "decimal", value: limitsSet[name] }),
        ),
      );
    }
    form.append(
      el(
        "div",
        { class: "row" },
        el("button", { type: "submit", text: "Set budget (overrides wrangler.toml)" }),
        // Only a runtime budget can be cleared; wrangler.toml's is changed by a deploy.
        overriding &&
          el("button", {
            type: "button",
            text: "Clear the override",
            onclick: () =>
              act(
                answerBox,
                `Clear ${bot.id}'s budget override`,
                "DELETE",
                `/admin/bots/${encodeURIComponent(bot.id)}/budget`,
              ),
          }),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = {};
      for (const [name] of limits) {
        const value = form.elements[name].value.trim();
        if (value !== "") body[name] = Number(value);
      }
      act(answerBox, `Set ${bot.id}'s budget`, "PUT", `/admin/bots/${encodeURIComponent(bot.id)}/budget`, body);
    });
    return el(
      "section",
      { class: "budget" },
      el("h3", { text: "Budget" }),
      el(
        "p",
        {},
        "Source: ",
        el("strong", { text: budget.source ?? "no budget" }),
        overriding ? el("span", { class: "badge override", text: "overrides wrangler.toml" }) : null,
      ),
      spent.length > 0
        ? dataTable(
            {},
            [["budget", "period", "spent", "limit", "used", "resets"].map((h) => el("th", { scope: "col", text: h }))],
            spent.map((c) =>
              el(
                "tr",
                { class: isNumber(c.limitUsd) && c.limitUsd > 0 && c.committedUsd / c.limitUsd >= 0.8 ? "high" : "" },
                el("th", {
                  scope: "row",
                  text: c.kind === "daily" ? "today" : c.kind === "monthly" ? "this month" : c.kind,
                }),
                el("td", { text: typeof c.period === "string" ? c.period.replace(/^[a-z]:/, "") : NONE }),
                el("td", { text: usd(c.committedUsd) }),
                el("td", { text: usd(c.limitUsd) }),
                el("td", {
                  text: isNumber(c.limitUsd) && c.limitUsd > 0 ? percent(c.committedUsd / c.limitUsd) : NONE,
                }),
                el("td", { text: c.resetsAt ? when(c.resetsAt) : NONE }),
              ),
            ),
          )
        : el("p", { class: "muted", text: "No daily or monthly limit: nothing is counted against one." }),
      top.length > 0
        ? el(
            "div",
            {},
            el("h4", { text: "Top spenders today" }),
            el(
              "ul",
              { class: "top-spenders" },
              top.map((t) =>
                el("li", {
                  text: `${t.scope === "room" ? "room" : "person"} ${t.id}: ${usd(t.committedUsd)}${isNumber(t.limitUsd) ? ` of ${usd(t.limitUsd)}` : ""}`,
                }),
              ),
            ),
          )
        : null,
      form,
    );
  }

  function capabilitiesBlock(bot) {
    const caps = bot.capabilities ?? {};
    const knowledge = caps.knowledge ?? {};
    const schedules = Array.isArray(caps.schedules) ? caps.schedules : [];
    const row = (label, value) => [el("dt", { text: label }), el("dd", { text: value })];
    return el(
      "section",
      { class: "capabilities" },
      el("h3", { text: "What it can do" }),
      el(
        "dl",
        {},
        row("Tools", list(caps.tools)),
        row("Web search", yesNo(caps.webSearch)),
        row("MCP servers", list(caps.mcpServers)),
        row("Reads libraries", list(knowledge.read)),
        row("Writes libraries", list(knowledge.write)),
        row("Memory of people", yesNo(caps.memory)),
        row("Task lists", yesNo(caps.tasks)),
        row("Digests", yesNo(caps.digests)),
        row("Catch me up", yesNo(caps.catchUp)),
        row("Consults", list(caps.consult)),
        row("Code execution", yesNo(caps.codeExecution)),
      ),
      el("h4", { text: "Schedules" }),
      schedules.length > 0
        ? el(
            "ul",
            { class: "schedules" },
            schedules.map((s) => {
              const next = s.nextRunLocal ?? (s.nextRunAt ? when(s.nextRunAt) : NONE);
              const sources =
                Array.isArray(s.sources) && s.sources.length > 0 ? `, reading rooms ${list(s.sources)}` : "";
              const library = s.library ? `, kept in the library ${s.library}` : "";
              return el("li", {
                text: `${s.cron ?? NONE} in room ${s.roomId ?? NONE}${sources}${library} — next run ${next}${s.problem ? ` (${s.problem})` : ""}`,
              });
            }),
          )
        : el("p", { class: "muted", text: "None." }),
    );
  }

  function auditBlock(bot) {
    const entries = Array.isArray(bot.audit) ? bot.audit : [];
    const who = (entry) => {
      const actor = entry.by;
      if (actor === "admin") return "admin";
      if (actor && typeof actor === "object") return `${actor.name ?? "person"} (#${actor.userId ?? "?"})`;
      return actor ?? NONE;
    };
    const details = (detail) =>
      Object.entries(detail ?? {})
        .map(([k, v]) => `${k}: ${v}`)
        .join(", ") || NONE;
    return el(
      "section",
      { class: "audit" },
      el("h3", { text: "Audit log (latest)" }),
      entries.length > 0
        ? el(
            "div",
            { class: "scroll" },
            dataTable(
              {},
              [["when", "what", "by", "room", "about", "detail"].map((h) => el("th", { scope: "col", text: h }))],
              entries.map((e) =>
                el(
                  "tr",
                  {},
                  el("td", { text: when(e.at) }),
                  el("td", { text: e.kind ?? NONE }),
                  el("td", { text: who(e) }),
                  el("td", { text: e.room ?? NONE }),
                  el("td", { text: e.about ?? NONE }),
                  el("td", { text: details(e.detail) }),
                ),
              ),
            ),
          )
        : el("p", { class: "muted", text: "Nothing recorded yet." }),
    );
  }

  // ── actions ──────────────────────────────────────────────────────────────────────────────────────────────────────

  /** Calls the admin API, shows its answer, then reads the figures again so the page shows the change. */
  async function act(target, what, method, path, body) {
    try {
      const result = await api(method, path, body);
      answer(target, what, result);
      await load(false);
      // The bot's section was drawn again; its answer goes back in.
      const box =
        target.dataset.answer && document.querySelector(`[data-answer="${CSS.escape(target.dataset.answer)}"]`);
      if (box && box !== target) box.replaceChildren(...target.childNodes);
    } catch (error) {
      failure(target, what, error);
    }
  }

  let toolsFilled = false;
  function fillTools(bots) {
    if (toolsFilled) return;
    toolsFilled = true;
    const libraries = [...new Set(bots.flatMap((b) => b.capabilities?.knowledge?.read ?? []))];
    put(
      $("libraries"),
      libraries.map((name) => el("option", { value: name })),
    );
    if (!$("library").value && libraries[0]) $("library").value = libraries[0];
    for (const id of ["memory-bot", "session-bot"]) {
      const select = $(id);
      const options = id === "memory-bot" ? bots.filter((b) => b.capabilities?.memory !== false) : bots;
      put(
        select,
        (options.length ? options : bots).map((b) => el("option", { value: b.id, text: b.name ?? b.id })),
      );
    }
  }

  // Knowledge: list, upload, delete.
  const libraryName = () => $("library").value.trim();

  async function showLibrary() {
    const name = libraryName();
    if (!name) return;
    let result;
    try {
      result = await api("GET", `/admin/knowledge/${encodeURIComponent(name)}`);
    } catch (error) {
      return failure($("knowledge-answer"), `List ${name}`, error);
    }
    if (!result.ok) return answer($("knowledge-answer"), `List ${name}`, result);
    const library = result.json ?? {};
    const documents = Array.isArray(library.documents) ? library.documents : [];
    const limits = library.limits ?? {};
    put(
      $("library-view"),
      el(
        "p",
        { "data-library": library.library ?? name },
        `Library ${library.library ?? name}: ${library.count === 1 ? "1 document" : `${count(library.count)} documents`}, ${bytes(library.bytes)} of text, counting ${bytes(library.counted)}. `,
        `Limits: ${bytes(limits.documentBytes)} per document, ${count(limits.documents)} documents, ${bytes(limits.libraryBytes)} per library.`,
      ),
      documents.length > 0
        ? el(
            "div",
            { class: "scroll" },
            dataTable(
              { class: "documents" },
              [["document", "title", "size", "counts", "updated", ""].map((h) => el("th", { scope: "col", text: h }))],
              documents.map((doc) =>
                el(
                  "tr",
                  { "data-doc": doc.id },
                  el("th", { scope: "row", text: doc.id }),
                  el("td", { text: doc.title ?? NONE }),
                  el("td", { text: bytes(doc.size) }),
                  el("td", { text: bytes(doc.counted) }),
                  el("td", { text: when(doc.updatedAt) }),
                  el(
                    "td",
                    {},
                    el("button", {
                      type: "button",
                      class: "danger",
                      text: "Delete",
                      "aria-label": `Delete ${doc.id}`,
                      onclick: () => deleteDocument(name, doc.id),
                    }),
                  ),
                ),
              ),
            ),
          )
        : el("p", { class: "muted", text: "No documents." }),
    );
  }

  async function deleteDocument(library, id) {
    if (!window.confirm(`Delete "${id}" from the library ${library}? Bots reading it no longer find it.`)) return;
    try {
      answer(
        $("knowledge-answer"),
        `Delete ${library}/${id}`,
        await api("DELETE", `/admin/knowledge/${encodeURIComponent(library)}/${encodeURIComponent(id)}`),
      );
      await showLibrary();
    } catch (error) {
      failure($("knowledge-answer"), `Delete ${library}/${id}`, error);
    }
  }

  /** A file name as a document id, as `npm run knowledge` makes it; the server says if it cannot be one. */
  function documentId(fileName) {
    return fileName
      .replace(/\.(md|markdown|txt)$/i, "")
      .toLowerCase()
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+|-+$/g, "");
  }

  async function upload(files) {
    const name = libraryName();
    const target = $("knowledge-answer");
    if (!name) {
      put(target, el("div", { class: "answer failed", role: "status", text: "Name the library first." }));
      return;
    }
    const results = el("div");
    put(target, results);
    for (const file of files) {
      const id = documentId(file.name) || file.name;
      const slot = el("div");
      results.append(slot);
      try {
        const result = await api(
          "PUT",
          `/admin/knowledge/${encodeURIComponent(name)}/${encodeURIComponent(id)}`,
          file,
          "text/markdown; charset=utf-8",
        );
        const box = answer(slot, `Upload ${file.name} as ${name}/${id}`, result);
        if (result.ok && result.json)
          box.insertBefore(
            el("p", {
              text: `${result.json.created ? "Added" : "Replaced"} "${result.json.title ?? id}": ${bytes(result.json.size)}, ${count(result.json.chunks)} passages, counts ${bytes(result.json.counted)}.`,
            }),
            box.children[1] ?? null,
          );
      } catch (error) {
        failure(slot, `Upload ${file.name}`, error);
        if (error instanceof Refused) return;
      }
    }
    await showLibrary();
  }

  const bytes = (n) => {
    if (!isNumber(n)) return NONE;
    if (n < 1024) return `${n} bytes`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  };

  $("knowledge-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showLibrary();
  });
  $("files").addEventListener("change", (event) => {
    upload([...event.target.files]);
    event.target.value = "";
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    upload([...(event.dataTransfer?.files ?? [])]);
  });

  // Memory: look up, erase.
  async function showMemory() {
    const bot = $("memory-bot").value;
    const user = $("memory-user").value.trim();
    const target = $("memory-answer");
    let result;
    try {
      result = await api("GET", `/admin/memory/${encodeURIComponent(bot)}/${encodeURIComponent(user)}`);
    } catch (error) {
      return failure(target, `Look up ${user}`, error);
    }
    if (!result.ok) {
      put($("memory-view"));
      return answer(target, `Look up ${user}`, result);
    }
    const files = Array.isArray(result.json?.files) ? result.json.files : [];
    const tasks = Array.isArray(result.json?.tasks) ? result.json.tasks : [];
    put(
      $("memory-view"),
      el(
        "p",
        { "data-memory": `${bot}:${user}` },
        `${bot} keeps ${files.length === 1 ? "1 file" : `${files.length} files`} (${bytes(result.json?.totalBytes)}) and ${tasks.length === 1 ? "1 task" : `${tasks.length} tasks`} about person ${user}.`,
      ),
      el(
        "div",
        { class: "columns" },
        el(
          "section",
          {},
          el("h3", { text: "Memory files" }),
          files.length > 0
            ? el(
                "ul",
                { class: "memory-files" },
                files.map((file) =>
                  el(
                    "li",
                    {},
                    el(
                      "details",
                      {},
                      el("summary", { text: `${file.path} · ${bytes(file.bytes)} · ${when(file.updatedAt)}` }),
                      el("pre", { text: file.content ?? "" }),
                    ),
                  ),
                ),
              )
            : el("p", { class: "muted", text: "None." }),
        ),
        el(
          "section",
          {},
          el("h3", { text: "Task list" }),
          tasks.length > 0
            ? el(
                "ul",
                { class: "memory-tasks" },
                tasks.map((task) =>
                  el("li", {
                    "data-task": task.id,
                    text: `#${task.id} ${task.title}${task.due ? ` · due ${task.due}` : ""} · ${task.doneAt ? `done ${when(task.doneAt)}` : "open"}`,
                  }),
                ),
              )
            : el("p", { class: "muted", text: "None." }),
        ),
      ),
      files.length > 0 || tasks.length > 0
        ? el("button", {
            type: "button",
            class: "danger",
            text: `Erase everything ${bot} keeps about ${user}`,
            onclick: () => eraseMemory(bot, user),
          })
        : null,
    );
  }

  async function eraseMemory(bot, user) {
    if (
      !window.confirm(
        `Erase what ${bot} remembers about person ${user}, their task list, and their entries in its audit log? This cannot be undone.`,
      )
    )
      return;
    try {
      const result = await api("DELETE", `/admin/memory/${encodeURIComponent(bot)}/${encodeURIComponent(user)}`);
      const box = answer($("memory-answer"), `Erase ${bot}'s memory of ${user}`, result);
      const { erased, tasksErased } = result.json ?? {};
      if (isNumber(erased) && isNumber(tasksErased))
        box.insertBefore(
          el("p", {
            text: `Erased ${erased === 1 ? "1 memory file" : `${erased} memory files`} and ${tasksErased === 1 ? "1 task" : `${tasksErased} tasks`}.`,
          }),
          box.children[1] ?? null,
        );
      await showMemory();
    } catch (error) {
      failure($("memory-answer"), `Erase ${bot}'s memory of ${user}`, error);
    }
  }

  $("memory-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showMemory();
  });

  // Conversations: end one.
  $("session-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const bot = $("session-bot").value;
    const room = $("session-room").value.trim();
    const target = $("session-answer");
    if (!window.confirm(`End ${bot}'s conversation in room ${room}? It forgets everything said there.`)) return;
    try {
      const result = await api("DELETE", `/admin/sessions/${encodeURIComponent(bot)}/${encodeURIComponent(room)}`);
      answer(target, `End ${bot}'s conversation in room ${room}`, result);
      if (result.ok && result.json && "ended" in result.json)
        target.firstChild.insertBefore(
          el("p", {
            text: result.json.ended
              ? "Ended: the conversation and its history are gone."
              : "There was no conversation to end.",
          }),
          target.firstChild.children[1] ?? null,
        );
      await load(false);
    } catch (error) {
      failure(target, `End ${bot}'s conversation in room ${room}`, error);
    }
  });

  // ── start ────────────────────────────────────────────────────────────────────────────────────────────────────────

  if (token) load(true);
  else askForToken("");
})();
