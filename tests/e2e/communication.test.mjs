// Telling stakeholders, in the real app: the Communication page previews a period's digest
// (planned, freezes, blocked and why, shipped, failed with its review) exactly as it will be
// sent; a Slack webhook is added (a bad URL refused beside its field; the URL kept out of the
// data folder), the digest is posted to it through the outbox (a 500 first, then taken: one
// message), and saved as an e-mail through the system's file dialog. Then the same page in
// French.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  addFreeze,
  answerFileDialog,
  cli,
  dataDir,
  errorOf,
  files,
  find,
  inFrench,
  removeThenUndo,
  screenshot,
  set,
  stopDriver,
  toastText,
  until,
  withApp,
} from "./harness.mjs";

let server;
let base;
const posts = [];

before(async () => {
  // A Slack incoming webhook: the first post fails (500), the next are taken ("ok").
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      // A webhook deleted on Slack's side answers 404 with Slack's words for it.
      if (req.url.endsWith("/deleted")) {
        res.writeHead(404, { "Content-Type": "text/plain" });
        return res.end("no_service");
      }
      posts.push({ path: req.url, body });
      const status = posts.length === 1 ? 500 : 200;
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end(status === 200 ? "ok" : "internal_error");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());
after(stopDriver);

/** March 2026: payments 4.2.0 shipped to staging and failed in prod (review drafted), api
 * 2.0.0 planned for prod without an approval, and a freeze of prod. */
function march(dir) {
  cli(dir, "init", "--workspace", "Acme", "--name", "Ada", "--email", "ada@example.com");
  const failed = cli(
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
  for (const [env, outcome, start, end] of [
    ["staging", "succeeded", "2026-03-09T09:00:00Z", "2026-03-09T09:10:00Z"],
    ["prod", "failed", "2026-03-10T09:30:00Z", "2026-03-10T09:50:00Z"],
  ])
    cli(
      dir,
      "deploy",
      "record",
      failed,
      "--env",
      env,
      "--outcome",
      outcome,
      "--start",
      start,
      "--end",
      end,
    );
  cli(dir, "review", "draft", failed);
  cli(dir, "review", "update", failed, "--went-badly", "The migration locked the orders table");
  const planned = cli(
    dir,
    "release",
    "create",
    "--service",
    "api",
    "--version",
    "2.0.0",
    "--env",
    "prod",
    "--title",
    "New login page",
    "--start",
    "2026-03-20T10:00",
    "--end",
    "2026-03-20T11:00",
    "--tz",
    "Europe/Paris",
    "--rollback-plan",
    "redeploy 1.9.0",
  ).id;
  cli(dir, "release", "status", planned, "planned");
  addFreeze(
    dir,
    "Quarter close",
    "2026-03-25T18:00",
    "2026-03-27T08:00",
    "Europe/Paris",
    "--env",
    "prod",
  );
}

test("the digest is previewed, posted to Slack through the outbox and saved as an e-mail", async () => {
  const dir = dataDir();
  march(dir);
  const eml = join(dir, "digest-march.eml");
  await withApp("communication", dir, async (b) => {
    await b.execute(() => (location.hash = "#/communication"));
    await find(b, "[data-testid=digest-form]");
    await set(b, "input[name=from]", "2026-03-01");
    await set(b, "input[name=to]", "2026-03-31");
    const preview = () =>
      b.execute(() => document.querySelector("[data-testid=digest-preview]").innerText);
    // Each date typed asks a new preview: wait for the whole period's.
    await until(
      b,
      async () => /2026-03-01 to 2026-03-31[^]*Blocked, and why \(1\)/.test(await preview()),
      "the preview",
    );
    const shown = await preview();
    assert.match(shown, /Release digest, 2026-03-01 to 2026-03-31/);
    assert.match(shown, /api 2\.0\.0 — New login page · prod/);
    assert.match(shown, /Quarter close \(hard freeze\)/);
    assert.match(shown, /api 2\.0\.0 → prod .*approval/);
    assert.match(shown, /Shipped \(1\)/);
    assert.match(shown, /payments 4\.2\.0 → prod · .* · failed · review in progress/);
    assert.match(shown, /The migration locked the orders table/);

    // A webhook URL in plain http is refused beside its field; an https or local one is kept.
    const form = "[data-testid=add-webhook]";
    await set(b, `${form} input[name=name]`, "ops");
    await set(b, `${form} input[name=url]`, "http://hooks.example.com/services/x");
    await (await find(b, "[data-testid=add-webhook-submit]")).click();
    await until(b, async () => /https:\/\//.test((await errorOf(b, "url")) ?? ""), "URL refused");
    const url = `${base}/services/T0001/B0001/SECRETe2e`;
    await set(b, `${form} input[name=url]`, url);
    await (await find(b, "[data-testid=add-webhook-submit]")).click();
    await until(b, async () => (await b.$$("[data-testid=webhook]")).length === 1, "webhook kept");
    assert.match(
      await (await find(b, "[data-testid=webhook]")).getText(),
      /ops\s*Slack\s*127\.0\.0\.1/,
    );

    // Posted: the first try fails (500) and is retried; one message taken.
    await (await find(b, "[data-testid=digest-send]")).click();
    await until(
      b,
      async () =>
        (await b.execute(
          () => document.querySelector("[data-testid=digest-sent]")?.dataset.state,
        )) === "done",
      "posted",
      30000,
    );
    assert.match(
      await (await find(b, "[data-testid=digest-sent]")).getText(),
      /Posted to ops \(2 attempts\)/,
    );
    assert.equal(posts.length, 2);
    assert.equal(posts[0].body, posts[1].body);
    const msg = JSON.parse(posts[1].body);
    assert.equal(msg.text, "Release digest, 2026-03-01 to 2026-03-31");
    await until(
      b,
      async () =>
        (await b.execute(
          () => document.querySelector("[data-testid=webhook-entry]")?.dataset.state,
        )) === "done",
      "the outbox shows it delivered",
    );
    // Posting the same digest again sends nothing.
    await (await find(b, "[data-testid=digest-send]")).click();
    await until(
      b,
      async () => /already/.test(await (await find(b, "[data-testid=digest-sent]")).getText()),
      "posted before",
    );
    assert.equal(posts.length, 2);

    // Saved as an e-mail through the file dialog.
    await (await find(b, "[data-testid=digest-save]")).click();
    await answerFileDialog(eml);
    await find(b, "[data-testid=digest-written]");
    await screenshot(b, "communication");

    // Removed at once (nothing governs a webhook), the toast offering to undo it. Undone, the
    // webhook is back with its URL and its outbox: the message it took is counted again.
    const ops = "[data-testid=webhook][data-name=ops]";
    const said = await removeThenUndo(
      b,
      `${ops} [data-testid=remove-webhook]`,
      async () => (await b.$$(ops)).length === 0,
      async () => (await b.$$(ops)).length === 1,
    );
    assert.match(said, /Webhook “ops” removed, with its URL and its waiting messages\./);
    assert.match(await (await find(b, ops)).getText(), /1 posted · 0 waiting/);
    assert.doesNotMatch(await (await find(b, ops)).getText(), /keyring holds no URL/);

    // In French: the page, and the digest for French readers.
    await inFrench(b);
    await b.execute(() => (location.hash = "#/communication"));
    await set(b, "input[name=from]", "2026-03-01");
    await set(b, "input[name=to]", "2026-03-31");
    await until(
      b,
      async () => /du 2026-03-01 au 2026-03-31[^]*Bloqué, et pourquoi \(1\)/.test(await preview()),
      "in French",
    );
    const fr = await b.execute(() => document.querySelector("main").innerText);
    assert.match(fr, /Synthèse pour les parties prenantes/);
    assert.match(fr, /Synthèse des mises en production du 2026-03-01 au 2026-03-31/);
    assert.match(fr, /revue en cours/);
    assert.match(fr, /1 publié · 0 en attente/);
    // A webhook deleted on Slack: the refusal says so in French, and what to do in the app.
    await set(b, `${form} input[name=name]`, "old");
    await set(b, `${form} input[name=url]`, `${base}/services/T0001/B0002/deleted`);
    await (await find(b, "[data-testid=add-webhook-submit]")).click();
    await until(b, async () => (await b.$$("[data-testid=webhook]")).length === 2, "two webhooks");
    await (await find(b, "[data-testid=digest-target]")).selectByAttribute("value", "old");
    await (await find(b, "[data-testid=digest-send]")).click();
    const refused = () =>
      b.execute(() => document.querySelector("[data-testid=digest-sent]")?.textContent ?? "");
    await until(
      b,
      async () => /le webhook n’existe plus/.test(await refused()),
      "the refusal in French",
      30000,
    );
    assert.match(
      await refused(),
      /127\.0\.0\.1 a refusé le message \(HTTP 404\u00a0: «\u00a0no_service\u00a0»\)\u00a0: le webhook n’existe plus\. Supprimez-le et ajoutez-le de nouveau avec une nouvelle URL\./,
    );
    assert.doesNotMatch(await refused(), /relm outbox|outbox entry/);
    await screenshot(b, "communication-fr");
    // As the refusal says, it is removed: at once, the toast in French offering to undo it,
    // closed here, so the removal stands.
    const old = "[data-testid=webhook][data-name=old]";
    await (await find(b, `${old} [data-testid=remove-webhook]`)).click();
    await until(b, async () => (await b.$$(old)).length === 0, "removed at once");
    assert.match(
      await toastText(b),
      /^\s*Webhook «\u00a0old\u00a0» retiré, avec son URL et ses messages en attente\.\s*Annuler\s*×\s*$/,
    );
    await screenshot(b, "communication-undo-fr");
    await (await find(b, "[data-testid=toast-close]")).click();
    await until(b, async () => (await toastText(b)) === "", "the toast closed");
  });
  assert.deepEqual(
    cli(dir, "webhook", "list").webhooks.map((h) => h.name),
    ["ops"],
    "the removal stands once its toast is closed",
  );
  assert.ok(existsSync(eml));
  const mail = readFileSync(eml, "utf8");
  assert.match(mail, /^Subject: Release digest, 2026-03-01 to 2026-03-31\r?$/m);
  assert.match(mail, /^X-Unsent: 1\r?$/m);
  // The webhook URL is a secret: nowhere in the data folder.
  for (const f of files(dir))
    assert.ok(!readFileSync(f).includes("SECRETe2e"), `${f} holds the URL`);
});

test("a calendar subscription for production is added and kept current by the app, and says why it could not be", async () => {
  const dir = dataDir();
  march(dir);
  const shared = join(dir, "calendars");
  mkdirSync(shared);
  const file = join(shared, "production.ics");
  await withApp("communication-feeds", dir, async (b) => {
    await b.execute(() => (location.hash = "#/communication"));
    const panel = "[data-testid=add-feed]";
    await find(b, panel);
    // No name: said beside the field before any file is asked for.
    await (await find(b, "[data-testid=feed-audience]")).selectByAttribute("value", "env");
    await (await find(b, "[data-testid=add-feed-submit]")).click();
    const nameError = () =>
      b.execute(
        () => document.querySelector("[data-testid=add-feed] [data-error=name]")?.textContent,
      );
    await until(b, async () => /Fill this in/.test((await nameError()) ?? ""), "name required");
    assert.ok(!existsSync(file));
    // A name the workspace cannot take: refused by the backend beside the field.
    await set(b, `${panel} input[name=name]`, "prod line!");
    await (await find(b, "[data-testid=add-feed-submit]")).click();
    await answerFileDialog(file);
    await until(b, async () => ((await nameError()) ?? "").length > 0, "bad name refused");
    assert.ok(!existsSync(file));
    await set(b, `${panel} input[name=name]`, "production");
    await (await find(b, "[data-testid=feed-environment]")).selectByAttribute("value", "prod");
    await (await find(b, "[data-testid=add-feed-submit]")).click();
    await answerFileDialog(file);
    await until(b, async () => (await b.$$("[data-testid=feed]")).length === 1, "kept");
    assert.match(await (await find(b, "[data-testid=feed]")).getText(), /production\s*env:prod/);
    const first = readFileSync(file, "utf8");
    assert.match(first, /X-WR-CALNAME:Acme release calendar — production/);
    assert.match(first, /Quarter close/);
    assert.doesNotMatch(first, /Year-end/);
    // A freeze recorded elsewhere (the CLI, as a sync would bring it): the file follows.
    addFreeze(
      dir,
      "Year-end",
      "2026-12-24T00:00",
      "2026-12-27T00:00",
      "Europe/Paris",
      "--env",
      "prod",
    );
    await until(
      b,
      async () => /Year-end/.test(readFileSync(file, "utf8")),
      "the file rewritten after the change",
      30000,
    );
    // The folder goes away (a drive unmounted); the next change cannot be written, and the
    // subscription's row says why, in the reader's language.
    rmSync(shared, { recursive: true });
    addFreeze(
      dir,
      "Spring",
      "2027-04-01T00:00",
      "2027-04-02T00:00",
      "Europe/Paris",
      "--env",
      "prod",
    );
    const failed = () =>
      b.execute(
        () => document.querySelector("[data-testid=feed] [data-testid=feed-failed]")?.textContent,
      );
    await until(b, async () => ((await failed()) ?? "").length > 0, "the failure shown", 30000);
    assert.equal(
      await failed(),
      `the last refresh failed: ${file} could not be written (No such file or directory (os error 2)): choose a folder you can write to.`,
    );
    await screenshot(b, "communication-feeds");
    await inFrench(b);
    await b.execute(() => (location.hash = "#/communication"));
    await until(
      b,
      async () => /n’a pas pu être écrit/.test((await failed()) ?? ""),
      "the failure in French",
    );
    assert.match(
      await failed(),
      /\(No such file or directory \(os error 2\)\)\u00a0: choisissez un dossier où vous pouvez écrire\.$/,
    );
    // Stopped at once (nothing governs a subscription), the toast in French offering to undo
    // it; Ctrl+Z, from the keyboard, undoes it.
    const row = "[data-testid=feed][data-name=production]";
    const said = await removeThenUndo(
      b,
      `${row} [data-testid=remove-feed]`,
      async () => (await b.$$(row)).length === 0,
      async () => (await b.$$(row)).length === 1,
      { keys: true },
    );
    assert.match(said, /«\sproduction\s» n’est plus tenu à jour\s; son fichier reste où il est\./);
    assert.match(said, /Annuler/);
    await until(
      b,
      async () => /«\u00a0production\u00a0» est de nouveau tenu à jour\./.test(await toastText(b)),
      "the undo said in French",
    );
  });
  assert.deepEqual(
    cli(dir, "calendar", "feed", "list").feeds.map((f) => [f.name, f.path]),
    [["production", file]],
  );
});
