// The Reports page in the real app: a release's dossier exported through the native save
// dialog, in French, is the PDF the CLI writes — its text holds the release, its approvals and
// its deviations, and its evidence digest is the one the page shows.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  answerFileDialog,
  cli,
  dataDir,
  find,
  screenshot,
  stopDriver,
  until,
  withApp,
} from "./harness.mjs";

after(stopDriver);

test("a release's dossier is exported from the Reports page and reads as the CLI's", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  // A reviewed release of the demo: it has approvals, deployments and a signed review.
  const release = cli(dir, "release", "list", "--status", "reviewed", "--limit", "1").releases[0];
  writeFileSync(join(dir, "ui.json"), JSON.stringify({ locale: "fr", theme: "light" }));
  const out = join(dir, "dossier.pdf");
  await withApp("report-dossier", dir, async (b) => {
    // From the release's page.
    await b.execute((id) => (location.hash = `#/releases/${id}`), release.id);
    await find(b, "[data-testid=release-dossier]");
    await screenshot(b, "release-dossier-link");
    await (await find(b, "[data-testid=release-dossier]")).click();
    const form = await find(b, "[data-testid=dossier-form]");
    await until(
      b,
      async () => (await (await find(b, "[data-testid=report-release]")).getValue()) === release.id,
      "the release from the link is chosen",
    );
    assert.match(await form.getText(), /Dossier de mise en production/);
    await (await find(b, "[data-testid=export-dossier]")).click();
    await answerFileDialog(out);
    const written = await find(b, "[data-testid=report-written]");
    await until(b, async () => existsSync(out), "written");
    const digest = await (await find(b, "[data-testid=report-digest]")).getText();
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.match(await written.getText(), /pages/);
    await screenshot(b, "reports-dossier");

    const text = execFileSync("pdftotext", ["-enc", "UTF-8", out, "-"]).toString();
    const flat = text.split(/\s+/).join(" ");
    assert.ok(
      flat.includes(`Dossier de mise en production — ${release.service} ${release.version}`),
    );
    assert.ok(flat.includes("Verdicts des contrôles"), "in French");
    assert.ok(flat.includes(digest), "the digest the page shows is the one on the pages");
    // The same evidence as the CLI's dossier of the same release.
    const again = cli(dir, "report", "release", release.id, "--out", join(dir, "cli.pdf"));
    assert.equal(again.digest, digest);
  });
});

test("a period's compliance report is exported from the Reports page", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  writeFileSync(join(dir, "ui.json"), JSON.stringify({ locale: "fr", theme: "light" }));
  const out = join(dir, "compliance.pdf");
  await withApp("report-period", dir, async (b) => {
    await b.execute(() => (location.hash = "#/reports"));
    await (await find(b, "[data-testid=report-subject]")).selectByAttribute("value", "period");
    const form = await find(b, "[data-testid=dossier-form]");
    await until(
      b,
      async () => /Rapport de conformité d’une période/.test(await form.getText()),
      "the period form",
    );
    await (await find(b, "[data-testid=report-environment]")).selectByAttribute("value", "prod");
    await (await find(b, "[data-testid=export-dossier]")).click();
    await answerFileDialog(out);
    const written = await find(b, "[data-testid=report-written]", 60000);
    await until(b, async () => existsSync(out), "written");
    assert.match(await written.getText(), /Rapport de conformité écrit/);
    const digest = await (await find(b, "[data-testid=report-digest]")).getText();
    await screenshot(b, "reports-period");
    const flat = execFileSync("pdftotext", ["-enc", "UTF-8", out, "-"])
      .toString()
      .split(/\s+/)
      .join(" ");
    assert.ok(flat.includes("Rapport de conformité"), "in French");
    assert.ok(flat.includes("Environnement prod"), "of the environment chosen");
    assert.ok(flat.includes("Correspondance des contrôles"));
    assert.ok(flat.includes("ISO/IEC 27001:2022 A.8.32"));
    assert.ok(flat.includes(digest), "the digest the page shows is the one on the pages");
    // The export is on record.
    const log = cli(dir, "audit", "log");
    assert.ok(log.some((e) => e.kind === "report.exported" && e.payload.what === "period-report"));
  });
});

test("the dossier's picker offers the latest releases, a service's on asking, and keeps an older one a link names", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  // The demo holds more releases than the picker lists: the one changed longest ago is not
  // among the latest 50.
  const all = cli(dir, "release", "list", "--sort", "-updated", "--limit", "1000").releases;
  assert.ok(all.length > 51, `${all.length} releases`);
  const oldest = all.at(-1);
  const latest = all.slice(0, 50).map((r) => r.id);
  const options = (b) =>
    b.execute(() =>
      [...document.querySelectorAll("[data-testid=report-release] option")].map((o) => o.value),
    );
  const out = join(dir, "oldest.pdf");
  await withApp("report-picker", dir, async (b) => {
    await b.execute((id) => (location.hash = `#/releases/${id}`), oldest.id);
    await (await find(b, "[data-testid=release-dossier]")).click();
    await until(
      b,
      async () => (await (await find(b, "[data-testid=report-release]")).getValue()) === oldest.id,
      "the older release from the link is chosen",
    );
    // The release the link names first, then the latest 50 worked on.
    assert.deepEqual(await options(b), [oldest.id, ...latest]);
    // A service typed: its releases, the chosen one kept.
    const service = all.find((r) => r.service !== oldest.service).service;
    const ofService = all.filter((r) => r.service === service).map((r) => r.id);
    await (await find(b, "[data-testid=report-service]")).setValue(service.toUpperCase());
    await until(
      b,
      async () => (await options(b)).length === ofService.length + 1,
      "the service's releases",
    );
    assert.deepEqual(await options(b), [oldest.id, ...ofService.slice(0, 50)]);
    assert.equal(await (await find(b, "[data-testid=report-release]")).getValue(), oldest.id);
    // A service no release has: said beside the field.
    await (await find(b, "[data-testid=report-service]")).setValue("no-such-service");
    const none = await find(b, "[data-testid=report-service-none]");
    assert.match(await none.getText(), /No release of this service/);
    await screenshot(b, "reports-picker-none");
    // The older release's dossier is written.
    await (await find(b, "[data-testid=export-dossier]")).click();
    await answerFileDialog(out);
    await find(b, "[data-testid=report-written]");
    await until(b, async () => existsSync(out), "written");
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", out, "-"]).toString();
    assert.ok(
      text.split(/\s+/).join(" ").includes(`${oldest.service} ${oldest.version}`),
      "the older release's dossier",
    );
  });
});
