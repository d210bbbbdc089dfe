// The app on a large organization's workspace (`make bench-app`): the real app, release build,
// under Xvfb through WebDriver, beside the smallest Tauri app built the same way.
//
//   RELM_BENCH_DIR=DIR node tests/bench/app.mjs   (from the repository root)
//
// DIR is a data dir seeded by `relm-seed-big` (its founder's key in the kernel keyring). Measured:
//
// - launch to first data on screen (the dashboard's tiles; the baseline's one line), from the
//   WebDriver request that starts the process, median of RUNS launches each, alternating; and
//   Relm's launch with the store's files out of the OS's page cache, as after a reboot;
// - idle memory: the proportional set size (PSS) of the app's process and every process under
//   it (WebKit's web and network processes), after each launch (once the app has prepared the
//   heaviest pages' answers; the median of the runs, beside the minimal app's) and after the
//   tour, 5 s idle;
// - each page's first render (once the app has prepared the heaviest pages' answers, as it does
//   while the first page is read) and its later visits, each search and filter, the calendar's
//   months, week and timeline: from the action to the moment every backend call it started has
//   answered and the next frame is drawn.
//
// Everything but the cold launch is measured with the store's files held in the OS's page cache
// (tests/bench/hold.py), as on a machine with memory to spare. The machine these figures were
// measured on reclaims file pages left unused for about a minute (DAMON's proactive reclaim):
// without holding them, a first visit measured the virtual disk, by what had run a minute
// before.
//
// Prints a Markdown table on stdout; writes target/bench/app.json.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { appsOn, stopDriver, withApp } from "../e2e/harness.mjs";
import {
  FILTERS,
  MONTH_STEPS,
  PAGES,
  READY,
  VIEWS,
  firstRow,
  hold,
  launched,
  median,
  prepared,
  storeFiles,
} from "./launch.mjs";
import { settle } from "./settle.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const RELM = process.env.RELM_APP ?? join(ROOT, "target/release/relm-app");
const MINIMAL = process.env.RELM_MINIMAL_APP ?? join(ROOT, "target/release/relm-bench-minimal-app");
const dir = process.env.RELM_BENCH_DIR;
if (!dir) throw new Error("set RELM_BENCH_DIR to a data dir seeded by relm-seed-big");
// A slow page is measured, not a failure of the run: WebDriver waits up to 3 minutes.
process.env.RELM_WEBDRIVER_TIMEOUT_MS ??= "180000";
const RUNS = Number(process.env.RELM_BENCH_RUNS ?? 5);
/** Visits of each page after the first. */
const REVISITS = 5;
/** Rounds of the searches, filters and calendar steps; each reported as its median. */
const ROUNDS = Number(process.env.RELM_BENCH_ROUNDS ?? 3);
const IDLE_MS = 5000;

/** The store's files out of the OS's page cache (their pages are clean: nothing is lost). */
function chill() {
  for (const f of storeFiles(dir)) {
    execFileSync("dd", [`if=${f}`, "iflag=nocache", "count=0", "status=none"]);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** PSS in MiB of `pid` and every process under it, and each one's ("name MiB"). */
function pssTree(pid) {
  const parent = new Map();
  for (const p of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, ppid] of parent) if (ppid === tree[i]) tree.push(child);
  }
  let kb = 0;
  const names = [];
  for (const p of tree) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      const own = Number(/^Pss:\s+(\d+)/m.exec(rollup)[1]);
      kb += own;
      names.push(`${readFileSync(`/proc/${p}/comm`, "utf8").trim()} ${Math.round(own / 1024)}`);
    } catch {
      // gone, or a kernel thread
    }
  }
  return { mib: kb / 1024, processes: names };
}

/** Idle memory of the app opened on `on`: the median of three samples a second apart, after
 * IDLE_MS of nothing. */
async function idlePss(app, on) {
  await sleep(IDLE_MS);
  const [pid] = appsOn(on, app);
  if (!pid) throw new Error(`no process of ${app} on ${on}`);
  const samples = [];
  let processes = [];
  for (let i = 0; i < 3; i++) {
    const s = pssTree(pid);
    samples.push(s.mib);
    processes = s.processes;
    await sleep(1000);
  }
  return { mib: median(samples), processes };
}

const results = { machine: {}, launch: {}, memory: {}, pages: [], interactions: [] };
const row = (what, ms, calls = []) =>
  console.log(
    `| ${what} | ${ms < 0 ? "did not settle in 60 s" : `${ms.toFixed(0)} ms`} | ${calls.slice(0, 3).join(", ")} |`,
  );

// 1. Launch and idle memory, the baseline beside the app; first Relm's launch from a cold cache.
const blank = mkdtempSync(join(tmpdir(), "relm-bench-minimal-"));
const launches = { minimal: [], relm: [], relm_idle: [], relm_prepared: [], relm_cold: [] };
for (let r = 0; r < RUNS; r++) {
  chill();
  await withApp(
    `bench-relm-cold-${r}`,
    dir,
    async (b) => launches.relm_cold.push(await launched(b, ".tiles .tile")),
    [],
    RELM,
  );
}
const holder = await hold(dir);
// Idle memory after each launch: one sample of either app moves by 10 MiB from launch to
// launch (WebKit's buffers), so each is the median of the runs, and the difference is the
// median of each run's pair.
const idle = { minimal: [], relm: [] };
for (let r = 0; r < RUNS; r++) {
  await withApp(
    `bench-minimal-${r}`,
    blank,
    async (b) => {
      launches.minimal.push(await launched(b, "[data-testid=minimal-ready]"));
      idle.minimal.push(await idlePss(MINIMAL, blank));
    },
    [],
    MINIMAL,
  );
  await withApp(
    `bench-relm-${r}`,
    dir,
    async (b) => {
      launches.relm.push(await launched(b, ".tiles .tile"));
      // And until the dashboard has everything it asked for.
      const rest = await settle(b, ["none"]);
      launches.relm_idle.push(performance.now() - b.openedAt);
      if (r === 0) results.launch.dashboard_calls = rest.calls;
      // Idle once the app has nothing more to do: after preparing.
      launches.relm_prepared.push(await prepared(b));
      idle.relm.push(await idlePss(RELM, dir));
    },
    [],
    RELM,
  );
}
/** The run whose `mib` is the median, with every run's figure. */
const medianRun = (xs) => {
  const mid = median(xs.map((x) => x.mib));
  return { ...xs.find((x) => x.mib === mid), runs: xs.map((x) => x.mib) };
};
results.memory.minimal = medianRun(idle.minimal);
results.memory.relm_launched = medianRun(idle.relm);
const over = idle.relm.map((x, i) => x.mib - idle.minimal[i].mib);
results.memory.relm_over_minimal = { mib: median(over), runs: over };
Object.assign(results.launch, {
  minimal_ms: median(launches.minimal),
  relm_ms: median(launches.relm),
  relm_idle_ms: median(launches.relm_idle),
  relm_prepared_ms: median(launches.relm_prepared),
  relm_cold_ms: median(launches.relm_cold),
  runs: launches,
});
console.log("| measure | median | slowest backend calls (ms) |\n|---|---|---|");
row("launch to first data: minimal Tauri app", results.launch.minimal_ms);
row("launch to first data: Relm (dashboard tiles)", results.launch.relm_ms);
row(
  "launch until the dashboard has all its data",
  results.launch.relm_idle_ms,
  results.launch.dashboard_calls,
);
row("launch until the heaviest pages' answers are prepared", results.launch.relm_prepared_ms);
row("launch to first data: Relm, store not in the OS's cache", results.launch.relm_cold_ms);

// 2. Every page, the searches and filters, the calendar.
// A step that never answers (the WebDriver request times out) leaves the page busy: the tour
// stops there, says so, and what was measured before it is kept.
await withApp(
  "bench-relm-tour",
  dir,
  (b) =>
    tour(b).catch((e) => {
      const why = e.message.split("\n")[0];
      results.stopped = why;
      row(`tour stopped: ${why.slice(0, 100)}`, -1);
    }),
  [],
  RELM,
);
stopDriver();
holder.stdin.end();

async function tour(b) {
  await launched(b, ".tiles .tile");
  // The calendar opens on the view last chosen (kept by WebKit for the data dir): the month's.
  await b.execute(() => localStorage.removeItem("relm.calendar.view"));
  await settle(b, ["none"]);
  // A user reads the first page before going on: meanwhile the app prepares the heaviest
  // pages' first answers (ui/src/lib/prepare.ts). The tour starts once it has, and says when.
  await prepared(b);
  // From a page that asks nothing, so that each page below is opened afresh.
  await settle(b, ["hash", "#/verify"]);
  const page = async (name, hash, ready) => {
    const first = await settle(b, ["hash", hash], { ready });
    const again = [];
    for (let i = 0; i < REVISITS; i++) {
      await settle(b, ["hash", "#/verify"]);
      again.push(await settle(b, ["hash", hash], { ready }));
    }
    // The median revisit, with the calls it made: where a revisit's time goes.
    const typical = [...again].sort((x, y) => x.ms - y.ms)[Math.floor(again.length / 2)];
    results.pages.push({
      page: name,
      first_ms: first.ms,
      again_ms: typical.ms,
      calls: first.calls,
      again_calls: typical.calls,
    });
    const calls = typical.calls.slice(0, 3).join(", ");
    row(
      `page ${name}: first render (later visits ${typical.ms.toFixed(0)} ms${calls ? `: ${calls}` : ""})`,
      first.ms,
      first.calls,
    );
    await settle(b, ["hash", "#/verify"]);
  };
  for (const [name, hash, ready] of PAGES) await page(name, hash, ready);
  // A release's and a risk's own pages: the first row of each list.
  const release = await firstRow(b, "releases");
  await page("release detail", release, READY.release);
  await page("risk detail", await firstRow(b, "risks"), READY.risk);

  // Each interaction is timed ROUNDS times (one timing is at the mercy of the machine's
  // hiccups); the median is reported, with the slowest and the calls of the median run.
  const timed = new Map();
  const interaction = async (what, steps) => {
    const done = [];
    for (const [action, opts] of steps) done.push(await settle(b, action, opts));
    const slowest = done.reduce((a, b) => (b.ms > a.ms ? b : a));
    if (!timed.has(what)) timed.set(what, []);
    timed.get(what).push({ ms: slowest.ms, steps: done });
  };
  const report = () => {
    for (const [what, runs] of timed) {
      const typical = [...runs].sort((x, y) => x.ms - y.ms)[Math.floor(runs.length / 2)];
      const worst = Math.max(...runs.map((r) => r.ms));
      results.interactions.push({ what, ms: typical.ms, runs: runs.map((r) => r.ms), ...typical });
      const calls = typical.steps.reduce((a, b) => (b.ms > a.ms ? b : a)).calls;
      row(`${what} (median of ${runs.length}, slowest ${worst.toFixed(0)} ms)`, typical.ms, calls);
    }
    timed.clear();
  };
  for (let round = 0; round < ROUNDS; round++) {
    // The release list: filters, load more.
    await settle(b, ["hash", "#/releases"], { ready: READY.releases });
    for (const [what, action, opts] of FILTERS) await interaction(what, [[action, opts]]);
    await interaction("releases: load more (100 → 200 rows)", [
      [["click", ".more button"], { fetches: true }],
    ]);
    // The risk register: a search, then cleared (not timed) for the next round.
    await settle(b, ["hash", "#/risks"], { ready: READY.risks });
    await interaction("risks: search a title word", [
      [["input", ["[data-testid=risk-filters] input", "certificate"]], { fetches: true }],
    ]);
    await settle(b, ["input", ["[data-testid=risk-filters] input", ""]], { fetches: true });
    // The audit trail of one release.
    await interaction("audit: one release's trail", [
      [
        ["hash", `#/audit?release=${release.split("/").pop()}`],
        { ready: "[data-testid=audit-log]" },
      ],
    ]);
    await settle(b, ["hash", "#/verify"]);
  }
  report();
  // Idle after the tour, back on the dashboard.
  await settle(b, ["hash", "#/dashboard"], { ready: READY.dashboard });
  results.memory.relm_after_tour = await idlePss(RELM, dir);
  // The calendar last: on this workspace it may not settle at all (its conflicts).
  await page("calendar", "#/calendar", READY.calendar);
  // Three months forward, three back, the week, the timeline, the month.
  await settle(b, ["hash", "#/calendar"], { ready: READY.calendar });
  for (let round = 0; round < ROUNDS; round++) {
    await interaction("calendar: next or previous month (slowest of 6)", MONTH_STEPS);
    for (const [what, action, opts] of VIEWS) await interaction(what, [[action, opts]]);
  }
  report();
}

const pss = (what, m) =>
  console.log(
    `| idle PSS: ${what} | ${m ? `${m.mib.toFixed(0)} MiB (${m.processes.join(", ")})` : "not reached"} |`,
  );
pss("minimal Tauri app", results.memory.minimal);
pss("Relm after launch", results.memory.relm_launched);
pss("Relm after the tour", results.memory.relm_after_tour);
const { runs: overRuns } = results.memory.relm_over_minimal;
console.log(
  `| idle PSS after launch over the minimal app (median of ${overRuns.length} pairs) | ${results.memory.relm_over_minimal.mib.toFixed(0)} MiB (${Math.min(...overRuns).toFixed(0)}–${Math.max(...overRuns).toFixed(0)}) |`,
);
results.machine = { cpus: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30) };
mkdirSync(join(ROOT, "target/bench"), { recursive: true });
writeFileSync(join(ROOT, "target/bench/app.json"), JSON.stringify(results, null, 2));
