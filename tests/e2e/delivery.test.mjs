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
  teammates,
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

test("a rollback from the CLI makes the review mandatory; it is drafted, written, given an action and signed off in the app", async () => {
  const { ann, bob } = teammates();
  // Bob owns the release; Ann, an approver, has the app open.
  const id = cli(
    bob,
    "release",
    "create",
    "--service",
    "ledger-api",
    "--version",
    "4.2.0",
    "--env",
    "staging",
    "--env",
    "prod",
    "--title",
    "Ledger compaction",
    "--start",
    "2026-03-10T10:00",
    "--end",
    "2026-03-10T12:00",
    "--tz",
    "Europe/Paris",
  ).id;
  cli(bob, "sync");
  cli(ann, "sync");
  await withApp("review", ann, async (b) => {
    await b.execute((h) => (location.hash = h), `#/releases/${id}?tab=review`);
    const tab = await find(b, "[data-testid=review-tab]");
    assert.equal(await tab.getAttribute("data-status"), "missing");
    assert.match(await tab.getText(), /Nothing to review until the release is deployed/);

    // From a terminal, while the app is open: it went to production, and was rolled back.
    cli(
      ann,
      "deploy",
      "record",
      id,
      "--env",
      "prod",
      "--outcome",
      "succeeded",
      "--start",
      "2026-03-10T09:30:00Z",
      "--end",
      "2026-03-10T09:50:00Z",
    );
    cli(ann, "rollback", "record", id, "--env", "prod", "--to-version", "4.1.3", "--reason", "lag");
    await until(
      b,
      async () =>
        // Both writes seen (the deviation alone already makes it mandatory): drafting while
        // the rollback's reload redraws the tab could lose the click.
        /Mandatory after: a deviation, a rollback/.test(
          await (await find(b, "[data-testid=review-tab]")).getText(),
        ),
      "the review is mandatory after the deviation and the rollback",
    );
    assert.match(
      await (await find(b, "[data-testid=review-due]")).getText(),
      /Overdue since Mar 15, 2026/,
    );

    // Drafted from the ledger: the deployment, its deviations and the rollback are in the
    // timeline; the outcome is the rollback.
    await press(b, "[data-testid=draft-review]");
    await find(b, "[data-testid=review-tab][data-status=draft]");
    const timeline = await (await find(b, "[data-testid=review-timeline]")).getText();
    assert.match(timeline, /Deployment to prod: Succeeded/);
    assert.match(timeline, /Deviation in prod/);
    assert.match(timeline, /Ann rolled prod back to 4\.1\.3/);
    assert.equal(
      await b.execute(
        () => document.querySelector("[data-testid=review-tab] [name=outcome]").value,
      ),
      "rolled_back",
    );

    // An incident that ends before it starts is refused beside the incidents.
    await set(b, "[data-testid=review-tab] [name=went_well]", "The rollback took six minutes");
    await set(b, "[data-testid=review-tab] [name=went_badly]", "Replication lag went unseen");
    await press(b, "[data-testid=add-incident]");
    await set(b, "[name=incident-reference-0]", "INC-7");
    await set(b, "[name=incident-start-0]", "2026-03-10T10:00");
    await set(b, "[name=incident-end-0]", "2026-03-10T09:00");
    await press(b, "[data-testid=save-review]");
    await until(b, async () => (await errorOf(b, "incidents")) !== null, "the incident's error");
    await set(b, "[name=incident-end-0]", "2026-03-10T10:40");
    await press(b, "[data-testid=save-review]");
    await until(
      b,
      async () => cli(ann, "review", "show", id).content.incidents.length === 1,
      "the review saved",
    );
    assert.match(
      await (await find(b, "[data-testid=review-timeline]")).getText(),
      /Incident INC-7/,
    );

    // A follow-up action for Bob.
    await press(b, "[data-testid=add-action]");
    await find(b, "[data-testid=action-dialog]");
    const owner = cli(ann, "member", "list").find((m) => m.name === "Bob").key_id;
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await submitDialog(b, "action-dialog", {
      title: "Alert on replication lag",
      owner,
      due,
    });
    await find(b, "[data-testid=review-actions] li");
    assert.equal(cli(ann, "action", "list").actions[0].owner_name, "Bob");

    // Ann signs as the approver; Bob signs as the owner from his laptop: signed off.
    await press(b, "[data-testid=sign-review]");
    await until(
      b,
      async () =>
        /Waiting for: the release's owner/.test(
          await (await find(b, "[data-testid=review-tab]")).getText(),
        ),
      "waiting for the owner",
    );
    cli(ann, "sync");
    cli(bob, "sync");
    cli(bob, "review", "sign", id);
    cli(bob, "sync");
    cli(ann, "sync");
    await find(b, "[data-testid=review-tab][data-status=signed]", 15000);
    await until(
      b,
      async () =>
        (await (await find(b, "[data-testid=release-status]")).getText()).includes("Reviewed"),
      "the release is reviewed",
    );
    await screenshot(b, "review-signed");

    // The Reviews page: signed off, with its open action.
    await b.execute(() => (location.hash = "#/reviews"));
    await find(b, `[data-testid=reviews-signed] tr[data-release="${id}"]`);
    await find(b, "[data-testid=open-actions] tr[data-action-id]");
    await screenshot(b, "reviews-page");
  });
});
