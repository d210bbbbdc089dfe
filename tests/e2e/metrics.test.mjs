// The Metrics page in the real app: its figures and its charts are the CLI's numbers, for the
// period and the filters chosen; a period that ends before it starts is refused beside it; in
// French, its tables stay within the window.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  cli,
  dataDir,
  errorOf,
  find,
  screenshot,
  set,
  stopDriver,
  until,
  withApp,
} from "./harness.mjs";

after(stopDriver);

/** Two services' deployments in the first week of March 2026 (every date in the past). */
function fixture() {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Metrics", "--name", "Mia", "--email", "mia@example.com");
  const release = (service, version, envs) =>
    cli(
      dir,
      "release",
      "create",
      "--service",
      service,
      "--version",
      version,
      "--title",
      "Metrics fixture",
      ...envs.flatMap((e) => ["--env", e]),
    ).id;
  const deploy = (id, env, outcome, start, end) =>
    cli(
      dir,
      "deploy",
      "record",
      id,
      "--env",
      env,
      "--outcome",
      outcome,
      "--start",
      start,
      "--end",
      end,
    );
  const p1 = release("payments", "1.0.0", ["staging", "prod"]);
  deploy(p1, "staging", "succeeded", "2026-03-01T10:00:00Z", "2026-03-01T10:10:00Z");
  deploy(p1, "prod", "succeeded", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z");
  const p2 = release("payments", "1.1.0", ["staging", "prod"]);
  deploy(p2, "staging", "succeeded", "2026-03-03T09:00:00Z", "2026-03-03T09:10:00Z");
  deploy(p2, "prod", "failed", "2026-03-04T10:00:00Z", "2026-03-04T10:20:00Z");
  deploy(p2, "prod", "succeeded", "2026-03-04T12:00:00Z", "2026-03-04T12:20:00Z");
  const s1 = release("search", "2.0.0", ["prod"]);
  deploy(s1, "prod", "failed", "2026-03-05T10:00:00Z", "2026-03-05T10:15:00Z");
  return dir;
}

/** Every figure of the page: `data-metric` → `data-value`. */
async function figures(b) {
  return b.execute(() =>
    Object.fromEntries(
      [...document.querySelectorAll("[data-metric]")].map((e) => [
        e.getAttribute("data-metric"),
        e.getAttribute("data-value"),
      ]),
    ),
  );
}

test("the Metrics page shows the CLI's figures and charts them", async () => {
  const dir = fixture();
  await withApp("metrics", dir, async (b) => {
    await b.execute(() => (location.hash = "#/metrics"));
    await find(b, "[data-testid=metrics-filters]");
    await set(b, "[data-testid=metrics-filters] [name=from]", "2026-03-01");
    await set(b, "[data-testid=metrics-filters] [name=to]", "2026-03-07");
    const m = cli(dir, "metrics", "--from", "2026-03-01", "--to", "2026-03-07");
    const asText = (v) => (v === null ? null : String(v));
    await until(
      b,
      async () => (await figures(b)).deployments === String(m.deployments),
      "the period's figures",
    );
    const shown = await figures(b);
    assert.deepEqual(shown, {
      deployments: asText(m.deployments),
      frequency: asText(m.deployment_frequency_per_week),
      lead_time: asText(m.lead_time_hours_median),
      change_failure_rate: asText(m.change_failure_rate),
      time_to_restore: asText(m.time_to_restore_hours_median),
      approval_lead_time: asText(m.approval_lead_time_hours_median),
      deviation_share: asText(m.deviation_share),
      freeze_overrides: asText(m.freeze_overrides),
      emergency_ratio: asText(m.emergency_ratio),
      review_completion_rate: asText(m.review_completion_rate),
      overdue_actions: asText(m.overdue_actions),
    });
    assert.match(await (await find(b, "[data-metric=lead_time]")).getText(), /25\.92 h/);
    // The weekly chart plots the CLI's weeks; the service chart its services.
    const weekly = JSON.parse(
      await (await find(b, "[data-testid=weekly-chart]")).getAttribute("data-points"),
    );
    assert.deepEqual(
      weekly.map((d) => d.data),
      [
        m.weeks.map((w) => w.succeeded),
        m.weeks.map((w) => w.failed),
        m.weeks.map((w) => w.lead_time_hours_median),
      ],
    );
    // The busiest first (here every service: there are fewer than a chart shows).
    const services = JSON.parse(
      await (await find(b, "[data-testid=service-chart]")).getAttribute("data-points"),
    );
    const busiest = [...m.services].sort(
      (x, y) => y.deployments - x.deployments || (x.service < y.service ? -1 : 1),
    );
    assert.deepEqual(
      services[0].data,
      busiest.map((s) => s.deployment_frequency_per_week),
    );
    assert.deepEqual(
      services[1].data,
      busiest.map((s) => Math.round(s.change_failure_rate * 100)),
    );
    assert.match(await (await find(b, "[data-testid=unrestored]")).getText(), /search in prod/);
    // The deployments behind the figures, one row each.
    assert.equal((await b.$$("[data-testid=period-deployments] tbody tr")).length, m.deployments);
    // Each bar is drawn (SVG) with what it shows, for the reader who hovers it: the week
    // and its succeeded deployments, as the CLI counts them.
    const hovered = await b.execute(() => ({
      labels: JSON.parse(
        document.querySelector("[data-testid=weekly-chart]").getAttribute("data-labels"),
      ),
      titles: [...document.querySelectorAll("[data-testid=weekly-chart] rect title")].map(
        (t) => t.textContent,
      ),
    }));
    const succeeded = m.weeks.flatMap((w, i) =>
      w.succeeded > 0 ? [`${hovered.labels[i]} — Succeeded: ${w.succeeded}`] : [],
    );
    assert.ok(succeeded.length > 0);
    for (const title of succeeded) assert.ok(hovered.titles.includes(title), title);
    await (await find(b, "[data-testid=weekly-chart]")).scrollIntoView();
    await screenshot(b, "metrics-charts");
    await b.execute(() => (document.querySelector(".main > main").scrollTop = 0));
    await screenshot(b, "metrics");
    // Drawn at its box's width when that changes too: the axes' text keeps the page's size
    // (scaled, it would be drawn in a font loaded anew for each width). The page is narrowed
    // rather than the window: WebKitWebDriver's window resizes went unanswered at times, here
    // and in CI, and hung the driver.
    const atWidth = () =>
      b.execute(() =>
        [...document.querySelectorAll(".chart svg")].map((svg) => ({
          scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
          width: svg.viewBox.baseVal.width,
        })),
      );
    const wide = (await atWidth())[0].width;
    const narrow = (width) =>
      b.execute((w) => (document.querySelector(".main > main").style.maxWidth = w), width);
    await narrow("760px");
    await until(
      b,
      async () => {
        const s = await atWidth();
        return (
          s.length === 2 &&
          s.every((x) => Math.abs(x.scale - 1) < 0.001) &&
          Math.abs(s[0].width - wide) > 100
        );
      },
      "the charts drawn at their new width",
    );
    await (await find(b, "[data-testid=weekly-chart]")).scrollIntoView();
    await screenshot(b, "metrics-narrow");
    await b.execute(() => (document.querySelector(".main > main").scrollTop = 0));
    await narrow("");

    // One service: the page and the CLI agree again.
    await set(b, "[data-testid=metrics-filters] [name=service]", "search");
    const one = cli(
      dir,
      "metrics",
      "--from",
      "2026-03-01",
      "--to",
      "2026-03-07",
      "--service",
      "search",
    );
    await until(
      b,
      async () => (await figures(b)).deployments === String(one.deployments),
      "one service's figures",
    );
    assert.equal((await figures(b)).change_failure_rate, String(one.change_failure_rate));

    // A period that ends before it starts: said beside the end.
    await set(b, "[data-testid=metrics-filters] [name=to]", "2026-02-01");
    await until(b, async () => (await errorOf(b, "to")) !== null, "the period's error");
  });
});

test("in French the Metrics page's tables stay within the window, their headings wrapped", async () => {
  const dir = fixture();
  writeFileSync(join(dir, "ui.json"), JSON.stringify({ locale: "fr" }));
  await withApp("metrics-fr", dir, async (b) => {
    await b.execute(() => (location.hash = "#/metrics"));
    await find(b, "[data-testid=metrics-filters]");
    await set(b, "[data-testid=metrics-filters] [name=from]", "2026-03-01");
    await set(b, "[data-testid=metrics-filters] [name=to]", "2026-03-07");
    await find(b, "[data-testid=service-table] tbody tr");
    assert.equal(await b.execute(() => document.documentElement.lang), "fr");
    const fits = await b.execute(() => {
      const main = document.querySelector(".main > main");
      return [...document.querySelectorAll("main table")].map((t) => ({
        heading: t.querySelector("th").textContent,
        right: Math.round(t.getBoundingClientRect().right),
        card: Math.round(t.closest(".card").getBoundingClientRect().right),
        overflow: main.scrollWidth - main.clientWidth,
      }));
    });
    assert.equal(fits.length, 2);
    for (const t of fits) {
      assert.ok(
        t.right <= t.card,
        `${t.heading}: the table ends at ${t.right}, its card at ${t.card}`,
      );
      assert.equal(t.overflow, 0, "the page does not scroll sideways");
    }
    await (await find(b, "[data-testid=service-table]")).scrollIntoView();
    await screenshot(b, "metrics-fr");
  });
});
