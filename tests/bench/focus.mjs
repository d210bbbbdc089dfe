// One part of the app's tour (app.mjs), many rounds in each launch, two or more builds
// launched in turn: where `make bench-app` says two builds differ by 10 or 20 ms, one run of
// its tour holds three timings of each interaction, fewer than the machine's drift needs.
// This holds a hundred.
//
//   RELM_BENCH_DIR=DIR node tests/bench/focus.mjs PART LAUNCHES APP...   (from the repository root)
//
// PART is `releases` (the release list's filters, from the tour), `calendar` (its first
// visit, later visits, month steps, the week, the timeline and the month again) or `pages`
// (every page's first visit and five later ones, in the tour's order: a first visit is timed
// once per launch). Each APP (a built relm-app) is launched LAUNCHES times, the order turned
// round at each launch (A B, B A, …) so that the machine's drift falls on every build alike;
// RELM_BENCH_ROUNDS rounds in each launch (20). Timed as app.mjs times (settle.mjs), the store held in the OS's page cache.
//
// Prints each build's quartiles of each measure (ms) and of the slowest backend call it
// waited on; writes target/bench/focus.json.

import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { stopDriver, withApp } from "../e2e/harness.mjs";
import {
  FILTERS,
  MONTH_STEPS,
  PAGES,
  READY,
  VIEWS,
  firstRow,
  hold,
  launched,
  prepared,
} from "./launch.mjs";
import { settle } from "./settle.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = process.env.RELM_BENCH_DIR;
const [part, launches, ...apps] = process.argv.slice(2);
if (
  !dir ||
  !["releases", "calendar", "pages"].includes(part) ||
  !(Number(launches) > 0) ||
  !apps.length
)
  throw new Error(
    "usage: RELM_BENCH_DIR=DIR node tests/bench/focus.mjs releases|calendar|pages LAUNCHES APP...",
  );
process.env.RELM_WEBDRIVER_TIMEOUT_MS ??= "180000";
const ROUNDS = Number(process.env.RELM_BENCH_ROUNDS ?? 20);

/** The part's rounds in the session `b`: each `time(what, action, opts)` is one timing. */
const PARTS = {
  async releases(b, time) {
    const rows = { ready: READY.releases };
    for (let i = 0; i < ROUNDS; i++) {
      await settle(b, ["hash", "#/verify"]);
      await time("releases: later visit", ["hash", "#/releases"], rows);
      for (const [what, action, opts] of FILTERS) await time(what, action, opts);
    }
  },
  // Each page's first visit (once per launch: raise LAUNCHES), then its later ones, as the
  // tour visits them.
  async pages(b, time) {
    const visit = async (name, hash, ready) => {
      await time(`${name}: first visit`, ["hash", hash], { ready });
      for (let i = 0; i < 5; i++) {
        await settle(b, ["hash", "#/verify"]);
        await time(`${name}: later visit`, ["hash", hash], { ready });
      }
      await settle(b, ["hash", "#/verify"]);
    };
    for (const [name, hash, ready] of PAGES) await visit(name, hash, ready);
    await visit("release detail", await firstRow(b, "releases"), READY.release);
    await visit("risk detail", await firstRow(b, "risks"), READY.risk);
    await visit("calendar", "#/calendar", READY.calendar);
  },
  async calendar(b, time) {
    const month = { ready: READY.calendar };
    await time("calendar: first visit", ["hash", "#/calendar"], month);
    for (let i = 0; i < ROUNDS; i++) {
      await settle(b, ["hash", "#/verify"]);
      await time("calendar: later visit", ["hash", "#/calendar"], month);
      for (const [action, opts] of MONTH_STEPS)
        await time("calendar: next or previous month", action, opts);
      for (const [what, action, opts] of VIEWS) await time(what, action, opts);
    }
  },
};

const results = {};
const holder = await hold(dir);
for (let l = 0; l < Number(launches); l++) {
  for (const app of l % 2 ? [...apps].reverse() : apps) {
    const build = basename(app);
    await withApp(
      `bench-focus-${build}-${l}`,
      dir,
      async (b) => {
        await launched(b, ".tiles .tile");
        // The calendar opens on the view last chosen: the month's, as in the tour.
        await b.execute(() => localStorage.removeItem("relm.calendar.view"));
        await settle(b, ["none"]);
        await prepared(b);
        await settle(b, ["hash", "#/verify"]);
        await PARTS[part](b, async (what, action, opts) => {
          const { ms, calls } = await settle(b, action, opts);
          const slowest = calls.find((c) => !c.startsWith("("));
          ((results[build] ??= {})[what] ??= []).push({
            ms,
            call: slowest ? Number(slowest.split(" ").pop()) : 0,
          });
        });
      },
      [],
      app,
    );
  }
}
stopDriver();
holder.stdin.end();

const quartiles = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return [0.25, 0.5, 0.75].map((p) => s[Math.floor(p * (s.length - 1))].toFixed(0)).join(" / ");
};
console.log(
  `| build | measure | timings | ms, quartiles | slowest call it waited on, ms |\n|---|---|---|---|---|`,
);
for (const [build, measures] of Object.entries(results)) {
  for (const [what, xs] of Object.entries(measures)) {
    const ms = xs.map((x) => x.ms);
    console.log(
      `| ${build} | ${what} | ${xs.length} | ${quartiles(ms)} | ${quartiles(xs.map((x) => x.call))} |`,
    );
  }
}
mkdirSync(join(ROOT, "target/bench"), { recursive: true });
writeFileSync(
  join(ROOT, "target/bench/focus.json"),
  JSON.stringify({ part, launches: Number(launches), rounds: ROUNDS, results }, null, 2),
);
