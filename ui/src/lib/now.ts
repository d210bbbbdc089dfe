// The time now, shared by the calendar views: read inside a template, `$derived` or `$effect`, it
// is read again every minute for as long as something on screen uses it (one timer in all).

import { createSubscriber } from "svelte/reactivity";

const subscribe = createSubscriber((update) => {
  const timer = setInterval(update, 60_000);
  return () => clearInterval(timer);
});

/** Milliseconds since the epoch, kept current to the minute where it is read reactively. */
export function now(): number {
  subscribe();
  return Date.now();
}
