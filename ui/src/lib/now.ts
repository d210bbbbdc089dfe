// The time now, shared by the calendar views and the dashboard: read inside a template,
// `$derived` or `$effect`, it is read again every minute for as long as something on screen uses
// it (one timer in all). While the window is hidden (minimized, on another desktop) the minutes
// pass unread, and the time is read again once when it shows: what reads it (the dashboard asks
// the backend what waits) does no work nobody sees.

import { createSubscriber } from "svelte/reactivity";

/** Whether the window is hidden (minimized, on another desktop): nobody sees what it shows. */
export const hidden = () =>
  typeof document !== "undefined" && document.visibilityState === "hidden";

const subscribe = createSubscriber((update) => {
  let missed = false;
  const timer = setInterval(() => {
    if (hidden()) missed = true;
    else update();
  }, 60_000);
  const shown = () => {
    if (!hidden() && missed) {
      missed = false;
      update();
    }
  };
  document.addEventListener("visibilitychange", shown);
  return () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", shown);
  };
});

/** Milliseconds since the epoch, kept current to the minute where it is read reactively. */
export function now(): number {
  subscribe();
  return Date.now();
}
