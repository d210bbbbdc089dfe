// Accessibility of every page of the real app, in both themes and both languages: axe-core
// (WCAG 2 A and AA rules) injected into the webview through WebDriver, on the demo workspace.
// No serious or critical violation may remain.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, test } from "node:test";
import { cli, dataDir, find, stopDriver, withApp } from "./harness.mjs";

after(stopDriver);

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe's findings on the page as it is now: `impact id: help (n nodes: selectors)`. */
async function audit(b) {
  // The app's content security policy forbids eval: axe goes in as the script WebDriver runs.
  if (!(await b.execute(() => Boolean(window.axe)))) await b.execute(`${AXE}\nreturn true;`);
  const found = await b.executeAsync((done) => {
    window.axe
      .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"] } })
      .then((r) =>
        done(
          r.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map(
              (v) =>
                `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes
                  .slice(0, 3)
                  .map((n) => n.target.join(" "))
                  .join(", ")})`,
            ),
        ),
      )
      .catch((e) => done([`axe failed: ${e}`]));
  });
  return found;
}

test("every page has no serious or critical accessibility violation, in both themes and languages", async () => {
  const demo = dataDir();
  cli(demo, "demo");
  const release = cli(demo, "release", "list", "--limit", "1").releases[0].id;
  const risk = cli(demo, "risk", "list")[0].id;
  // Each page, and what shows once its data is on screen (axe judges the page as people see it).
  const pages = {
    dashboard: ["#/dashboard", "[data-testid=next-freezes] tr"],
    releases: ["#/releases", "[data-testid=release-table] tbody tr"],
    release: [`#/releases/${release}`, "[data-testid=verdict]"],
    "new release": ["#/releases/new", "[data-testid=release-form]"],
    calendar: ["#/calendar", "[data-testid=calendar-conflicts] li"],
    audit: ["#/audit", "[data-testid=audit-log] tbody tr"],
    settings: ["#/settings", "[data-testid=members] tr"],
    policy: ["#/policy", "[data-testid=policy-source]"],
    risks: ["#/risks", "[data-testid=risk-table] tbody tr"],
    risk: [`#/risks/${risk}`, "[data-testid=mitigations] li"],
    "new risk": ["#/risks/new", "[data-testid=risk-form]"],
  };
  const problems = [];
  for (const theme of ["light", "dark"]) {
    for (const locale of ["en", "fr"]) {
      writeFileSync(`${demo}/ui.json`, JSON.stringify({ locale, theme }));
      await withApp(`a11y-${theme}-${locale}`, demo, async (b) => {
        await find(b, "[data-testid=workspace-name]");
        for (const [name, [hash, ready]] of Object.entries(pages)) {
          await b.execute((h) => (location.hash = h), hash);
          await find(b, ready);
          for (const v of await audit(b)) problems.push(`${theme} ${locale} ${name}: ${v}`);
        }
      });
    }
  }
  assert.deepEqual(problems, [], problems.join("\n"));
});
