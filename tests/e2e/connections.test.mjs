// Connections in the real app: a GitLab project (a server on 127.0.0.1 answering as GitLab's
// REST API documents) added from the Connections page with its token, errors said beside the
// fields, the connection tested and synced, its deployment recorded in the workspace (the CLI
// lists it with its platform reference), and the token found nowhere in the data dir or the
// app's logs.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  LOGS,
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

const TOKEN = "glpat-e2e-Hq4Lm8Rt2Wx6";
let server;
let base;
let release;
const requests = [];

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
  if (req.url.startsWith("/api/v4/projects/acme%2Fpayments/deployments?")) {
    const end = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const start = new Date(Date.now() - 3900_000).toISOString().replace(/\.\d+Z$/, "Z");
    return send(200, [
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

/** Every file under `dir`. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : e.isFile() ? [p] : [];
  });
}

test("a GitLab project is connected, tested and synced from the Connections page", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  // A release of the demo that is not deployed yet, taken from the data (the demo is relative
  // to today).
  release = cli(dir, "release", "list", "--status", "approved", "--limit", "1").releases[0];
  assert.ok(release, "the demo has an approved release");
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
    await screenshot(b, "connections");
  });
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
  // The token is nowhere in the data dir or in the app's logs.
  for (const f of [...files(dir), ...files(join(LOGS, "connections"))]) {
    if (statSync(f).size > 200_000_000) continue;
    assert.ok(!readFileSync(f).includes(TOKEN), `the token is in ${f}`);
  }
});
