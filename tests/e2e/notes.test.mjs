// Release notes in the real app: drafted from the release on its page, edited with a live
// preview that shows raw HTML as text and runs nothing, saved signed, and published to the
// GitHub release of its tag through the connection's outbox (a server on 127.0.0.1 answering
// as GitHub's REST API documents); then the panel in French.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  CLI,
  cli,
  dataDir,
  find,
  inFrench,
  screenshot,
  set,
  stopDriver,
  until,
  withApp,
} from "./harness.mjs";

let server;
let base;
const writes = [];
const releases = new Map();

before(async () => {
  // GitHub's REST API for acme/payments: the tag v2.0.0 exists, no release yet.
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const send = (status, json) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const repo = "/repos/acme/payments";
      if (req.method === "GET" && req.url.startsWith(`${repo}/releases/tags/`)) {
        const r = releases.get(decodeURIComponent(req.url.slice(`${repo}/releases/tags/`.length)));
        return r ? send(200, r) : send(404, { message: "Not Found" });
      }
      if (req.method === "GET" && req.url.startsWith(`${repo}/git/ref/tags/`)) {
        const tag = decodeURIComponent(req.url.slice(`${repo}/git/ref/tags/`.length));
        return tag === "v2.0.0"
          ? send(200, { ref: `refs/tags/${tag}`, object: { sha: "4f2a9c1", type: "commit" } })
          : send(404, { message: "Not Found" });
      }
      if (req.method === "POST" && req.url === `${repo}/releases`) {
        const b = JSON.parse(body);
        writes.push(b);
        const r = {
          id: 7,
          tag_name: b.tag_name,
          name: b.name,
          body: b.body,
          html_url: `https://github.example/acme/payments/releases/tag/${b.tag_name}`,
        };
        releases.set(b.tag_name, r);
        return send(201, r);
      }
      send(404, { message: "Not Found" });
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());
after(stopDriver);

test("release notes are drafted, edited with a preview, saved and published to GitHub", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Acme", "--name", "Ada", "--email", "ada@example.com");
  const id = cli(
    dir,
    "release",
    "create",
    "--service",
    "payments",
    "--version",
    "2.0.0",
    "--env",
    "prod",
    "--title",
    "Instant refunds",
    "--change",
    "PAY-31|Refund in one click",
  ).id;
  execFileSync(
    CLI,
    [
      "--data-dir",
      dir,
      "connector",
      "add",
      "github",
      "gh",
      "--repo",
      "acme/payments",
      "--api-url",
      base,
      "--token-stdin",
    ],
    {
      input: "ghp_e2e\n",
      env: { ...process.env, RELM_KEYRING: "kernel", RELM_LOG_DIR: join(dir, "logs") },
    },
  );
  await withApp("notes", dir, async (b) => {
    await b.execute((r) => (location.hash = `#/releases/${r}`), id);
    await find(b, "[data-testid=notes]");
    await until(
      b,
      async () =>
        /No notes saved yet/.test(await (await find(b, "[data-testid=notes-state]")).getText()),
      "no notes yet",
    );
    await (await find(b, "[data-testid=notes-draft]")).click();
    const value = () => b.execute(() => document.querySelector("[data-testid=notes-text]").value);
    await until(b, async () => /Refund in one click/.test(await value()), "the draft");
    // Edited: raw HTML and a script link are shown as text in the preview, a web link is kept.
    const edited = `${await value()}\n## Upgrade\n\n<img src=x onerror="document.title='owned'"> [guide](https://docs.example/refunds) [bad](javascript:alert(1))\n`;
    await set(b, "[data-testid=notes-text]", edited);
    const preview = () =>
      b.execute(() => document.querySelector("[data-testid=notes-preview]").innerHTML);
    await until(b, async () => /Upgrade<\/h2>/.test(await preview()), "the preview follows");
    const html = await preview();
    assert.match(html, /&lt;img src=x onerror=/);
    assert.match(html, /<a href="https:\/\/docs\.example\/refunds">guide<\/a>/);
    assert.doesNotMatch(html, /javascript:/);
    assert.equal(
      await b.execute(() => document.querySelectorAll("[data-testid=notes-preview] img").length),
      0,
    );
    assert.notEqual(await b.execute(() => document.title), "owned");

    await (await find(b, "[data-testid=notes-save]")).click();
    await until(
      b,
      async () => /Saved by Ada/.test(await (await find(b, "[data-testid=notes-state]")).getText()),
      "saved",
    );
    assert.equal(cli(dir, "notes", "show", id).markdown, edited.trim());

    // Published to the GitHub release of the tag v2.0.0, created once.
    await (await find(b, "[data-testid=notes-publish]")).click();
    await until(
      b,
      async () =>
        (await b.execute(
          () => document.querySelector("[data-testid=notes-publication]")?.dataset.state,
        )) === "done",
      "published",
      30000,
    );
    assert.equal(writes.length, 1);
    assert.equal(writes[0].tag_name, "v2.0.0");
    assert.equal(writes[0].name, "2.0.0 — Instant refunds");
    assert.equal(writes[0].body, edited.trim());
    await b.execute(() => {
      getSelection()?.removeAllRanges();
      document.querySelector("[data-testid=notes]").scrollIntoView();
    });
    await screenshot(b, "release-notes");

    // In French.
    await inFrench(b);
    await b.execute((r) => (location.hash = `#/releases/${r}`), id);
    await until(
      b,
      async () =>
        /Enregistrées par Ada/.test(await (await find(b, "[data-testid=notes-state]")).getText()),
      "the panel in French",
    );
    const fr = await (await find(b, "[data-testid=notes]")).getText();
    assert.match(fr, /Notes de version/);
    assert.match(fr, /Publier sur GitHub/);
    assert.match(fr, /Transmise|transmise/);
  });
});
