// Contract test of the GitHub connector against GitHub's own descriptions, so that a request
// with a missing or misnamed field fails here:
// - every REST request goes to Prism (npm @stoplight/prism-cli) serving GitHub's OpenAPI
//   description (npm @octokit/openapi, MIT), which checks each request against it (path,
//   query, headers, body; 422 when it does not hold) and answers from the description's own
//   examples;
// - every GraphQL query is validated against GitHub's published GraphQL schema (npm
//   @octokit/graphql-schema, MIT) and answered by executing it on that schema, so the answer
//   has exactly the shape the schema gives.
// A small front server on 127.0.0.1 routes the two, and rewrites the origin of the `Link`
// headers in the description's examples (`https://api.github.com/…`) to its own, as GitHub's
// links point to the origin a client used. The `relm` binary adds a connection to it, tests it,
// and syncs: a deployment read, and a decision made in Relm delivered as the review of the
// description's example workflow run waiting on its example environment.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildSchema, execute, parse, validate } from "graphql";
import { CLI, cli, dataDir } from "./harness.mjs";

const MODULES = join(dirname(fileURLToPath(import.meta.url)), "node_modules");
const SPEC = join(MODULES, "@octokit/openapi/generated/api.github.com.json");
const SCHEMA = buildSchema(
  readFileSync(join(MODULES, "@octokit/graphql-schema/schema.graphql"), "utf8"),
  // The published schema defines two fields of `EnterpriseOwnerInfo` twice; nothing read here.
  { assumeValidSDL: true },
);
const PRISM = join(MODULES, "@stoplight/prism-cli/dist/index.js");
const TOKEN = "ghp_contractTest0123456789abcdefABCDEF";

let prism;
let prismPort;
let front;
let base;
const exchanges = [];
const queries = [];

/** `relm --json …` without blocking this process, which serves the platform meanwhile. */
async function relm(dir, ...args) {
  const { stdout } = await promisify(execFile)(CLI, ["--data-dir", dir, "--json", ...args], {
    env: { ...process.env, RELM_KEYRING: "kernel", RELM_LOG_DIR: join(dir, "logs") },
  });
  return JSON.parse(stdout);
}

/** A free port on 127.0.0.1. */
async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** The body of a request. */
function bodyOf(req) {
  return new Promise((resolve) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => resolve(b));
  });
}

/** GitHub's GraphQL API: the query checked against the schema, then executed on it. */
function graphql(text, variables, now) {
  let doc;
  try {
    doc = parse(text);
  } catch (e) {
    return { errors: [{ message: e.message }] };
  }
  const errors = validate(SCHEMA, doc);
  if (errors.length) return { errors: errors.map((e) => ({ message: e.message })) };
  const ended = new Date(now - 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
  const started = new Date(now - 3900_000).toISOString().replace(/\.\d+Z$/, "Z");
  const root = {
    repository: ({ owner, name }) => ({
      owner: { login: owner },
      name,
      deployments: () => ({
        totalCount: 1,
        pageInfo: { hasNextPage: false, endCursor: "Y3Vyc29yOnYyOpHOAAAAAQ==" },
        edges: [
          {
            cursor: "Y3Vyc29yOnYyOpHOAAAAAQ==",
            node: {
              databaseId: 4711,
              environment: "staging",
              ref: { name: "master" },
              commitOid: "acb5820ced9479c074f688cc328bf03f341a511d",
              createdAt: started,
              updatedAt: ended,
              latestStatus: {
                state: "SUCCESS",
                createdAt: ended,
                logUrl: "https://github.com/octocat/hello-world/actions/runs/30433642",
              },
            },
          },
        ],
      }),
    }),
  };
  return execute({ schema: SCHEMA, document: doc, rootValue: root, variableValues: variables });
}

/** The front server: GraphQL here, REST to Prism, every exchange kept. */
async function route(req, res) {
  const body = await bodyOf(req);
  if (req.url === "/graphql" && req.method === "POST") {
    const { query, variables } = JSON.parse(body);
    const answer = await graphql(query, variables, Date.now());
    queries.push({ query, errors: answer.errors ?? [] });
    res.writeHead(200, { "Content-Type": "application/json" });
    return res.end(JSON.stringify(answer));
  }
  const headers = { ...req.headers, host: `127.0.0.1:${prismPort}` };
  const upstream = request(
    { host: "127.0.0.1", port: prismPort, method: req.method, path: req.url, headers },
    (up) => {
      let answer = "";
      up.on("data", (c) => (answer += c));
      up.on("end", () => {
        const violations = JSON.parse(up.headers["sl-violations"] ?? "[]").filter(
          (v) => v.location?.[0] === "request",
        );
        exchanges.push({
          method: req.method,
          path: req.url,
          status: up.statusCode,
          body,
          violations,
          answer: up.statusCode >= 400 ? answer : "",
        });
        const out = { ...up.headers };
        if (out.link) out.link = out.link.replaceAll("https://api.github.com", base);
        delete out["content-length"];
        res.writeHead(up.statusCode, out);
        res.end(answer);
      });
    },
  );
  upstream.end(body);
}

before(async () => {
  prismPort = await freePort();
  prism = spawn(
    process.execPath,
    [PRISM, "mock", "-h", "127.0.0.1", "-p", String(prismPort), SPEC],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let said = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${said}`)), 120_000);
    const read = (c) => {
      said = (said + c).slice(-4000);
      if (said.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    prism.stdout.on("data", read);
    prism.stderr.on("data", read);
    prism.on("exit", (code) => reject(new Error(`Prism exited (${code}):\n${said}`)));
  });
  front = createServer((req, res) => void route(req, res));
  await new Promise((r) => front.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${front.address().port}`;
});

after(() => {
  front?.close();
  prism?.kill();
});

test("the GitHub connector's requests hold against GitHub's OpenAPI description and GraphQL schema", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  // A release of the demo waiting for this member (picked from the data: the demo is
  // relative to today), with a component at the commit of the description's example run.
  const waiting = cli(dir, "pending")[0];
  assert.ok(waiting, "the demo has a release waiting for this member");
  const release = cli(dir, "release", "show", waiting.release_id);
  cli(dir, "release", "update", release.id, "--component", "hello-world|acb5820ced94");
  cli(dir, "approve", release.id, "--env", waiting.environment, "--comment", "canary is fine");

  process.env.RELM_CONNECTOR_TOKEN = TOKEN;
  try {
    cli(
      dir,
      "connector",
      "add",
      "github",
      "gh",
      "--repo",
      "octocat/hello-world",
      "--api-url",
      base,
      "--service",
      release.service,
      "--env-map",
      `staging=${waiting.environment}`,
    );
  } finally {
    delete process.env.RELM_CONNECTOR_TOKEN;
  }
  const probe = await relm(dir, "connector", "test", "gh");
  assert.equal(probe.ok, true, JSON.stringify(probe));
  assert.equal(probe.found, "octocat/Hello-World");

  const report = (await relm(dir, "connector", "sync", "gh")).connectors[0];
  assert.deepEqual(report.errors, [], JSON.stringify(report));
  assert.equal(report.pulled, 1, JSON.stringify(report));
  assert.equal(report.pushed, 1, JSON.stringify(report));

  // Every REST request held against the description (Prism answers 422, and says why in
  // `sl-violations`, when one does not).
  assert.ok(exchanges.length >= 5, JSON.stringify(exchanges));
  for (const e of exchanges) {
    assert.deepEqual(e.violations, [], `${e.method} ${e.path}`);
    assert.ok(e.status < 400, `${e.method} ${e.path}: ${e.status} ${e.answer}`);
  }
  const paths = exchanges.map((e) => `${e.method} ${e.path.split("?")[0]}`);
  for (const p of [
    "GET /repos/octocat/hello-world",
    "GET /repos/octocat/hello-world/actions/runs",
    "GET /repos/octocat/hello-world/deployments",
    "GET /repos/octocat/hello-world/actions/runs/30433642/pending_deployments",
    "GET /repos/octocat/hello-world/actions/runs/30433642/approvals",
    "POST /repos/octocat/hello-world/actions/runs/30433642/pending_deployments",
  ]) {
    assert.ok(paths.includes(p), `${p} in ${paths.join(", ")}`);
  }
  // The review: the description's example environment, the decision's marker.
  const review = JSON.parse(exchanges.find((e) => e.method === "POST").body);
  assert.deepEqual(review.environment_ids, [161088068]);
  assert.equal(review.state, "approved");
  assert.match(review.comment, /Relm decision .+canary is fine/);
  // Every GraphQL query was valid on GitHub's schema.
  assert.ok(queries.length >= 1);
  for (const q of queries) assert.deepEqual(q.errors, [], q.query);
  const outbox = cli(dir, "outbox", "list").outbox;
  assert.equal(outbox[0].state, "done", JSON.stringify(outbox));
  const found = cli(dir, "deploy", "list").deployments.map((d) => d.external_ref);
  assert.ok(found.includes("github:octocat/hello-world#4711"), JSON.stringify(found));
});
