// How `make bench-app` times an action in the page (see app.mjs).

/**
 * Run `action` in the page and resolve with the ms until it has settled: every backend call
 * started since has answered, `ready` (a selector, if given) is in the page, and a frame has
 * been drawn with that. `fetches`: the action must start a call before it counts as settled
 * (a call the action starts at once is counted before the first frame).
 *
 * The frame whose callbacks find the page settled draws what the page holds then; it is on
 * screen when the next frame begins. The time is that of the next frame's callback.
 *
 * It resolves only once the page has also stopped changing (three frames in a row without a
 * change to the document), so that work a page leaves for its next frames (a long list's rows
 * below the first screenful) is not counted in the next action's time. That wait is not in the
 * time measured (and lasts 3 s at most).
 */
export function settle(b, action, { ready = null, fetches = false } = {}) {
  return b.executeAsync(
    (action, ready, fetches, done) => {
      // Counted by the UI's one way to the backend (ui/src/lib/backend.ts).
      const bench = window.__relmCalls;
      const answered = bench.answered;
      const before = bench.started;
      const t = performance.now();
      let idleFrames = 0;
      let settled = null;
      let settledAt = 0;
      let changed = true;
      let still = 0;
      const watch = new MutationObserver(() => (changed = true));
      watch.observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
      const act = {
        none: () => {},
        hash: (h) => (location.hash = h),
        click: (s) => document.querySelector(s).click(),
        input: ([s, v]) => {
          const el = document.querySelector(s);
          el.value = v;
          el.dispatchEvent(new Event("input", { bubbles: true }));
          el.dispatchEvent(new Event("change", { bubbles: true }));
        },
      };
      act[action[0]](action[1]);
      const tick = () => {
        const at = performance.now();
        const started = bench.started > before || !fetches;
        const quiet = bench.inflight === 0 && started && (!ready || document.querySelector(ready));
        idleFrames = quiet ? idleFrames + 1 : 0;
        // Settled when two frames in a row had nothing in flight: the time of the second, when
        // the first has been drawn. With the calls it made and their times (the slowest first).
        const made = () =>
          bench.recent
            .slice(bench.recent.length - Math.min(bench.recent.length, bench.answered - answered))
            .sort((a, b) => b[1] - a[1])
            .map(([cmd, ms]) => `${cmd} ${ms.toFixed(0)}`);
        if (idleFrames >= 2 && !settled) {
          settled = { ms: at - t, calls: made() };
          settledAt = at;
        }
        still = changed ? 0 : still + 1;
        changed = false;
        // A page that keeps changing (an animation drawn by script) is waited for 3 s at most.
        if (settled && (still >= 3 || at - settledAt > 3000)) {
          watch.disconnect();
          done(settled);
        } else if (at - t > 60000) {
          watch.disconnect();
          // Why not, first among the calls.
          const missing = ready && !document.querySelector(ready) ? `, ${ready} not shown` : "";
          const why = `${bench.started - before} started, ${bench.inflight} in flight${missing}`;
          done({ ms: -1, calls: [why, ...made()] });
        } else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    },
    action,
    ready,
    fetches,
  );
}
