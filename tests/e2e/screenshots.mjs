// Screenshots of every page, at 1024 and 1280 px, in both themes and both languages, on the demo
// workspace:
// `node screenshots.mjs` (or `make screenshots`) writes target/screenshots/*.png.

import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { check, cli, dataDir, find, stopDriver, withApp } from "./harness.mjs";

const OUT = join(import.meta.dirname, "../../target/screenshots");
const PAGES = [
  "dashboard",
  "releases",
  "release",
  "release-risk",
  "release-deployments",
  "release-rollback",
  "release-review",
  "release-review-signed",
  "allowed",
  "new",
  "calendar",
  "calendar-week",
  "calendar-timeline",
  "reschedule",
  "audit",
  "settings",
  "policy",
  "risks",
  "risk",
  "new-risk",
  "reviews",
  "metrics",
  "connections",
];
/** The window widths every page is shot at: a small laptop and a common one. */
const WIDTHS = [1024, 1280];
mkdirSync(OUT, { recursive: true });

const demo = dataDir();
cli(demo, "demo");
cli(demo, "remote", "add", "team-share", dataDir());
cli(demo, "sync");
// A release waiting for this member's approval, and one the policy allows.
const first = cli(demo, "pending")[0].release_id;
const allowed = cli(demo, "release", "list", "--status", "approved", "--limit", "50")
  .releases.filter((r) => r.environments.includes("prod"))
  .find((r) => check(demo, r.id, "prod").outcome === "allowed").id;
// The week of a release that can still be moved (planned or approved, on prod, its window
// ahead): picked from the data, so the shots do not depend on today's date.
const movable = ["planned", "approved"]
  .flatMap((status) => cli(demo, "release", "list", "--status", status, "--limit", "100").releases)
  .filter(
    (r) => r.window && r.environments.includes("prod") && Date.parse(r.window.start) > Date.now(),
  )
  .sort((a, b) => Date.parse(a.window.start) - Date.parse(b.window.start))[0];
if (!movable) throw new Error("the demo has no movable production release to reschedule");
const movableWeek = movable.window.start.slice(0, 10);
// The release whose level an approver lowered, its risk panel in view.
const lowered = cli(demo, "release", "list", "--status", "planned", "--limit", "100").releases.find(
  (r) => cli(demo, "risk", "assess", r.id).lowered,
).id;
// A production release that was rolled back: its deployments, deviations and rollback.
const rolledBack = cli(demo, "deploy", "list", "--env", "prod").deployments.find(
  (d) => d.outcome === "rolled_back",
).release_id;
// A review in draft (its editor), and one signed off.
const reviews = cli(demo, "review", "list").reviews;
const drafted = (reviews.find((r) => r.status === "draft") ?? reviews[0]).release_id;
const signedOff = reviews.find((r) => r.status === "signed").release_id;
// The register's highest risk, with its mitigations.
const topRisk = cli(demo, "risk", "list")[0].id;

for (const theme of ["light", "dark"]) {
  for (const locale of ["en", "fr"]) {
    writeFileSync(join(demo, "ui.json"), JSON.stringify({ locale, theme }));
    await withApp(`shots-${theme}-${locale}`, demo, async (b) => {
      await find(b, "[data-testid=workspace-name]");
      for (const width of WIDTHS) {
        await b.setWindowSize(width, 800);
        for (const page of PAGES) {
          const hash =
            {
              release: `#/releases/${first}`,
              "release-risk": `#/releases/${lowered}`,
              "release-deployments": `#/releases/${rolledBack}`,
              "release-rollback": `#/releases/${rolledBack}`,
              "release-review": `#/releases/${drafted}?tab=review`,
              "release-review-signed": `#/releases/${signedOff}?tab=review`,
              allowed: `#/releases/${allowed}`,
              new: "#/releases/new",
              risk: `#/risks/${topRisk}`,
              "new-risk": "#/risks/new",
            }[page] ?? `#/${page}`;
          // The calendar's views; the reschedule dialog for the first movable release next week.
          const view = { "calendar-week": "week", "calendar-timeline": "timeline" }[page];
          await b.execute(
            (v) => localStorage.setItem("relm.calendar.view", v),
            page === "reschedule" ? "timeline" : (view ?? "month"),
          );
          if (view || page === "reschedule") {
            await b.execute(() => (location.hash = "#/dashboard"));
            await b.pause(200);
          }
          await b.execute(
            (h) => (location.hash = h),
            page === "reschedule" ? `#/calendar?date=${movableWeek}` : view ? "#/calendar" : hash,
          );
          await b.pause(700);
          if (page === "release-risk") {
            await (await find(b, "[data-testid=risk-panel]")).scrollIntoView();
            await b.pause(200);
          }
          if (page === "release-review" || page === "release-review-signed") {
            await (await find(b, "[data-testid=review-tab]")).scrollIntoView();
            await b.pause(200);
          }
          if (page === "release-deployments" || page === "release-rollback") {
            if (page === "release-rollback") await (await find(b, "[data-tab=rollback]")).click();
            await (await find(b, "[data-testid=delivery]")).scrollIntoView();
            await b.pause(200);
          }
          if (page === "reschedule") {
            await (await find(b, "[data-lane=prod] .bar.movable")).click();
            await (await find(b, "[data-testid=reschedule]")).click();
            await find(b, "[data-testid=reschedule-dialog][data-outcome]:not([data-outcome=''])");
            await b.pause(300);
          }
          await b.saveScreenshot(join(OUT, `${theme}-${locale}-${width}-${page}.png`));
        }
      }
    });
  }
}
const fresh = dataDir();
writeFileSync(join(fresh, "ui.json"), JSON.stringify({ locale: "en", theme: "light" }));
await withApp("shots-welcome", fresh, async (b) => {
  await find(b, "[data-testid=create-form]");
  await b.pause(500);
  await b.saveScreenshot(join(OUT, "light-en-welcome.png"));
});
stopDriver();
