// Connections in the real app: a GitLab project (a server on 127.0.0.1 answering as GitLab's
// REST API documents) added from the Connections page with its token, errors said beside the
// fields, the connection tested and synced, its deployment recorded in the workspace (the CLI
// lists it with its platform reference); a decision made in Relm delivered to a deployment
// waiting for approval on GitLab, failing first (shown failed in the outbox), then retried from
// the page and delivered once; and the token found nowhere in the data dir or the app's logs.

import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  LOGS,
  cli,
  createRelease,
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

after(stopDriver);

const TOKEN = "glpat-e2e-Hq4Lm8Rt2Wx6";
let server;
let base;
let release;
let waiting;
let failApproval = true;
const approvals = [];
const requests = [];
const periods = [
  { id: 1, freeze_start: "0 23 * * 5", freeze_end: "0 7 * * 1", cron_timezone: "UTC" },
];

/** A GitLab project `acme/payments` with one deployment of `release` that ended an hour ago. */
function gitlab(req, res) {
  requests.push({ path: req.url, auth: req.headers.authorization });
  const send = (status, body) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.headers.authorization !== `Bearer ${TOKEN}`)
    return send(401, { message: "401 Unauthorized" });
  if (req.url === "/api/v4/projects/acme%2Fpayments") {
    return send(200, { id: 7, path_with_namespace: "acme/payments" });
  }
  const blocked = () => ({
    id: 902,
    iid: 2,
    ref: `v${waiting.version}`,
    sha: "5e3b0d2f1c4a6b8d9e0f1a2b3c4d5e6f7a8b9c0d",
    status: approvals.length ? "running" : "blocked",
    created_at: "2026-11-01T10:00:00Z",
    updated_at: "2026-11-01T10:00:00Z",
    environment: { id: 2, name: waiting.environment },
    deployable: { started_at: "2026-11-01T10:00:00Z", finished_at: null },
    approvals,
  });
  if (req.url === "/api/v4/projects/acme%2Fpayments/deployments/902") return send(200, blocked());
  // Its environments (one more than Relm's), no release, the team's own freeze period; the
  // freeze periods Relm writes for the demo's hard freezes are kept.
  if (req.url === "/api/v4/projects/acme%2Fpayments/environments?per_page=100") {
    return send(200, [
      { id: 1, name: release.environments[0], state: "available", tier: "staging" },
      { id: 3, name: "production-eu", state: "available", tier: "production" },
    ]);
  }
  if (req.url === "/api/v4/projects/acme%2Fpayments/releases?per_page=20") return send(200, []);
  if (req.url.startsWith("/api/v4/projects/acme%2Fpayments/freeze_periods")) {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.method === "GET") return send(200, periods);
      if (req.method === "POST") {
        const p = { id: periods.length + 10, ...JSON.parse(body) };
        periods.push(p);
        return send(201, p);
      }
      send(405, { message: "405 Method Not Allowed" });
    });
    return;
  }
  if (req.url === "/api/v4/projects/acme%2Fpayments/deployments/902/approval") {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (failApproval) return send(500, { message: "500 Internal Server Error" });
      const { status, comment } = JSON.parse(body);
      const a = { user: { username: "alex" }, status, comment, created_at: "2026-11-01T10:05:00Z" };
      approvals.push(a);
      send(201, a);
    });
    return;
  }
  if (req.url.startsWith("/api/v4/projects/acme%2Fpayments/deployments?")) {
    const end = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const start = new Date(Date.now() - 3900_000).toISOString().replace(/\.\d+Z$/, "Z");
    return send(200, [
      blocked(),
      {
        id: 901,
        iid: 1,
        ref: `v${release.version}`,
        sha: "4f2a9c1e0b7d3a5c6e8f9a0b1c2d3e4f5a6b7c8d",
        status: "success",
        created_at: start,
        updated_at: end,
        environment: { id: 1, name: release.environments[0] },
        deployable: {
          started_at: start,
          finished_at: end,
          web_url: "https://gitlab.example.com/acme/payments/-/jobs/901",
        },
      },
    ]);
  }
  return send(404, { message: "404 Not Found" });
}

before(async () => {
  server = createServer(gitlab);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

/**
 * A release of the demo waiting for this member's approval with no deployment recorded yet, so
 * that the only deployment it shows is the one GitLab reports. Taken from the data: which
 * releases wait, and which of them the demo deployed somewhere already, depends on today's date.
 */
function waitingUndeployed(dir) {
  const found = cli(dir, "pending").find(
    (p) => cli(dir, "deploy", "list", "--release", p.release_id).deployments.length === 0,
  );
  assert.ok(found, "the demo has a release waiting for this member, not deployed yet");
  return found;
}

test("a GitLab project is connected, tested and synced from the Connections page", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  // A release of the demo waiting for this member's approval, taken from the data (the demo
  // is relative to today): it went to its first environment an hour ago, and its deployment
  // to the environment waiting for the approval is blocked on GitLab. Approved here.
  waiting = waitingUndeployed(dir);
  release = cli(dir, "release", "show", waiting.release_id);
  assert.notEqual(release.environments[0], waiting.environment);
  cli(
    dir,
    "approve",
    waiting.release_id,
    "--env",
    waiting.environment,
    "--comment",
    "looked at the canary",
  );
  await withApp("connections", dir, async (b) => {
    await b.execute(() => (location.hash = "#/connections"));
    await find(b, "[data-testid=no-connections]");
    // Nothing filled in: each error beside its field, nothing kept.
    await (await find(b, "[data-testid=add-connection] button[type=submit]")).click();
    await until(b, async () => (await errorOf(b, "token")) !== null, "the token's error");
    assert.match(await errorOf(b, "target"), /OWNER\/REPO|project/);
    assert.match(await errorOf(b, "name"), /.+/);
    // GitLab, with a mapping that is no mapping: said beside the environments.
    await (await find(b, "input[name=platform][value=gitlab]")).click();
    await set(b, "input[name=name]", "gl");
    await set(b, "input[name=target]", "acme/payments");
    await set(b, "input[name=api_url]", `${base}/api/v4`);
    await set(b, "input[name=service]", release.service);
    await set(b, "textarea[name=env_map]", "production");
    await set(b, "input[name=token]", TOKEN);
    await (await find(b, "[data-testid=add-connection] button[type=submit]")).click();
    await until(b, async () => (await errorOf(b, "env_map")) !== null, "the mapping's error");
    assert.match(await errorOf(b, "env_map"), /production/);
    assert.equal(
      await (await find(b, "input[name=token]")).getValue(),
      "",
      "the token is not kept in the form",
    );
    await set(b, "textarea[name=env_map]", "");
    await set(b, "input[name=token]", TOKEN);
    await (await find(b, "[data-testid=add-connection] button[type=submit]")).click();
    const card = await find(b, "[data-testid=connection][data-name=gl]");
    // Tested: the project is reached with the token.
    await (await card.$("button=Test")).click();
    const probe = await find(b, "[data-testid=probe]", 20000);
    await until(b, async () => (await probe.getText()).includes("acme/payments"), "reached");
    // Synced: the deployment is recorded.
    await (await card.$("button=Sync now")).click();
    await until(
      b,
      async () =>
        /1 deployment recorded/.test(await (await find(b, "[data-testid=last-sync]")).getText()),
      "the sync's count",
      30000,
    );
    // What GitLab shows: its environments with their tiers, its freeze periods. The one Relm
    // does not have is mapped to one it has, from the page; a name that is none is refused
    // beside the field.
    const SEEN = "[data-testid=connection][data-name=gl] [data-testid=platform-seen]";
    // Read in one step: the page may redraw between finding an element and reading it.
    const textOf = (s) => b.execute((q) => document.querySelector(q)?.textContent ?? "", s);
    await until(b, async () => (await textOf(SEEN)).includes("production-eu"), "environments");
    assert.match(await textOf(SEEN), /tier production/);
    assert.match(await textOf(SEEN), /0 23 \* \* 5 until 0 7 \* \* 1 \(UTC\)/);
    const row = `${SEEN} tr[data-env="production-eu"] input`;
    const save = () =>
      b.execute((q) => document.querySelector(q).click(), `${SEEN} button[type=submit]`);
    await set(b, row, "not an env!");
    await save();
    await until(b, async () => (await errorOf(b, "env_map")) !== null, "the mapping's error");
    await set(b, row, waiting.environment);
    await save();
    await until(
      b,
      async () =>
        (await textOf("[data-testid=connection][data-name=gl]")).includes(
          `production-eu → ${waiting.environment}`,
        ),
      "the mapping shown on the card",
    );
    assert.equal(await errorOf(b, "env_map"), null);
    // The approval could not be delivered (GitLab answered 500): said in the outbox, failed.
    const failed = await find(
      b,
      "[data-testid=outbox-entry][data-state=failed][data-kind='gitlab.approval']",
      20000,
    );
    assert.match(await failed.getText(), /GitLab approval/);
    assert.match(await failed.getText(), /500/);
    // The demo's hard freezes were written to GitLab as freeze periods, through the outbox.
    const freeze = await find(
      b,
      "[data-testid=outbox-entry][data-state=done][data-kind='gitlab.freeze.create']",
    );
    assert.match(await freeze.getText(), /GitLab freeze period, new/);
    await screenshot(b, "connections");
    await b.execute(() =>
      document.querySelector("[data-testid=platform-freezes]").scrollIntoView(),
    );
    await screenshot(b, "connections-platform");
    failApproval = false;
    await (await failed.$("button=Retry")).click();
    await find(
      b,
      "[data-testid=outbox-entry][data-state=done][data-kind='gitlab.approval']",
      20000,
    );
    // Removed at once (nothing governs a connection), the toast offering to undo it. Undone,
    // the card is back with its token (the CLI finds it in the keyring below) and its outbox.
    const gl = "[data-testid=connection][data-name=gl]";
    const said = await removeThenUndo(
      b,
      `${gl} [data-testid=remove-connector]`,
      async () => (await b.$$(gl)).length === 0,
      async () => (await b.$$(gl)).length === 1,
    );
    assert.match(
      said,
      /Connection “gl” removed, with its token\. The deployments it imported stay in the ledger\./,
    );
    await until(
      b,
      async () => /Connection “gl” put back, with its token\./.test(await toastText(b)),
      "the undo said",
    );
    assert.equal((await b.$$(`${gl} .banner.error`)).length, 0, "no missing token");
    await find(b, "[data-testid=outbox-entry][data-state=done][data-kind='gitlab.approval']");
  });
  assert.equal(approvals.length, 1, "delivered once");
  assert.ok(periods.length > 1, "Relm's freeze periods beside the team's");
  assert.deepEqual(periods[0].id, 1, "the team's own kept");
  assert.match(approvals[0].comment, /Relm decision .*looked at the canary/);
  assert.equal(approvals[0].status, "approved");
  const listed = cli(dir, "deploy", "list", "--release", release.id).deployments;
  assert.deepEqual(
    listed.map((d) => d.external_ref),
    ["gitlab:acme/payments#901"],
  );
  assert.equal(listed[0].tool, "gitlab");
  assert.ok(requests.some((r) => r.path.includes("/deployments?")));
  // The connection is listed by the CLI too, with its token in the keyring.
  const connectors = cli(dir, "connector", "list").connectors;
  assert.equal(connectors[0].name, "gl");
  assert.equal(connectors[0].has_token, true);
  assert.deepEqual(connectors[0].env_map, { "production-eu": waiting.environment });
  // The token is nowhere in the data dir or in the app's logs.
  for (const f of [...files(dir), ...files(join(LOGS, "connections"))]) {
    if (statSync(f).size > 200_000_000) continue;
    assert.ok(!readFileSync(f).includes(TOKEN), `the token is in ${f}`);
  }
});

test("the app's background sync pulls the connections on its own", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  waiting = waitingUndeployed(dir);
  release = cli(dir, "release", "show", waiting.release_id);
  // Added with the CLI, the token from the environment once.
  process.env.RELM_CONNECTOR_TOKEN = TOKEN;
  try {
    cli(
      dir,
      "connector",
      "add",
      "gitlab",
      "gl",
      "--project",
      "acme/payments",
      "--api-url",
      `${base}/api/v4`,
      "--service",
      release.service,
    );
  } finally {
    delete process.env.RELM_CONNECTOR_TOKEN;
  }
  // The app syncs every 2 seconds; nobody clicks anything.
  await withApp(
    "connections-background",
    dir,
    async (b) => {
      await b.execute(() => (location.hash = "#/connections"));
      await find(b, "[data-testid=connection][data-name=gl]");
      await until(
        b,
        async () =>
          /1 deployment recorded/.test(await (await find(b, "[data-testid=last-sync]")).getText()),
        "the background sync's count on the page",
        30000,
      );
    },
    ["--sync-every", "2"],
  );
  const listed = cli(dir, "deploy", "list", "--release", release.id).deployments;
  assert.deepEqual(
    listed.map((d) => d.external_ref),
    ["gitlab:acme/payments#901"],
  );
});

test("the Connections page says in French what a sync left out and why the platform refused", async () => {
  // A GitLab project whose deployments Relm cannot all take, and whose token is later revoked.
  let revoked = false;
  const updated = "2026-11-01T10:00:00Z";
  const deployment = (id, status, environment, ref = "v1.0.0") => ({
    id,
    iid: id,
    ref,
    sha: "4f2a9c1e0b7d3a5c6e8f9a0b1c2d3e4f5a6b7c8d",
    status,
    created_at: updated,
    updated_at: updated,
    environment: { id, name: environment },
    deployable: { started_at: updated, finished_at: updated },
  });
  const shop = createServer((req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (revoked || req.headers.authorization !== `Bearer ${TOKEN}`)
      return send(401, { message: "401 Unauthorized" });
    if (req.url === "/api/v4/projects/acme%2Fshop")
      return send(200, { id: 8, path_with_namespace: "acme/shop" });
    if (req.url.startsWith("/api/v4/projects/acme%2Fshop/deployments?"))
      return send(200, [
        deployment(1, "canceled", "prod"),
        deployment(2, "exploded", "prod"),
        deployment(3, "success", "bad env!"),
        deployment(4, "success", "staging"),
      ]);
    // Its environments answer is cut short: not the JSON GitLab gives.
    if (req.url.startsWith("/api/v4/projects/acme%2Fshop/environments")) {
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end('[{"id": 1, "name": "prod"');
    }
    if (req.url.startsWith("/api/v4/projects/acme%2Fshop/")) return send(200, []);
    send(404, { message: "404 Not Found" });
  });
  await new Promise((r) => shop.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${shop.address().port}/api/v4`;
  try {
    const dir = dataDir();
    cli(dir, "init", "--workspace", "Shop", "--name", "Ada", "--email", "ada@example.com");
    createRelease(dir, "shop", "1.0.0", "prod");
    process.env.RELM_CONNECTOR_TOKEN = TOKEN;
    try {
      cli(dir, "connector", "add", "gitlab", "gl", "--project", "acme/shop", "--api-url", url);
    } finally {
      delete process.env.RELM_CONNECTOR_TOKEN;
    }
    await withApp("connections-fr", dir, async (b) => {
      await inFrench(b);
      await b.execute(() => (location.hash = "#/connections"));
      const card = await find(b, "[data-testid=connection][data-name=gl]");
      await (await card.$("button=Synchroniser")).click();
      const CARD = "[data-testid=connection][data-name=gl]";
      const text = () => b.execute((q) => document.querySelector(q)?.textContent ?? "", CARD);
      await until(b, async () => /Écartés \(4\)/.test(await text()), "four left out", 30000);
      const left = (await text()).replace(/\s+/g, " ");
      for (const line of [
        "Déploiement 1 (v1.0.0 vers prod)\u00a0: annulé sur la plateforme\u00a0: rien n’a été exécuté",
        "Déploiement 2\u00a0: le statut «\u00a0exploded\u00a0» n’est pas documenté par GitLab",
        "Déploiement 3 (v1.0.0 vers bad env!)\u00a0: «\u00a0bad env!\u00a0» n’est pas le nom d’un environnement Relm",
        "Déploiement 4 (v1.0.0 vers staging)\u00a0: la mise en production shop 1.0.0 ne vise pas staging",
      ]) {
        assert.ok(left.includes(line.replace(/\s+/g, " ")), `${line}\n in ${left}`);
      }
      // What GitLab showed could not all be read: said in French, GitLab's trouble as detail.
      const unread = await b.execute(
        (q) => document.querySelector(`${q} [data-testid=platform-unread]`)?.textContent ?? "",
        CARD,
      );
      // (Spaces, no-break ones included, made plain.)
      assert.match(
        unread.replace(/\s+/g, " "),
        /Non lu lors de la dernière synchronisation : les environnements Détail technique : .*environments.* answered something that is not the JSON expected/,
      );
      await b.execute((q) => {
        const d = document.querySelector(`${q} details`);
        d.open = true;
        d.scrollIntoView();
      }, CARD);
      await screenshot(b, "connections-left-out-fr");
      // The token is revoked on GitLab: the test and the sync say so, in French, with the way
      // out the app has (no command line).
      revoked = true;
      await (await card.$("button=Tester")).click();
      await until(
        b,
        async () =>
          /a refusé le jeton de la connexion \(401\)/.test(
            await b.execute(
              (q) => document.querySelector(`${q} [data-testid=probe]`)?.textContent ?? "",
              CARD,
            ),
          ),
        "the probe's refusal in French",
        20000,
      );
      await (await card.$("button=Synchroniser")).click();
      await until(
        b,
        async () =>
          /Supprimez la connexion et ajoutez-la de nouveau avec un nouveau jeton/.test(
            await b.execute(
              (q) =>
                [...document.querySelectorAll(`${q} .banner.error`)]
                  .map((e) => e.textContent)
                  .join(" | "),
              CARD,
            ),
          ),
        "the sync's refusal in French",
        30000,
      );
      assert.doesNotMatch(await text(), /relm connector|--token-stdin/);
      await b.execute((q) => document.querySelector(q).scrollIntoView(), CARD);
      await screenshot(b, "connections-refused-fr");
    });
  } finally {
    shop.close();
  }
});
