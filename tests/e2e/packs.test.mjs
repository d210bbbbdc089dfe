// Evidence packs in the real app: a release's pack exported from the Reports page verifies with
// the CLI; the auditor view checks it, lists its signers, reads its tables and hands its report
// to the system's PDF viewer; and on a machine with no workspace at all, an auditor opens a
// tampered pack through the file dialog and is told which file changed, then drops the genuine
// one on the window; and an edit a teammate made to a release cancelled meanwhile is said, in
// French, as without effect and why, on the Audit page and in the release's pack.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  answerFileDialog,
  cli,
  dataDir,
  find,
  inFrench,
  screenshot,
  stopDriver,
  teammates,
  until,
  withApp,
} from "./harness.mjs";

after(stopDriver);

// The system's "open with the default application" (xdg-open) replaced by one that writes down
// what it was asked to open: the app must hand over the report, and nothing opens a window.
const opener = dataDir();
const opened = join(opener, "opened.txt");
before(() => {
  const bin = join(opener, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(join(bin, "xdg-open"), 0o755);
  process.env.PATH = `${bin}:${process.env.PATH}`;
});

/** `relm verify` on a pack: exit code and verdict (no data dir needed). */
function verify(pack) {
  try {
    return { code: 0, v: cli(dataDir(), "verify", pack) };
  } catch (e) {
    return { code: e.status, v: JSON.parse(e.stdout.toString()) };
  }
}

/** Unzip `pack`, let `change(dir)` alter it, zip it again as `out`. */
function tamper(pack, out, change) {
  const dir = dataDir();
  execFileSync("unzip", ["-q", pack, "-d", dir]);
  change(dir);
  execFileSync("python3", [
    "-c",
    "import shutil, sys; shutil.make_archive(sys.argv[1][:-4], 'zip', sys.argv[2])",
    out,
    dir,
  ]);
}

let packPath;

test("a release's evidence pack is exported from the app, verifies, and reads in the auditor view", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  const release = cli(dir, "release", "list", "--status", "reviewed", "--limit", "1").releases[0];
  packPath = join(dir, "evidence.zip");
  await withApp("pack-export", dir, async (b) => {
    await b.execute((id) => (location.hash = `#/reports?release=${id}`), release.id);
    await find(b, "[data-testid=dossier-form]");
    await until(
      b,
      async () => (await (await find(b, "[data-testid=report-release]")).getValue()) === release.id,
      "the release from the link is chosen",
    );
    await (await find(b, "[data-testid=report-kind]")).selectByAttribute("value", "pack");
    await (await find(b, "[data-testid=export-dossier]")).click();
    await answerFileDialog(packPath);
    const card = await find(b, "[data-testid=pack-written]", 60000);
    await until(b, async () => existsSync(packPath), "written");
    const manifest = await (await find(b, "[data-testid=pack-manifest]")).getText();
    assert.match(manifest, /^sha256:[0-9a-f]{64}$/);
    assert.match(await card.getText(), /13 files/);
    await screenshot(b, "reports-pack");

    // The CLI verifies it with nothing but the pack.
    const { code, v } = verify(packPath);
    assert.equal(code, 0, JSON.stringify(v.problems));
    assert.equal(v.status, "verified");
    // The export is on record.
    const log = cli(dir, "audit", "log");
    assert.ok(log.some((e) => e.kind === "report.exported" && e.payload.subject === release.id));

    // The auditor view: verdict, signers, a table read, the report handed to the PDF viewer.
    await (await find(b, "[data-testid=pack-check]")).click();
    const verdict = await find(b, "[data-testid=verify-verdict][data-status=verified]", 60000);
    assert.match(await verdict.getText(), /Verified/);
    const signers = await (await find(b, "[data-testid=verify-signers]")).getText();
    assert.match(signers, /Approver/);
    await (await find(b, "tr[data-file='tables/approvals.csv'] button")).click();
    const reading = await find(b, "[data-testid=verify-reading]");
    const shown = await reading.getText();
    assert.match(shown, /release_digest/i);
    assert.doesNotMatch(shown, /\\u\{d\}/i, "line ends shown as text");
    assert.match(shown, /Omar Haddad|Noah Fischer|Alex Morgan/);
    await screenshot(b, "verify-pack");
    await (await find(b, "[data-testid=verify-open-report]")).click();
    await find(b, "[data-testid=verify-opened]");
    await until(b, async () => existsSync(opened), "the viewer was asked to open the report");
    const asked = readFileSync(opened, "utf8").trim().split("\n").pop();
    assert.match(asked, /report-[0-9a-f]{16}\.pdf$/);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", asked, "-"]).toString();
    assert.ok(text.split(/\s+/).join(" ").includes(v.manifest.evidence.digest));
  });
});

test("with no workspace, an auditor opens a tampered pack and sees which file changed", async () => {
  assert.ok(packPath, "the first scenario made a pack");
  const bad = join(dataDir(), "tampered.zip");
  tamper(packPath, bad, (d) => {
    const file = join(d, "tables", "approvals.csv");
    writeFileSync(file, readFileSync(file, "utf8").replace("approve", "reject"));
  });
  const { code } = verify(bad);
  assert.equal(code, 1);
  const empty = dataDir();
  writeFileSync(join(empty, "ui.json"), JSON.stringify({ locale: "fr", theme: "light" }));
  await withApp("pack-auditor", empty, async (b) => {
    await (await find(b, "[data-testid=welcome-verify]")).click();
    await (await find(b, "[data-testid=verify-open]")).click();
    await answerFileDialog(bad);
    const verdict = await find(b, "[data-testid=verify-verdict][data-status=not_verified]", 60000);
    assert.match(await verdict.getText(), /Non vérifié/);
    const problem = await find(
      b,
      "[data-testid=verify-problems] li[data-subject='tables/approvals.csv'][data-code=changed]",
    );
    assert.match(await problem.getText(), /Modifié depuis la signature/);
    const row = await (await find(b, "tr[data-file='tables/approvals.csv']")).getText();
    assert.match(row, /modifié/);
    await screenshot(b, "verify-tampered-fr");

    // A pack dropped on the window is checked too (the drop as the webview reports it: the
    // same event Tauri sends when a file is dropped from the file manager).
    await b.execute(
      (p) =>
        window.__TAURI_INTERNALS__.invoke("plugin:event|emit", {
          event: "tauri://drag-drop",
          payload: { paths: [p], position: { x: 100, y: 100 } },
        }),
      packPath,
    );
    await find(b, "[data-testid=verify-verdict][data-status=verified]", 60000);
    assert.match(await (await find(b, "[data-testid=verify-drop]")).getText(), /evidence\.zip/);
  });
});

test("an edit made on a release cancelled meanwhile is said as without effect, and why, in French", async () => {
  const { ann, bob } = teammates();
  const what = ["--service", "billing", "--version", "2.0.0", "--env", "prod"];
  const { id } = cli(ann, "release", "create", ...what, "--title", "Billing 2");
  cli(ann, "sync");
  cli(bob, "sync");
  // Ann cancels the release; Bob, who has not synced since, edits it afterwards. In ledger
  // order the edit comes after the cancel, so it is kept without effect.
  cli(ann, "release", "status", id, "cancelled");
  cli(bob, "release", "update", id, "--title", "Billing 2, edited on Bob's laptop");
  cli(bob, "sync");
  cli(ann, "sync");
  const held = cli(ann, "sync", "status").not_applied;
  assert.deepEqual(
    held.map((n) => [n.kind, n.code]),
    [["release.updated", "not_editable"]],
  );
  const pack = join(dataDir(), "billing.zip");
  cli(ann, "pack", "release", id, "--out", pack);
  const { code, v } = verify(pack);
  assert.equal(code, 0, JSON.stringify(v.problems));
  assert.deepEqual(
    v.not_applied.map((f) => f.code),
    ["not_editable"],
  );

  await withApp("without-effect-fr", ann, async (b) => {
    await inFrench(b);
    await b.execute(() => (location.hash = "#/audit"));
    const item = await find(b, `[data-testid=not-applied] li[data-event='${held[0].event}']`);
    const said = await item.getText();
    assert.match(said, /^Mise en production modifiée/);
    assert.match(said, /n’était plus en brouillon, planifiée ou approuvée\s: elle ne pouvait plus/);
    assert.match(said, /Détail technique\s: the release was `cancelled`/);
    await screenshot(b, "audit-without-effect-fr");

    await b.execute((p) => (location.hash = `#/verify?pack=${encodeURIComponent(p)}`), pack);
    await find(b, "[data-testid=verify-verdict][data-status=verified]", 60000);
    const item2 = await find(b, "[data-testid=verify-not-applied] li[data-code=not_editable]");
    await item2.scrollIntoView({ block: "center" });
    const finding = await item2.getText();
    assert.match(finding, /^Mise en production modifiée par Bob/);
    assert.match(finding, /elle ne pouvait plus être modifiée/);
    assert.match(finding, /Détail technique\s: the release was `cancelled`/);
    assert.doesNotMatch(finding, /release\.updated/);
    await screenshot(b, "verify-without-effect-fr");
  });
});
