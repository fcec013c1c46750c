// Drives the command-centre page (dashboard/) in headless Chromium and reports what it showed,
// as JSON on stdout; tests/e2e/test_dashboard_browser.py compares it with GraphQL's answers.
// Also usable by hand against `make dev` (README, "Dashboard"):
//   node tests/e2e/dashboard_browser.mjs '{"url": "http://127.0.0.1:8000/dashboard/?unit=…&token=…",
//                                          "screenshot": "build/test-artifacts/dashboard.png"}'
//
// Config (one JSON argument):
//   url         the page, with unit, token, day and every (seconds between refreshes)
//   screenshot  where to save a full-page PNG at the end
//   drill       optional: the name of a ranking row to click (drill down), then back up
//   change      optional: {api, query, variables, token}: a GraphQL request that changes the
//               figures; the script waits for the 受理 tile to change (the page's own refresh)
//   timeoutMs   how long each wait may take (default 20000)
//
// The browser is Debian's chromium (make browser), not one downloaded by Playwright; launch()
// gives it a fresh temporary profile (user data dir) each run.
import { chromium } from "playwright-core";

const config = JSON.parse(process.argv[2]);
const timeout = config.timeoutMs ?? 20000;
const RECEIVED = "受理";

function view() {
  const text = (node) => (node?.textContent ?? "").trim();
  const figures = {};
  for (const tile of document.querySelectorAll("#figures .figure")) {
    const value = text(tile.querySelector("b"));
    figures[text(tile).slice(0, text(tile).length - value.length).trim()] = value;
  }
  const headers = [...document.querySelectorAll("#ranking thead th")].map(text);
  const ranking = [...document.querySelectorAll("#ranking tbody tr")].map((row) => {
    const cells = {};
    [...row.cells].forEach((cell, i) => {
      cells[headers[i]] = text(cell) || (cell.querySelector(".light")?.className ?? "");
    });
    return cells;
  });
  return {
    title: text(document.getElementById("unit-name")),
    crumbs: [...document.querySelectorAll("#crumbs a")].map(text),
    figures,
    ranking,
    updated: text(document.getElementById("updated")),
  };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const problems = [];
const report = { problems };
try {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai",
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  // Everything the page shows, read in one go (one task of the page: never half-refreshed).
  // Tiles by label, ranking rows by column header, so new tiles or columns do not break it.
  await page.addInitScript({ content: `window.dashboardView = ${view.toString()};` });
  await page.goto(config.url);

  // Waits until the page shows `unit` (any unit if null) at depth `depth` of the breadcrumb,
  // with figures (and a 受理 tile other than `notReceived`, if given); returns the view.
  const shown = async (unit, depth, notReceived = null) => {
    const handle = await page.waitForFunction(
      ([unit, depth, label, notReceived]) => {
        const v = window.dashboardView();
        const ok = document.body.dataset.ready === "true" && v.crumbs.length === depth &&
          (unit === null || (v.title.startsWith(unit) && v.crumbs[depth - 1] === unit)) &&
          label in v.figures && v.figures[label] !== notReceived;
        return ok ? v : false;
      },
      [unit, depth, RECEIVED, notReceived],
      { timeout },
    );
    return handle.jsonValue();
  };

  report.top = await shown(null, 1);
  const top = report.top.crumbs[0];
  if (config.drill) {
    await page.locator("#ranking tbody tr", { hasText: config.drill }).first().click();
    report.drilled = await shown(config.drill, 2);
    await page.locator("#crumbs a").first().click();
    report.back = await shown(top, 1);
  }
  if (config.change) {
    const before = (await shown(top, 1)).figures[RECEIVED];
    const started = Date.now();
    const response = await fetch(config.change.api, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${config.change.token}` },
      body: JSON.stringify({ query: config.change.query, variables: config.change.variables }),
    });
    report.changeAnswer = await response.json();
    const after = await shown(top, 1, before);
    report.refreshed = { before, waitedMs: Date.now() - started, view: after };
  }
  await page.screenshot({ path: config.screenshot, fullPage: true });
  report.screenshot = config.screenshot;
} catch (error) {
  report.error = String(error?.stack ?? error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
process.exitCode = report.error ? 1 : 0;
