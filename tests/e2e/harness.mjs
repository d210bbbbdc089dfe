// End-to-end harness: the real app binary under Xvfb, driven through tauri-driver and
// WebKitWebDriver. The run gets one X display and one private D-Bus session bus, as a desktop
// has; each scenario gets a fresh data dir (hence a fresh keyring namespace), a fresh driver,
// and its own log folder, target/e2e-logs/<scenario>/: the drivers' and the app's output
// (driver.log) and the app's own log (relm-app.*). A failing scenario prints both and saves a
// screenshot.

import { spawn, execFile, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Key, remote } from "webdriverio";

const ROOT = resolve(import.meta.dirname, "../..");
export const APP = process.env.RELM_APP ?? join(ROOT, "target/debug/relm-app");
export const CLI = join(ROOT, "target/debug/relm");
export const SHOTS = process.env.RELM_E2E_SHOTS ?? join(ROOT, "target/e2e-screenshots");
export const LOGS = process.env.RELM_E2E_LOGS ?? join(ROOT, "target/e2e-logs");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
/** How long a WebDriver session may take to start (the app is up in about 2 s). */
const SESSION_TIMEOUT_MS = 30000;

/** Whether something listens on a local port. */
function listening(port) {
  return new Promise((ok) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), ok(true)));
    s.once("error", () => (s.destroy(), ok(false)));
  });
}

/** Poll `f` every 100 ms until it is truthy, or fail with `message` after `ms`. */
export async function poll(f, message, ms = 20000) {
  const until = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > until) throw new Error(message);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The apps' config home (window state lives there): one per run, never the user's own. */
export const CONFIG_HOME = mkdtempSync(join(tmpdir(), "relm-e2e-config-"));

/** What every scenario's processes share: the X display and the session bus. */
let desktop = null;
const runChildren = [];

// A run that dies must not leave its driver, display or bus behind for the next one.
process.on("exit", () => {
  if (driver) killGroup(driver.child);
  for (const c of runChildren.reverse()) c.kill("SIGTERM");
});

/** Kill `child`'s process group: the driver, WebKitWebDriver and the app it started. */
function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** A port nobody listens on now. */
function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** Spawn a daemon that prints one line when it is ready (Xvfb's display, the bus's address). */
function daemon(cmd, args) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
  runChildren.push(child);
  return new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) {
        child.stdout.destroy();
        child.unref();
        ok(out.trim());
      }
    });
    child.once("exit", () => fail(new Error(`${cmd} exited before it was ready`)));
  });
}

/** Start Xvfb (unless a display is set) and a private D-Bus session bus, once per run. */
export function startDesktop() {
  desktop ??= (async () => {
    const env = { RELM_KEYRING: "kernel", XDG_CONFIG_HOME: CONFIG_HOME };
    if (!process.env.DISPLAY || process.env.RELM_E2E_XVFB) {
      // Xvfb picks a free display and says which once it accepts clients.
      const n = await daemon("Xvfb", [
        "-displayfd",
        "1",
        "-screen",
        "0",
        "1280x800x24",
        "-nolisten",
        "tcp",
      ]);
      env.DISPLAY = `:${n}`;
    }
    // A desktop session has a bus, and the app's single-instance lock lives on it: without one
    // the suite would not see what users see.
    env.DBUS_SESSION_BUS_ADDRESS = await daemon("dbus-daemon", [
      "--session",
      "--nofork",
      "--print-address=1",
    ]);
    return env;
  })();
  return desktop;
}

/** The running scenario's driver: its process and the log it writes to. */
let driver = null;

/** A fresh tauri-driver (and WebKitWebDriver) on free ports, whose output goes to `log`. */
async function startScenarioDriver(log, logDir) {
  const env = { ...process.env, ...(await startDesktop()), RELM_LOG_DIR: logDir };
  const [port, nativePort] = [await freePort(), await freePort()];
  const fd = openSync(log, "a");
  // Its own process group, so that stopping it stops WebKitWebDriver and the app with it.
  const child = spawn(
    DRIVER,
    [
      "--port",
      port,
      "--native-port",
      nativePort,
      "--native-driver",
      "/usr/bin/WebKitWebDriver",
    ].map(String),
    { env, stdio: ["ignore", fd, fd], detached: true },
  );
  closeSync(fd);
  const exited = new Promise((r) => child.once("exit", r));
  driver = { child, exited };
  await poll(
    async () => (await listening(port)) && (await listening(nativePort)),
    `tauri-driver did not open its ports (see ${log})`,
  );
  return port;
}

/** Stop the scenario's driver, WebKitWebDriver and any app they started, and wait for them. */
async function stopScenarioDriver() {
  if (!driver) return;
  const { child, exited } = driver;
  driver = null;
  killGroup(child);
  await exited;
}

/** Processes of `app` whose command line holds `--data-dir <dir>`: the app a scenario opened. */
export function appsOn(dir, app = APP) {
  const pids = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmd;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    const at = cmd.indexOf("--data-dir");
    if (at >= 0 && cmd[at + 1] === dir && cmd[0] === app) pids.push(Number(pid));
  }
  return pids;
}

/** The end of a scenario's logs, to print beside its failure. */
function logTail(logDir, lines = 60) {
  if (!existsSync(logDir)) return "";
  return readdirSync(logDir)
    .sort()
    .map((f) => {
      const text = readFileSync(join(logDir, f), "utf8").trimEnd().split("\n");
      return `--- ${join(logDir, f)} (last ${Math.min(lines, text.length)} lines)\n${text.slice(-lines).join("\n")}`;
    })
    .join("\n");
}

/** Kept for the scenario files' `after(stopDriver)`: stop whatever is still running. */
export function stopDriver() {
  return stopScenarioDriver();
}

/** A fresh data dir. */
export function dataDir() {
  return mkdtempSync(join(tmpdir(), "relm-e2e-"));
}

/** Run the CLI on a data dir; returns parsed JSON. */
const cliEnv = (dir) => ({
  ...process.env,
  RELM_KEYRING: "kernel",
  RELM_LOG_DIR: join(dir, "logs"),
});

export function cli(dir, ...args) {
  const out = execFileSync(CLI, ["--data-dir", dir, "--json", ...args], { env: cliEnv(dir) });
  return JSON.parse(out.toString());
}

/** A release of `service` at `version` for `env` created with the CLI (titled after them),
 *  with `more` options (`--component`, `web|2.0.0`...): its id. */
export function createRelease(dir, service, version, env, ...more) {
  const title = `${service} ${version}`;
  return cli(
    dir,
    "release",
    "create",
    "--service",
    service,
    "--version",
    version,
    "--env",
    env,
    "--title",
    title,
    ...more,
  ).id;
}

/** A freeze recorded with the CLI: `name` from `start` to `end`, wall-clock in `tz`, with `more`
 *  options (`--env`, `prod`, `--rrule`, `FREQ=…`, `--soft`...): its id. */
export function addFreeze(dir, name, start, end, tz, ...more) {
  const at = ["--start", start, "--end", end, "--tz", tz];
  return cli(dir, "calendar", "add", "freeze", "--name", name, ...at, ...more).id;
}

/** [`cli`] without blocking this process: for a CLI run that talks to a server of the test. */
export function cliAsync(dir, ...args) {
  return new Promise((resolve, reject) =>
    execFile(
      CLI,
      ["--data-dir", dir, "--json", ...args],
      { env: cliEnv(dir) },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

/** `relm check` on a data dir: the verdict, whatever the exit code (0 allowed, 1 blocked). */
export function check(dir, release, env) {
  try {
    return cli(dir, "check", "--release", release, "--env", env);
  } catch (e) {
    if (e.status === 1) return JSON.parse(e.stdout.toString());
    throw e;
  }
}

/** Open a WebDriver session on the app, bounded in time; the error says what happened. */
async function openSession(port, dir, args, app) {
  return remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    connectionRetryCount: 0,
    // A benchmark on a large workspace waits longer for an answer than a scenario may.
    connectionRetryTimeout: Number(process.env.RELM_WEBDRIVER_TIMEOUT_MS ?? SESSION_TIMEOUT_MS),
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: app, args: ["--data-dir", dir, ...args] },
    },
  });
}

/** Open the app on `dir` (with `args`), run `body(browser)`, screenshot on failure, always close.
 * `app` is the binary to open (the benchmarks open a release build, or the minimal baseline);
 * `browser.openedAt` is the `performance.now()` just before the session that started it. */
export async function withApp(name, dir, body, args = [], app = APP) {
  const slug = name.replace(/\W+/g, "-");
  const logDir = join(LOGS, slug);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, "driver.log");
  const note = (line) => {
    const fd = openSync(log, "a");
    writeSync(fd, `[harness ${new Date().toISOString()}] ${line}\n`);
    closeSync(fd);
  };
  let port = await startScenarioDriver(log, logDir);
  let browser;
  let openedAt = performance.now();
  try {
    browser = await openSession(port, dir, args, app);
  } catch (first) {
    // Said loudly, in the log and on the run's output: a retry must not hide a pattern.
    const why = `session creation failed (${first.message.split("\n")[0]}); retrying once with a fresh driver`;
    note(why);
    console.error(`[e2e] ${name}: ${why}; logs in ${logDir}`);
    await stopScenarioDriver();
    for (const pid of appsOn(dir, app)) process.kill(pid, "SIGKILL");
    port = await startScenarioDriver(log, logDir);
    try {
      openedAt = performance.now();
      browser = await openSession(port, dir, args, app);
    } catch (second) {
      await stopScenarioDriver();
      second.message += `\n${logTail(logDir)}`;
      throw second;
    }
  }
  browser.openedAt = openedAt;
  try {
    await body(browser);
  } catch (e) {
    mkdirSync(SHOTS, { recursive: true });
    const file = join(SHOTS, `${slug}.png`);
    await browser.saveScreenshot(file).catch(() => {});
    e.message += `\n(screenshot: ${file})\n${logTail(logDir)}`;
    throw e;
  } finally {
    await browser.deleteSession().catch(() => {});
    // The next scenario starts on a clean slate: this one's app is gone, and its driver too.
    await poll(() => appsOn(dir, app).length === 0, "", 10000).catch(() => {
      note("the app was still running 10 s after its session ended; killed");
      for (const pid of appsOn(dir, app)) process.kill(pid, "SIGKILL");
    });
    await stopScenarioDriver();
  }
}

/** Save a screenshot of the window as `target/e2e-screenshots/<name>.png` (the folder is made
 * on a fresh clone), once the page has settled. */
export async function screenshot(browser, name) {
  mkdirSync(SHOTS, { recursive: true });
  await browser.pause(300);
  await browser.saveScreenshot(join(SHOTS, `${name}.png`));
}

/** Wait until `selector` exists and return it. */
export async function find(browser, selector, timeout = 10000) {
  const el = await browser.$(selector);
  await el.waitForExist({ timeout });
  return el;
}

/** Wait until `f()` is truthy. */
export async function until(browser, f, message, timeout = 10000) {
  await browser.waitUntil(f, { timeout, timeoutMsg: message, interval: 25 });
}

/** Answer the native file dialog the app opened ("Open File" or "Save File") with `path`,
 * typed into its location entry as a person would (the GTK dialog is no web page: WebDriver
 * cannot reach it, xdotool can). Waits until the dialog has closed on that answer. */
export async function answerFileDialog(path) {
  const env = { ...process.env, ...(await startDesktop()) };
  const x = (...args) => execFileSync("xdotool", args, { env }).toString().trim();
  const title = "^(Open File|Save File)$";
  const open = () => {
    try {
      return x("search", "--onlyvisible", "--name", title).length > 0;
    } catch {
      return false; // xdotool exits 1 when no window matches
    }
  };
  const id = x("search", "--sync", "--onlyvisible", "--name", title).split("\n")[0];
  for (let attempt = 0; attempt < 3; attempt++) {
    x("windowfocus", "--sync", id);
    x("key", "--clearmodifiers", "ctrl+l");
    x("key", "--clearmodifiers", "ctrl+a");
    x("type", "--delay", "10", path);
    x("key", "Return");
    for (let i = 0; i < 100 && open(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!open()) return;
  }
  throw new Error(`the file dialog did not take ${path}`);
}

/** The error shown beside the field `name`, if any. */
export const errorOf = (b, name) =>
  b.execute((n) => document.querySelector(`[data-error="${n}"]`)?.textContent ?? null, name);

/** Set a form control's value as typing or choosing would (an input and a change event). */
export async function set(b, selector, value) {
  await b.execute(
    (s, v) => {
      const el = document.querySelector(s);
      el.value = v;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    },
    selector,
    value,
  );
}

/** Ann's workspace on a folder remote, and Bob's replica joined to it as a release manager. */
export function teammates() {
  const remote = dataDir();
  const ann = dataDir();
  cli(ann, "init", "--workspace", "Shared", "--name", "Ann", "--email", "ann@example.com");
  cli(ann, "remote", "add", "usb", remote);
  cli(ann, "sync");
  const bob = dataDir();
  const joined = cli(
    bob,
    "join",
    "--remote",
    remote,
    "--name",
    "Bob",
    "--email",
    "bob@example.com",
  );
  cli(ann, "sync");
  cli(ann, "member", "add", "--key", joined.public_key, "--role", "release-manager");
  cli(ann, "sync");
  cli(bob, "sync");
  return { ann, bob };
}

/** Every file under `dir`. */
export function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : e.isFile() ? [p] : [];
  });
}

/**
 * The git repositories under `root` served over HTTP on 127.0.0.1 by the real `git
 * http-backend`, to the user name `user` with password `token` only (HTTP Basic, as a git host
 * over HTTPS asks an access token). Resolves to `{ url, requests, close }`: `requests` holds a
 * `METHOD PATH STATUS` line per request.
 */
export function gitHttp(root, user, token) {
  const expected = `Basic ${Buffer.from(`${user}:${token}`).toString("base64")}`;
  const requests = [];
  const server = createServer((req, res) => {
    const [path, query = ""] = req.url.split("?");
    if (req.headers.authorization !== expected) {
      requests.push(`${req.method} ${path} 401`);
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end();
      return;
    }
    const env = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      GATEWAY_INTERFACE: "CGI/1.1",
      REQUEST_METHOD: req.method,
      PATH_INFO: path,
      QUERY_STRING: query,
      REMOTE_USER: "relm-e2e",
      REMOTE_ADDR: "127.0.0.1",
    };
    for (const [h, v] of [
      ["content-type", "CONTENT_TYPE"],
      ["content-encoding", "HTTP_CONTENT_ENCODING"],
      ["git-protocol", "HTTP_GIT_PROTOCOL"],
    ]) {
      if (req.headers[h]) env[v] = req.headers[h];
    }
    const cgi = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "ignore"] });
    const out = [];
    cgi.stdout.on("data", (d) => out.push(d));
    cgi.on("close", () => {
      const all = Buffer.concat(out);
      const end = all.indexOf("\r\n\r\n");
      const head = all.subarray(0, end).toString().split("\r\n");
      let status = 200;
      const headers = {};
      for (const line of head) {
        const i = line.indexOf(":");
        const [k, v] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
        if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]);
        else if (k) headers[k] = v;
      }
      requests.push(`${req.method} ${path} ${status}`);
      res.writeHead(status, headers).end(all.subarray(end + 4));
    });
    req.pipe(cgi.stdin);
  });
  // Never what keeps the test run alive.
  server.unref();
  return new Promise((ready) =>
    server.listen(0, "127.0.0.1", () =>
      ready({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        close: () => server.close(),
      }),
    ),
  );
}

/** Switch the app to French (Settings, Language) and wait until the page is in French. */
export async function inFrench(browser) {
  await browser.execute(() => (location.hash = "#/settings"));
  await (await find(browser, "[data-testid=language]")).selectByAttribute("value", "fr");
  await until(
    browser,
    async () => (await browser.execute(() => document.documentElement.lang)) === "fr",
    "the app in French",
  );
}

/** Press the remove button `button`: the setting goes at once and a toast offers to undo it.
 *  Waits until `gone()` holds, undoes it (the toast's button, or with `keys`, Ctrl+Z with the
 *  focus on the page) and waits until `back()` holds. Returns what the toast said. */
export async function removeThenUndo(b, button, gone, back, { keys = false } = {}) {
  await (await find(b, button)).click();
  const action = await find(b, "[data-testid=toast-action]");
  const said = await (await find(b, "[data-testid=toast]")).getText();
  await until(b, gone, "removed at once");
  if (keys) {
    await b.execute(() => document.activeElement?.blur());
    await b.action("key").down(Key.Ctrl).down("z").up("z").up(Key.Ctrl).perform();
  } else await action.click();
  await until(b, back, "put back by the undo");
  return said;
}

/** The toast's words, or "" when none shows. */
export const toastText = (b) =>
  b.execute(() => document.querySelector("[data-testid=toast]")?.textContent ?? "");

/** Watch the OS notifications the app sends, as read off the session bus: `dbus-monitor`
 *  sees each call to the notification service (no notification server is needed for it).
 *  `seen()` gives each one's title and body, in order; `stop()` ends the watch. */
export async function watchNotifications() {
  const env = await startDesktop();
  const child = spawn(
    "dbus-monitor",
    [
      "--address",
      env.DBUS_SESSION_BUS_ADDRESS,
      "interface='org.freedesktop.Notifications',member='Notify'",
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  // It is listening once the bus has told it its name.
  await poll(() => out.includes("NameAcquired"), "dbus-monitor listening", 10000);
  return {
    seen: () =>
      out
        .split(/^method call /m)
        .slice(1)
        .map((call) => {
          const strings = [...call.matchAll(/^ {3}string "(.*)"$/gm)].map((m) => m[1]);
          // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, timeout)
          return { title: strings[2], body: strings[3] };
        }),
    stop: () => child.kill(),
  };
}
