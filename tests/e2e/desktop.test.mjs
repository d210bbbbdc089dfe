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
  const saved = () => existsSync(stateFile) && JSON.parse(readFileSync(stateFile, "utf8")).main;
  await withApp("window-state-1", dir, async (b) => {
    await b.setWindowRect(70, 50, 1010, 690);
    // Written once the window has settled; the session's end then kills the app outright.
    const rect = () => [saved().x, saved().y, saved().width, saved().height].join(",");
    await until(b, async () => saved() && rect() === "70,50,1010,690", "state saved");
  });
  await withApp("window-state-2", dir, async (b) => {
    const rect = await b.getWindowRect();
    assert.deepEqual([rect.x, rect.y, rect.width, rect.height], [70, 50, 1010, 690]);
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
