// The heaviest pages' first questions, asked while the user reads another page. The backend
// keeps these answers while the store stays the same (and goes back to the replica that holds
// them), so a first visit to the calendar, the metrics, the audit trail or the digest finds its
// answer instead of computing it. They are asked one at a time, once the app has been quiet for
// a moment, after launch and after each change; a page opened meanwhile asks for itself. The
// answers judged at the minute (the dashboard's decisions waiting) are asked at each minute's
// start (`eachMinute`).

import { ahead, calls } from "./backend";
import { hidden } from "./now";

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

/** How long after a minute starts its answers are asked ahead. */
export const MINUTE_LAG_MS = 250;
/** How long the asking waits for the calls a page waits on to be answered first. */
export const BUSY_WAIT_MS = 10_000;

/**
 * Ask `openings` ahead at the start of every minute while the window shows. The backend judges
 * some answers at the minute and keeps them for the rest of it (what waits for a decision, the
 * dashboard's list, is read as of a time shown to the minute): asked at the minute's start, a
 * visit later in that minute finds its answer instead of judging every release in flight. The
 * calls a page waits on go first: the asking waits until none is in flight (at most
 * `BUSY_WAIT_MS`). A hidden window asks nothing; the page asks for itself when shown. Returns
 * a function that stops it.
 */
export function eachMinute(openings: Opening[], lagMs = MINUTE_LAG_MS): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = () => {
    timer = setTimeout(start, 60_000 - (Date.now() % 60_000) + lagMs);
  };
  const start = () => {
    const began = Date.now();
    const ask = async () => {
      if (stopped) return;
      if (hidden()) return next();
      if (calls.inflight > 0 && Date.now() - began < BUSY_WAIT_MS) {
        timer = setTimeout(ask, 100);
        return;
      }
      for (const open of openings) {
        if (stopped) return;
        await ahead(open).catch(() => {});
      }
      if (!stopped) next();
    };
    void ask();
  };
  next();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
