// What the app benchmarks share: the store held in the OS's page cache, the moments of a
// launch they wait for, the tour's pages and the steps both time (see app.mjs).

import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { settle } from "./settle.mjs";

/** The data dir's store files. */
export const storeFiles = (dir) =>
  readdirSync(join(dir, "store")).map((f) => join(dir, "store", f));

/** The store's files read and held in the OS's page cache until the process returned ends. */
export async function hold(dir) {
  const holder = spawn("python3", [join(import.meta.dirname, "hold.py"), ...storeFiles(dir)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const [line] = await Promise.race([
    once(holder.stdout, "data"),
    once(holder, "exit").then(() => {
      throw new Error("tests/bench/hold.py ended before holding the store");
    }),
  ]);
  if (!String(line).startsWith("held")) throw new Error(`tests/bench/hold.py: ${line}`);
  return holder;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wait (polling over WebDriver) until `selector` is in the page: ms since the session began. */
export async function launched(b, selector) {
  await b.setTimeout({ script: 120000 });
  for (;;) {
    if (await b.execute((s) => !!document.querySelector(s), selector)) {
      return performance.now() - b.openedAt;
    }
    if (performance.now() - b.openedAt > 60000) throw new Error(`${selector} never appeared`);
  }
}

/** Wait until the app has prepared the heaviest pages' answers, as it does while the first page
 * is read (ui/src/lib/prepare.ts): ms since the session began. */
export async function prepared(b) {
  await b.setTimeout({ script: 180000 });
  await b.executeAsync((done) => {
    // (A build from before prepare.ts has no count: nothing to wait for.)
    const wait = () => (!(window.__relmCalls.prepared <= 0) ? done() : setTimeout(wait, 20));
    wait();
  });
  return performance.now() - b.openedAt;
}

/** The pages of the tour: name, hash, and what shows once it is drawn. */
export const PAGES = [
  ["dashboard", "#/dashboard", ".tiles .tile"],
  ["releases", "#/releases", "[data-testid=release-table] tbody tr"],
  ["risks", "#/risks", "[data-testid=risk-table] tbody tr"],
  ["reviews", "#/reviews", "[data-testid=reviews-due]"],
  ["metrics", "#/metrics", "[data-testid=metrics]"],
  ["reports", "#/reports", "[data-testid=dossier-form]"],
  ["communication", "#/communication", "[data-testid=digest-form]"],
  ["connections", "#/connections", "[data-testid=no-connections], [data-testid=connection]"],
  ["audit", "#/audit", "[data-testid=audit-log]"],
  ["settings", "#/settings", "[data-testid=members]"],
  ["policy", "#/policy", "[data-testid=policy-in-force]"],
];
export const READY = {
  ...Object.fromEntries(PAGES.map(([name, , ready]) => [name, ready])),
  release: "[data-testid=release-status]",
  risk: "[data-testid=risk-status]",
  calendar: "[data-testid=calendar-month]",
};

// The tour's timed steps that focus.mjs repeats, each as [what, action, settle's options].
// The release list's filters: the list asks again at once, at every key.
const typed = (what, field, value) => [what, ["input", [field, value]], { fetches: true }];
export const FILTERS = [
  typed("releases: filter by service (typed)", "#first-filter", "svc-042"),
  typed("releases: clear the filter", "#first-filter", ""),
  typed("releases: filter by status (failed)", ".filters select", "failed"),
  typed("releases: any status again", ".filters select", ""),
];
/** The calendar's month steps, three forward and three back: [action, settle's options]. */
export const MONTH_STEPS = ["1", "1", "1", "-1", "-1", "-1"].map((step) => [
  ["click", `[data-step="${step}"]`],
  { fetches: true },
]);
// The calendar's views in turn. A view of other days asks for them; the timeline shows the
// week's days again, so it asks nothing: each waits for its view, and for the calls it starts.
const view = (v, testid) => [
  `calendar: ${v} view`,
  ["click", `[data-view=${v}]`],
  { ready: `[data-testid=${testid}]` },
];
export const VIEWS = [
  view("week", "calendar-week"),
  view("timeline", "calendar-timeline"),
  view("month", "calendar-grid"),
];

/** The hash of the first row's own page in the list `releases` or `risks` (opened first). */
export async function firstRow(b, list) {
  await settle(b, ["hash", `#/${list}`], { ready: READY[list] });
  const table = list === "releases" ? "release-table" : "risk-table";
  return b.execute(
    (t) => document.querySelector(`[data-testid=${t}] tbody tr a`)?.getAttribute("href"),
    table,
  );
}
