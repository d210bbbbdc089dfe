// Screenshots of every page, in both themes and both languages, on the demo workspace:
// `node screenshots.mjs` (or `make screenshots`) writes target/screenshots/*.png.

import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { check, cli, dataDir, find, stopDriver, withApp } from "./harness.mjs";

const OUT = join(import.meta.dirname, "../../target/screenshots");
const PAGES = [
  "dashboard",
  "releases",
  "release",
  "allowed",
  "new",
  "calendar",
  "audit",
  "settings",
  "policy",
];
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

for (const theme of ["light", "dark"]) {
  for (const locale of ["en", "fr"]) {
    writeFileSync(join(demo, "ui.json"), JSON.stringify({ locale, theme }));
    await withApp(`shots-${theme}-${locale}`, demo, async (b) => {
      await find(b, "[data-testid=workspace-name]");
      for (const page of PAGES) {
        const hash =
          {
            release: `#/releases/${first}`,
            allowed: `#/releases/${allowed}`,
            new: "#/releases/new",
          }[page] ?? `#/${page}`;
        await b.execute((h) => (location.hash = h), hash);
        await b.pause(700);
        await b.saveScreenshot(join(OUT, `${theme}-${locale}-${page}.png`));
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
