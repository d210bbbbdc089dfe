// Desktop conventions on the real binary: a second launch hands over to the running app; the
// window comes back where and how large the user left it.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { APP, CONFIG_HOME, dataDir, stopDriver, until, withApp } from "./harness.mjs";

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

test("a second launch hands over to the running app and exits", () => {
  const dir = dataDir();
  // Single instance works over the D-Bus session bus, as on a desktop: give the apps one.
  // Started normally, the second app would run until `timeout` stops it (exit 124).
  const script = `
    "$APP" --data-dir "$DIR" & first=$!
    sleep 4
    timeout 20 "$APP" --data-dir "$DIR"; code=$?
    kill $first; wait $first
    echo "second=$code"`;
  const out = execFileSync("xvfb-run", ["-a", "dbus-run-session", "--", "bash", "-c", script], {
    env: { ...process.env, APP, DIR: dir, RELM_KEYRING: "kernel", DISPLAY: "" },
    stdio: ["ignore", "pipe", "ignore"],
  }).toString();
  assert.match(out, /second=0/, out);
});
