// Desktop conventions on the real binary: a second launch on a workspace hands over to its
// running app; the window comes back where and how large the user left it.

import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  APP,
  CONFIG_HOME,
  dataDir,
  poll,
  startDesktop,
  stopDriver,
  until,
  withApp,
} from "./harness.mjs";

after(stopDriver);

test("the window's size and position are remembered, even when the app is killed", async () => {
  const dir = dataDir();
  const stateFile = join(CONFIG_HOME, "app.relm.desktop", ".window-state.json");
  const savedRect = () => {
    const s = existsSync(stateFile) && JSON.parse(readFileSync(stateFile, "utf8")).main;
    return s ? [s.x, s.y, s.width, s.height].join(",") : null;
  };
  await withApp("window-state-1", dir, async (b) => {
    await b.setWindowRect(70, 50, 1010, 690);
    // Written once the window has settled; the session's end then kills the app outright.
    await until(b, async () => savedRect() === "70,50,1010,690", "state saved");
  });
  // What the killed app left is what the next launch reads.
  assert.equal(savedRect(), "70,50,1010,690");
  await withApp("window-state-2", dir, async (b) => {
    // The restored size reaches the window with the display server's answer, which can come
    // after the web view is ready on a busy machine (the position is known at once): wait for
    // it rather than read once.
    const shown = async () => {
      const r = await b.getWindowRect();
      return [r.x, r.y, r.width, r.height].join(",");
    };
    await until(b, async () => (await shown()) === "70,50,1010,690", "size and position restored");
    assert.equal(await shown(), "70,50,1010,690");
  });
});

test("a second launch on a workspace hands over to its window; another workspace opens its own", async () => {
  const env = { ...process.env, ...(await startDesktop()) };
  const [one, two] = [dataDir(), dataDir()];
  // The single-instance lock is a name on the session bus, one per workspace (data dir).
  const lock = (dir) =>
    "app.relm.desktop.w" +
    createHash("sha256").update(realpathSync(dir)).digest("hex").slice(0, 16);
  const names = () =>
    execFileSync(
      "dbus-send",
      [
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.ListNames",
      ],
      { env },
    ).toString();
  const launch = (dir) =>
    spawn(APP, ["--data-dir", dir], {
      env: { ...env, RELM_LOG_DIR: join(dir, "logs") },
      stdio: "ignore",
    });
  const apps = [launch(one)];
  try {
    await poll(
      () => names().includes(lock(one)),
      "the first app holds its workspace's lock",
      30000,
    );
    // Started normally, the second app would run until the timeout stops it.
    const second = spawnSync(APP, ["--data-dir", one], { env, timeout: 30000, stdio: "ignore" });
    assert.equal(
      second.status,
      0,
      "a second launch on the same workspace exits after handing over",
    );
    apps.push(launch(two));
    await poll(() => names().includes(lock(two)), "another workspace opens its own window", 30000);
    assert.equal(apps[0].exitCode, null, "the first app still runs");
    assert.ok(names().includes(lock(one)));
  } finally {
    for (const a of apps) a.kill("SIGKILL");
  }
});
