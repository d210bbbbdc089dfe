// How the app's release list behaves on a large workspace, timed inside the page (from the
// action to the rows being in the DOM): opening the Releases page, each "Load more", and
// coming back. Run on a data dir with many releases, e.g. one kept by
// `RELM_BENCH_KEEP=1 cargo bench -p relm-tests --bench ledger`:
//   RELM_BENCH_DIR=DIR node tests/bench/ui-list.mjs   (from the repository root, app built)

import { find, stopDriver, withApp } from "../e2e/harness.mjs";

const dir = process.env.RELM_BENCH_DIR;
if (!dir) throw new Error("set RELM_BENCH_DIR to a data dir with many releases");

/** Run `action` in the page and resolve with the ms until the table has `n` rows. */
function timed(b, action, n) {
  return b.executeAsync(
    (action, n, done) => {
      const t = performance.now();
      const count = () => document.querySelectorAll("[data-testid=release-table] tbody tr").length;
      if (action === "open") location.hash = "#/releases";
      else if (action === "more") document.querySelector(".more button").click();
      else if (action === "away") location.hash = "#/dashboard";
      const poll = () =>
        count() === n ? done(performance.now() - t) : requestAnimationFrame(poll);
      poll();
    },
    action,
    n,
  );
}

await withApp("ui-list-bench", dir, async (b) => {
  await find(b, "[data-testid=workspace-name]", 30000);
  console.log(
    `| open the Releases page (100 rows) | ${(await timed(b, "open", 100)).toFixed(0)} ms |`,
  );
  for (const n of [200, 300, 400, 500]) {
    console.log(`| load more, to ${n} rows | ${(await timed(b, "more", n)).toFixed(0)} ms |`);
  }
  await timed(b, "away", 0);
  console.log(`| back to the Releases page | ${(await timed(b, "open", 100)).toFixed(0)} ms |`);
});
stopDriver();
