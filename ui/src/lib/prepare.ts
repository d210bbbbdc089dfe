// The heaviest pages' first questions, asked while the user reads another page. The backend
// keeps these answers while the store stays the same (and goes back to the replica that holds
// them), so a first visit to the calendar, the metrics, the audit trail or the digest finds its
// answer instead of computing it. They are asked one at a time, once the app has been quiet for
// a moment, after launch and after each change; a page opened meanwhile asks for itself.

import { ahead, calls } from "./backend";

/** One question a page asks when it opens, with its opening state. */
export type Opening = () => Promise<unknown>;

/** How long no call may have been in flight before preparing begins. */
export const QUIET_MS = 1500;

/**
 * Ask `openings` one after another once no backend call has been in flight for `quietMs`.
 * A failed one is skipped (its page asks again and shows the error). Returns a function that
 * stops what is not yet asked; `calls.prepared` counts the rounds that ran to their end.
 */
export function prepare(openings: Opening[], quietMs = QUIET_MS): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seen = calls.started;
  const wait = () => {
    timer = setTimeout(async () => {
      if (stopped) return;
      // A call started or still running in the last moment: the user is at work, wait more.
      if (calls.inflight > 0 || calls.started !== seen) {
        seen = calls.started;
        return wait();
      }
      for (const open of openings) {
        if (stopped) return;
        await ahead(open).catch(() => {});
      }
      if (!stopped) calls.prepared++;
    }, quietMs);
  };
  wait();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
