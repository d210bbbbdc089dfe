// Deployments and rollback readiness in the real app: a deployment recorded in the dialog
// (a bad one refused beside its field first), its deviation shown, a rollback recorded from the
// CLI while the app runs appearing without reload, and the rollback plan and a rehearsal with
// an evidence file chosen in the system's file dialog.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  answerFileDialog,
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

/** Click `selector` once it is in view and clickable (the panel is below the fold). */
async function press(b, selector) {
  const el = await find(b, selector);
  await el.scrollIntoView({ block: "center" });
  await el.waitForClickable({ timeout: 10000 });
  await el.click();
}

/** Fill the open record dialog `testid`'s fields by name (selects, inputs, textareas and the
 *  date-time fields' hidden inputs alike) and submit it. */
async function submitDialog(b, testid, fields) {
  for (const [name, value] of Object.entries(fields))
    await set(b, `[data-testid=${testid}] [name=${name}]`, value);
  await press(b, `[data-testid=${testid}] button[type=submit]`);
}

test("a deployment recorded in the app shows its deviation; a rollback from the CLI appears as it is made", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Delivery", "--name", "Dee", "--email", "dee@example.com");
  // Planned in March 2026 (Paris); every date below is in the past whatever today is.
  const id = cli(
    dir,
    "release",
    "create",
    "--service",
    "payments",
    "--version",
    "4.2.0",
    "--env",
    "staging",
    "--env",
    "prod",
    "--title",
    "Refund batching",
    "--start",
    "2026-03-10T10:00",
    "--end",
    "2026-03-10T12:00",
    "--tz",
    "Europe/Paris",
  ).id;
  await withApp("delivery", dir, async (b) => {
    await find(b, "[data-testid=workspace-name]");
    await b.execute((h) => (location.hash = h), `#/releases/${id}`);
    await find(b, "[data-testid=deployments-tab]");

    // A production deployment that ends before it starts: refused beside the end, nothing
    // stored.
    await press(b, "[data-testid=record-deployment]");
    await find(b, "[data-testid=deployment-dialog]");
    await submitDialog(b, "deployment-dialog", {
      environment: "prod",
      outcome: "failed",
      start: "2026-03-10T10:30",
      end: "2026-03-10T10:10",
    });
    await until(b, async () => (await errorOf(b, "end")) !== null, "the end's error");
    assert.equal(await errorOf(b, "end"), "The end comes before the start.");
    assert.equal(cli(dir, "deploy", "list").deployments.length, 0);

    // Corrected: it failed, and nobody had approved it (the verdict at its start).
    await submitDialog(b, "deployment-dialog", { end: "2026-03-10T10:50" });
    const row = await find(b, "[data-testid=deployments] tr[data-outcome=failed]");
    await until(
      b,
      async () => (await row.$$("[data-testid=deviations] li[data-kind=not_allowed]")).length === 1,
      "the deviation beside the deployment",
    );
    // Nor had staging had it first.
    assert.match(await row.getText(), /did not allow it \(Approvals/);
    assert.match(await row.getText(), /staging, before it in the promotion order/);
    await until(
      b,
      async () =>
        (await (await find(b, "[data-testid=release-status]")).getText()).includes("Failed"),
      "the release follows its deployment",
    );
    const recorded = cli(dir, "deploy", "list", "--release", id).deployments[0];
    assert.equal(recorded.environment, "prod");
    assert.deepEqual(
      recorded.deviations.map((d) => d.kind),
      ["not_allowed", "skipped_environment"],
    );

    // Rolled back from a terminal while the app is open: the page follows without a reload.
    cli(
      dir,
      "rollback",
      "record",
      id,
      "--env",
      "prod",
      "--to-version",
      "4.1.3",
      "--reason",
      "refunds stuck in the queue",
    );
    await find(b, "[data-testid=deployments] tr[data-outcome=rolled_back]");
    await press(b, "[data-tab=rollback]");
    await find(b, "[data-testid=rollbacks] li");
    assert.match(
      await (await find(b, "[data-testid=rollbacks]")).getText(),
      /prod back to 4\.1\.3/,
    );
    await screenshot(b, "delivery-rolled-back");

    // The plan: data changes that cannot be undone need a forward fix, said beside it.
    assert.equal(
      await (await find(b, "[data-testid=readiness]")).getAttribute("data-readiness"),
      "no_plan",
    );
    await press(b, "[data-testid=plan-rollback]");
    await find(b, "[data-testid=plan-dialog]");
    await submitDialog(b, "plan-dialog", {
      previous_version: "4.1.3",
      steps: "helm rollback payments 41",
      reversible: "no",
      duration_minutes: "15",
    });
    await until(b, async () => (await errorOf(b, "forward_fix")) !== null, "the forward fix");
    await submitDialog(b, "plan-dialog", { forward_fix: "replay the refund journal" });
    await until(
      b,
      async () =>
        (await (await find(b, "[data-testid=readiness]")).getAttribute("data-readiness")) ===
        "planned",
      "planned, not rehearsed",
    );
    assert.match(
      await (await find(b, "[data-testid=rollback-plan]")).getText(),
      /replay the refund journal/,
    );

    // A rehearsal whose evidence is a file chosen in the system's dialog: its digest is kept.
    const evidence = join(dir, "rehearsal.log");
    writeFileSync(evidence, "rolled back to 4.1.3 in 6 minutes\n");
    await press(b, "[data-testid=record-rehearsal]");
    await find(b, "[data-testid=rehearsal-dialog]");
    await set(b, "[data-testid=rehearsal-dialog] [name=environment]", "staging");
    await press(b, "[data-testid=choose-evidence]");
    await answerFileDialog(evidence);
    await until(
      b,
      async () =>
        (await b.execute(
          () => document.querySelector("[data-testid=rehearsal-dialog] [name=evidence]")?.value,
        )) === evidence,
      "the chosen file in the field",
    );
    await press(b, "[data-testid=rehearsal-dialog] button[type=submit]");
    await until(
      b,
      async () =>
        (await (await find(b, "[data-testid=readiness]")).getAttribute("data-readiness")) ===
        "rehearsed",
      "rehearsed",
    );
    const digest = `sha256:${createHash("sha256").update("rolled back to 4.1.3 in 6 minutes\n").digest("hex")}`;
    assert.equal(cli(dir, "rollback", "show", id).rehearsals[0].evidence_digest, digest);
    await screenshot(b, "delivery-rehearsed");
  });
});
