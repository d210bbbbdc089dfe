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
// Argo CD the same way, from the Swagger description Argo CD publishes
// (fixtures/argocd-swagger.json): the application and its project read, and the calendar's
// freeze and window written as the project's sync windows, every field of the written project
// checked to be one the description names (a misnamed field fails even where the description
// lets unknown fields through).

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildSchema, execute, parse, validate } from "graphql";
import { CLI, addFreeze, cli, dataDir } from "./harness.mjs";

const MODULES = join(dirname(fileURLToPath(import.meta.url)), "node_modules");
const SPEC = join(MODULES, "@octokit/openapi/generated/api.github.com.json");
const SCHEMA = buildSchema(
  readFileSync(join(MODULES, "@octokit/graphql-schema/schema.graphql"), "utf8"),
  // The published schema defines two fields of `EnterpriseOwnerInfo` twice; nothing read here.
  { assumeValidSDL: true },
);
const PRISM = join(MODULES, "@stoplight/prism-cli/dist/index.js");
// Argo CD's description, `assets/swagger.json` of argoproj/argo-cd (Apache-2.0; fixtures/README.md).
const ARGO_SPEC = join(dirname(fileURLToPath(import.meta.url)), "fixtures/argocd-swagger.json");
const ARGO = JSON.parse(readFileSync(ARGO_SPEC, "utf8"));

/** Argo CD's description with the paths that differ only by their parameters' names
 * (`/api/v1/projects/{name}` for GET, `/api/v1/projects/{project.metadata.name}` for PUT)
 * merged into one, the one without dotted names: Prism resolves a URL to the first template
 * that matches (and matches no dotted name), where Argo CD routes by method. Written to a
 * temporary file; operations unchanged but for their path parameters' names. */
function mergedArgoSpec() {
  const spec = structuredClone(ARGO);
  const params = (t) => [...t.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const groups = new Map();
  for (const template of Object.keys(spec.paths)) {
    const shape = template.replace(/\{[^}]+\}/g, "{}");
    groups.set(shape, [...(groups.get(shape) ?? []), template]);
  }
  for (const templates of groups.values()) {
    if (templates.length < 2) continue;
    const kept = templates.find((t) => !params(t).some((n) => n.includes("."))) ?? templates[0];
    for (const other of templates.filter((t) => t !== kept)) {
      for (const [method, op] of Object.entries(spec.paths[other])) {
        if (spec.paths[kept][method]) continue;
        for (const p of op.parameters ?? []) {
          const i = params(other).indexOf(p.name);
          if (p.in === "path" && i >= 0) p.name = params(kept)[i];
        }
        spec.paths[kept][method] = op;
      }
      delete spec.paths[other];
    }
  }
  const file = join(mkdtempSync(join(tmpdir(), "relm-argo-spec-")), "swagger.json");
  writeFileSync(file, JSON.stringify(spec));
  return file;
}
const TOKEN = "ghp_contractTest0123456789abcdefABCDEF";

let prism;
let prismPort;
let front;
let base;
const exchanges = [];
const queries = [];

/** `relm --json …` without blocking this process, which serves the platform meanwhile. */
async function relm(dir, ...args) {
  try {
    const { stdout } = await promisify(execFile)(CLI, ["--data-dir", dir, "--json", ...args], {
      env: { ...process.env, RELM_KEYRING: "kernel", RELM_LOG_DIR: join(dir, "logs") },
    });
    return JSON.parse(stdout);
  } catch (e) {
    throw new Error(`relm ${args.join(" ")} failed (${e.code}): ${e.stdout}${e.stderr}`);
  }
}

/** Every exchange in `log` held against the description (no violation, no refusal), and
 * each of `expected` (`METHOD /path`, query aside) among them. */
function held(log, expected) {
  for (const e of log) {
    assert.deepEqual(e.violations, [], `${e.method} ${e.path}`);
    assert.ok(e.status < 400, `${e.method} ${e.path}: ${e.status} ${e.answer}`);
  }
  const paths = log.map((e) => `${e.method} ${e.path.split("?")[0]}`);
  for (const p of expected) assert.ok(paths.includes(p), `${p} in ${paths.join(", ")}`);
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
  forward(req, res, body, prismPort, base, exchanges);
}

/** Send the request to Prism on `port`, keep the exchange in `log`, answer with Prism's answer
 * (its `Link` header's origin made `origin`). */
function forward(req, res, body, port, origin, log, clean = false) {
  const headers = { ...req.headers, host: `127.0.0.1:${port}` };
  const upstream = request(
    { host: "127.0.0.1", port, method: req.method, path: req.url, headers },
    (up) => {
      let answer = "";
      up.on("data", (c) => (answer += c));
      up.on("end", () => {
        // Prism's findings about the request (about its own generated answer: not ours).
        const violations = JSON.parse(up.headers["sl-violations"] ?? "[]").filter(
          (v) => v.location?.[0] !== "response",
        );
        log.push({
          method: req.method,
          path: req.url,
          status: up.statusCode,
          body,
          violations,
          answer: up.statusCode >= 400 ? answer : "",
        });
        const out = { ...up.headers };
        if (out.link) out.link = out.link.replaceAll("https://api.github.com", origin);
        delete out["content-length"];
        res.writeHead(up.statusCode, out);
        res.end(clean ? cleaned(answer, up.headers["sl-violations"]) : answer);
      });
    },
  );
  upstream.end(body);
}

/** Prism serving `spec` on a free port of 127.0.0.1, once it listens: [process, port]. */
async function startPrism(spec) {
  const port = await freePort();
  const p = spawn(process.execPath, [PRISM, "mock", "-h", "127.0.0.1", "-p", String(port), spec], {
    stdio: ["ignore", "pipe", "pipe"],
  });
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
    p.stdout.on("data", read);
    p.stderr.on("data", read);
    p.on("exit", (code) => reject(new Error(`Prism exited (${code}):\n${said}`)));
  });
  return [p, port];
}

/** A server on 127.0.0.1 answering with `handler`: [server, its base URL]. */
async function listen(handler) {
  const s = createServer((req, res) => void handler(req, res));
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  return [s, `http://127.0.0.1:${s.address().port}`];
}

let argo;
let argoPort;
let argoFront;
let argoBase;
const argoExchanges = [];

before(async () => {
  [prism, prismPort] = await startPrism(SPEC);
  [front, base] = await listen(route);
  [argo, argoPort] = await startPrism(mergedArgoSpec());
  [argoFront, argoBase] = await listen(routeArgo);
});

after(() => {
  for (const s of [front, argoFront]) s?.close();
  for (const p of [prism, argo]) p?.kill();
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
  held(exchanges, [
    "GET /repos/octocat/hello-world",
    "GET /repos/octocat/hello-world/actions/runs",
    "GET /repos/octocat/hello-world/deployments",
    "GET /repos/octocat/hello-world/environments",
    "GET /repos/octocat/hello-world/releases",
    "GET /repos/octocat/hello-world/actions/runs/30433642/pending_deployments",
    "GET /repos/octocat/hello-world/actions/runs/30433642/approvals",
    "POST /repos/octocat/hello-world/actions/runs/30433642/pending_deployments",
  ]);
  // The review: the description's example environment, the decision's marker.
  const review = JSON.parse(exchanges.find((e) => e.method === "POST").body);
  assert.deepEqual(review.environment_ids, [161088068]);
  assert.equal(review.state, "approved");
  assert.match(review.comment, /Relm decision .+canary is fine/);
  // Every GraphQL query was valid on GitHub's schema.
  assert.ok(queries.length >= 1);
  for (const q of queries) assert.deepEqual(q.errors, [], q.query);
  // The description's environments (with their protection rules) and releases, read.
  const { seen } = cli(dir, "connector", "list").connectors[0];
  assert.deepEqual(seen.unread, [], JSON.stringify(seen));
  assert.ok(seen.environments.length > 0, JSON.stringify(seen));
  assert.ok(
    seen.environments.some((e) => e.rules.length > 0),
    JSON.stringify(seen.environments),
  );
  assert.ok(seen.releases.length > 0 && seen.releases[0].tag, JSON.stringify(seen.releases));
  const outbox = cli(dir, "outbox", "list").outbox;
  assert.equal(outbox[0].state, "done", JSON.stringify(outbox));
  const found = cli(dir, "deploy", "list").deployments.map((d) => d.external_ref);
  assert.ok(found.includes("github:octocat/hello-world#4711"), JSON.stringify(found));
});

test("publishing release notes holds against GitHub's OpenAPI description", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Acme", "--name", "Ada Lovelace", "--email", "ada@acme.example");
  // The description's example release is the tag v1.0.0 with another text: updated in place.
  const id = cli(
    dir,
    "release",
    "create",
    "--service",
    "hello-world",
    "--version",
    "1.0.0",
    "--env",
    "prod",
    "--title",
    "First light",
  ).id;
  const file = join(dir, "notes.md");
  writeFileSync(file, "# hello-world 1.0.0\n\nThe first release.\n");
  cli(dir, "notes", "save", id, file);
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
    );
  } finally {
    delete process.env.RELM_CONNECTOR_TOKEN;
  }
  const from = exchanges.length;
  const done = await relm(dir, "notes", "publish", id);
  assert.deepEqual(done.errors, [], JSON.stringify(done));
  assert.equal(done.entries[0].state, "done", JSON.stringify(done));
  const mine = exchanges.slice(from);
  held(mine, [
    "GET /repos/octocat/hello-world/releases/tags/1.0.0",
    "PATCH /repos/octocat/hello-world/releases/1",
  ]);
  const patch = JSON.parse(mine.find((e) => e.method === "PATCH").body);
  assert.deepEqual(patch, {
    name: "1.0.0 — First light",
    body: "# hello-world 1.0.0\n\nThe first release.",
  });
});

/** The fields of `value` that `schema` (Swagger 2.0, `$ref`s into `definitions`) does not
 * name, as paths: a misnamed field is one of these, even where the description lets unknown
 * fields through. */
function unknownFields(schema, value, at = "") {
  while (schema?.$ref) schema = ARGO.definitions[schema.$ref.split("/").pop()];
  if (!schema || value === null || typeof value !== "object") return [];
  if (Array.isArray(value))
    return value.flatMap((v, i) => unknownFields(schema.items, v, `${at}[${i}]`));
  if (!schema.properties) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k in schema.properties ? unknownFields(schema.properties[k], v, `${at}.${k}`) : [`${at}.${k}`],
  );
}

/** `answer` without the values Prism generated that its own description refuses (a
 * `format: byte` field given "string"): a client writing the object back would be refused for
 * them, by Prism and not by Argo CD. */
function cleaned(answer, said) {
  const found = JSON.parse(said ?? "[]").filter(
    (v) => v.location?.[0] === "response" && ["format", "type", "enum", "pattern"].includes(v.code),
  );
  if (!found.length) return answer;
  const doc = JSON.parse(answer);
  for (const v of found) {
    const path = v.location.slice(2);
    const last = path.pop();
    const parent = path.reduce((o, k) => o?.[k], doc);
    if (parent && typeof parent === "object") delete parent[last];
  }
  return JSON.stringify(doc);
}

/** Argo CD: every request to Prism; a body's fields also checked against the description. */
async function routeArgo(req, res) {
  const body = await bodyOf(req);
  if (body && req.method === "PUT" && req.url.startsWith("/api/v1/projects/")) {
    const schema = ARGO.paths["/api/v1/projects/{project.metadata.name}"].put.parameters.find(
      (p) => p.in === "body",
    ).schema;
    const unknown = unknownFields(schema, JSON.parse(body));
    if (unknown.length) {
      argoExchanges.push({
        method: req.method,
        path: req.url,
        status: 422,
        body,
        violations: unknown,
      });
      res.writeHead(422, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ error: `unknown fields ${unknown.join(", ")}`, code: 3 }));
    }
  }
  forward(req, res, body, argoPort, argoBase, argoExchanges, true);
}

test("the Argo CD connector's requests hold against Argo CD's Swagger description", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Acme", "--name", "Ada Lovelace", "--email", "ada@acme.example");
  addFreeze(
    dir,
    "Weekend",
    "2026-01-02T18:00",
    "2026-01-05T06:00",
    "Europe/Paris",
    "--rrule",
    "FREQ=WEEKLY;BYDAY=FR",
  );
  cli(
    dir,
    "calendar",
    "add",
    "window",
    "--name",
    "Tuesday evening",
    "--start",
    "2026-01-06T20:00",
    "--end",
    "2026-01-06T22:30",
    "--tz",
    "Europe/Paris",
    "--rrule",
    "FREQ=WEEKLY;BYDAY=TU",
  );
  process.env.RELM_CONNECTOR_TOKEN = TOKEN;
  try {
    cli(
      dir,
      "connector",
      "add",
      "argocd",
      "argo",
      "--app",
      "payments-prod",
      "--project",
      "payments",
      "--api-url",
      argoBase,
      "--service",
      "payments",
    );
  } finally {
    delete process.env.RELM_CONNECTOR_TOKEN;
  }
  const probe = await relm(dir, "connector", "test", "argo");
  assert.equal(probe.ok, true, JSON.stringify(probe));
  const report = await relm(dir, "connector", "sync", "argo").then(
    (r) => r.connectors[0],
    (e) => assert.fail(`${e.message}\n${JSON.stringify(argoExchanges, null, 1)}`),
  );
  assert.deepEqual(report.errors, [], JSON.stringify(report));
  assert.equal(report.pushed, 1, JSON.stringify(report));
  held(argoExchanges, [
    "GET /api/v1/applications/payments-prod",
    "GET /api/v1/projects/payments",
    "PUT /api/v1/projects/payments",
  ]);
  const put = JSON.parse(argoExchanges.find((e) => e.method === "PUT").body);
  const mine = put.project.spec.syncWindows.filter((w) =>
    (w.description ?? "").startsWith("Relm: "),
  );
  assert.deepEqual(mine.map((w) => [w.kind, w.schedule, w.timeZone, w.applications]).sort(), [
    ["allow", "0 20 * * 2", "Europe/Paris", ["payments-prod"]],
    ["deny", "0 18 * * 5", "Europe/Paris", ["payments-prod"]],
  ]);
});
