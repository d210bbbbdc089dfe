// Desktop conventions on the real binary: a second launch hands over to the running app.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { APP, dataDir } from "./harness.mjs";

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
