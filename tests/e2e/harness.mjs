// End-to-end harness: the real app binary under Xvfb, driven through tauri-driver and
// WebKitWebDriver. Each scenario gets a fresh data dir (hence a fresh keyring namespace) and
// saves a screenshot when it fails.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { remote } from "webdriverio";

const ROOT = resolve(import.meta.dirname, "../..");
export const APP = process.env.RELM_APP ?? join(ROOT, "target/debug/relm-app");
export const CLI = join(ROOT, "target/debug/relm");
export const SHOTS = process.env.RELM_E2E_SHOTS ?? join(ROOT, "target/e2e-screenshots");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";

const children = [];

function waitPort(port, ms = 20000) {
  const until = Date.now() + ms;
  return new Promise((ok, fail) => {
    const attempt = () => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), ok()));
      s.once("error", () => {
        s.destroy();
        if (Date.now() > until) fail(new Error(`port ${port} did not open`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

let started = null;

/** The apps' config home (window state lives there): one per run, never the user's own. */
export const CONFIG_HOME = mkdtempSync(join(tmpdir(), "relm-e2e-config-"));

/** Whether something already listens on a local port. */
function listening(port) {
  return new Promise((ok) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), ok(true)));
    s.once("error", () => (s.destroy(), ok(false)));
  });
}

// A run that dies must not leave its driver behind for the next one.
process.on("exit", () => stopDriver());

/** Start Xvfb (unless a display is set) and tauri-driver once for the whole run. */
export function startDriver() {
  started ??= (async () => {
    // Another run's driver would serve this run's sessions with its own environment (config
    // home, display): the tests would fail far from the cause.
    for (const port of [4444, 4445])
      if (await listening(port))
        throw new Error(
          `port ${port} is taken, probably by a tauri-driver left from another run: stop it (pkill -f tauri-driver; pkill -f WebKitWebDriver) and run again`,
        );
    const env = { ...process.env, RELM_KEYRING: "kernel", XDG_CONFIG_HOME: CONFIG_HOME };
    if (!process.env.DISPLAY || process.env.RELM_E2E_XVFB) {
      const display = ":97";
      const x = spawn("Xvfb", [display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
        stdio: "ignore",
      });
      children.push(x);
      env.DISPLAY = display;
      await new Promise((r) => setTimeout(r, 500));
    }
    const driver = spawn(
      DRIVER,
      ["--port", "4444", "--native-port", "4445", "--native-driver", "/usr/bin/WebKitWebDriver"],
      { env, stdio: "ignore" },
    );
    children.push(driver);
    await waitPort(4444);
    await waitPort(4445);
  })();
  return started;
}

export function stopDriver() {
  for (const c of children.reverse()) c.kill("SIGTERM");
}

/** A fresh data dir. */
export function dataDir() {
  return mkdtempSync(join(tmpdir(), "relm-e2e-"));
}

/** Run the CLI on a data dir; returns parsed JSON. */
export function cli(dir, ...args) {
  const out = execFileSync(CLI, ["--data-dir", dir, "--json", ...args], {
    env: {
      ...process.env,
      RELM_KEYRING: "kernel",
      RELM_LOG_DIR: join(dir, "logs"),
    },
  });
  return JSON.parse(out.toString());
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

/** Open the app on `dir` (with `args`), run `body(browser)`, screenshot on failure, always close. */
export async function withApp(name, dir, body, args = []) {
  await startDriver();
  const browser = await remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "error",
    connectionRetryCount: 1,
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: APP, args: ["--data-dir", dir, ...args] },
    },
  });
  try {
    await body(browser);
  } catch (e) {
    mkdirSync(SHOTS, { recursive: true });
    const file = join(SHOTS, `${name.replace(/\W+/g, "-")}.png`);
    await browser.saveScreenshot(file).catch(() => {});
    e.message += `\n(screenshot: ${file})`;
    throw e;
  } finally {
    await browser.deleteSession().catch(() => {});
  }
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
