// The command-centre page: figures, gauges (state now), children's 考核 ranking with their timing
// lights, a trend and the overdue / at-risk watch lists of one unit, through the public GraphQL
// API only (unitFigures, unitRanking, unitTrend, unitWatchList), refreshed every few seconds.
// Query string: ?unit=<global id>&token=<demo token>&api=<GraphQL URL>&every=<seconds>
// &day=<yyyy-mm-dd>&period=<DAY|WEEK|MONTH|YEAR>.
"use strict";
const params = new URLSearchParams(location.search);
const api = params.get("api") || "/graphql";
const token = params.get("token") || "";
const every = Number(params.get("every") || 5) * 1000;
const trail = [params.get("unit")];
// Today in Asia/Shanghai, where the figures' days begin (not UTC: before 08:00 that is yesterday).
const today = params.get("day") ||
  new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
document.getElementById("day").value = today;
if (params.get("period")) document.getElementById("period").value = params.get("period");

const FIGURES = `query($unit: ID!, $period: FiguresPeriod!, $day: String!) {
  unitFigures(unitId: $unit, period: $period, day: $day) {
    unit { id name } start end received accepted resolved closed resolutionRate onTimeRate
    inGridShare streetOrBelowShare satisfactionRate reworkRate averageWorkingHours
    topCategories { category { name } reported }
    gauges { open overdue atRisk light byLevel { key count } } }
  unitRanking(unitId: $unit, period: $period, day: $day) {
    weightsVersion entries { rank score light figures { unit { id name kind }
      received resolutionRate onTimeRate reworkRate gauges { open overdue atRisk light } } } }
  unitTrend(unitId: $unit, period: $period, day: $day, count: 12) { start received resolved }
  overdue: unitWatchList(unitId: $unit, kind: OVERDUE, first: 10) {
    nodes { code category { name } holderName dueAt } }
  atRisk: unitWatchList(unitId: $unit, kind: AT_RISK, first: 10) {
    nodes { code category { name } holderName dueAt } }
}`;

async function graphql(query, variables) {
  const response = await fetch(api, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: token ? `Bearer ${token}` : "" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

const percent = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)} %`);

function showFigures(f) {
  const cells = [
    ["受理", f.received], ["立案", f.accepted], ["办结", f.resolved], ["结案", f.closed],
    ["办结率", percent(f.resolutionRate)], ["按期办结率", percent(f.onTimeRate)],
    ["网格内解决率", percent(f.inGridShare)], ["街道及以下解决率", percent(f.streetOrBelowShare)],
    ["满意率", percent(f.satisfactionRate)], ["返工率", percent(f.reworkRate)],
    ["平均处置(工作小时)", f.averageWorkingHours ?? "–"],
    ["高发类别", f.topCategories.slice(0, 3).map((t) => `${t.category.name} ${t.reported}`)
      .join(" · ") || "–"],
  ];
  document.getElementById("figures").innerHTML = cells
    .map(([name, value]) => `<div class="figure">${name}<b>${value}</b></div>`).join("");
  document.getElementById("unit-name").textContent = `${f.unit.name} ${f.start} – ${f.end}`;
}

const LEVELS = { INTAKE: "受理", GRID: "网格", COMMUNITY: "社区", STREET: "街道", DISTRICT: "区级", TOP: "顶格" };

function showGauges(g) {
  const set = (id, value) => { document.querySelector(`#${id} b`).innerHTML = value; };
  set("gauge-open", g.open);
  set("gauge-overdue", g.overdue);
  set("gauge-at-risk", g.atRisk);
  set("gauge-light", `<span class="light ${g.light}"></span>`);
  set("gauge-levels", g.byLevel.filter((l) => l.count)
    .map((l) => `${LEVELS[l.key] || l.key} ${l.count}`).join(" · ") || "0");
  document.getElementById("gauges").dataset.light = g.light;
}

const escape = (text) => String(text ?? "–").replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const when = (iso) => (iso ? iso.slice(0, 16).replace("T", " ") : "–");

function showWatch(id, cases) {
  const body = document.querySelector(`#${id} tbody`);
  body.innerHTML = cases.length
    ? cases.map((c) => `<tr><td>${escape(c.code)}</td><td>${escape(c.category?.name)}</td>
        <td>${escape(c.holderName)}</td><td>${when(c.dueAt)}</td></tr>`).join("")
    : `<tr class="empty"><td colspan="4">无</td></tr>`;
}

function showRanking(ranking) {
  const body = document.querySelector("#ranking tbody");
  body.innerHTML = "";
  for (const e of ranking.entries) {
    const row = document.createElement("tr");
    const f = e.figures;
    row.innerHTML = `<td>${e.rank}</td><td>${f.unit.name}</td><td>${e.score.toFixed(1)}</td>
      <td>${f.received}</td><td>${percent(f.resolutionRate)}</td><td>${percent(f.onTimeRate)}</td>
      <td>${percent(f.reworkRate)}</td><td><span class="light ${e.light}"></span></td>
      <td>${f.gauges.open}</td><td>${f.gauges.overdue}</td><td>${f.gauges.atRisk}</td>
      <td><span class="light timing ${f.gauges.light}"></span></td>`;
    row.addEventListener("click", () => { trail.push(f.unit.id); refresh(); });  // drill down
    body.appendChild(row);
  }
}

function showTrend(points) {
  const svg = document.getElementById("trend");
  const most = Math.max(1, ...points.map((p) => Math.max(p.received, p.resolved)));
  const x = (i) => 20 + (i * 600) / Math.max(1, points.length - 1);
  const y = (v) => 160 - (v * 140) / most;
  const line = (key, color) => `<polyline fill="none" stroke="${color}" stroke-width="2"
    points="${points.map((p, i) => `${x(i)},${y(p[key])}`).join(" ")}"/>`;
  svg.innerHTML = line("received", "#9cc3ff") + line("resolved", "#2ecc71");
}

function showCrumbs(names) {
  const nav = document.getElementById("crumbs");
  nav.innerHTML = "";
  trail.forEach((id, i) => {
    const link = document.createElement("a");
    link.textContent = names[i] || "…";
    link.addEventListener("click", () => { trail.splice(i + 1); refresh(); });
    nav.appendChild(link);
  });
}

const names = [];
// What the page is asked to show: the drill-down trail, the period and the day.
const wanted = () => JSON.stringify([trail, ...["period", "day"].map((id) =>
  document.getElementById(id).value)]);
async function refresh() {
  const variables = {
    unit: trail[trail.length - 1],
    period: document.getElementById("period").value,
    day: document.getElementById("day").value,
  };
  const asked = wanted();
  try {
    const data = await graphql(FIGURES, variables);
    // An answer for what is no longer shown (drilled down, went back, changed the period
    // while it was on its way) would paint the wrong unit under the breadcrumb: drop it.
    if (wanted() !== asked) return;
    names[trail.length - 1] = data.unitFigures.unit.name;
    names.length = trail.length;
    showFigures(data.unitFigures);
    showGauges(data.unitFigures.gauges);
    showWatch("overdue-list", data.overdue.nodes);
    showWatch("at-risk-list", data.atRisk.nodes);
    showRanking(data.unitRanking);
    showTrend(data.unitTrend);
    showCrumbs(names);
    document.getElementById("updated").textContent = `更新于 ${new Date().toLocaleTimeString()}`;
    document.body.dataset.ready = "true";
  } catch (error) {
    document.getElementById("updated").textContent = `错误: ${error.message}`;
  }
}
document.getElementById("period").addEventListener("change", refresh);
document.getElementById("day").addEventListener("change", refresh);
refresh();
setInterval(refresh, every);
