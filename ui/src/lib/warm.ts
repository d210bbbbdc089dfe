// A page's code, run once while the app is quiet. The first time a page is drawn, WebKit
// compiles the page's script and Svelte builds its templates: on the machine the benchmarks ran
// on, 25–35 ms that a second visit does not pay (docs/BENCHMARKS.md). A page drawn here once,
// out of sight and laid out nowhere, is ready when the user opens it.

import { mount, unmount, type Component } from "svelte";
import { aheadHere, calls } from "./backend";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pages drawn here, by name: what the end-to-end tests read (`window.__relmWarmed`). */
export const warmed: string[] = [];
(globalThis as { __relmWarmed?: string[] }).__relmWarmed = warmed;

/** The longest a hidden page is waited for. */
const LONGEST_MS = 3000;

/**
 * Draw `page` with `props` out of sight, wait until its questions have answered and what follows
 * from them is drawn, and take it away. Its calls are asked ahead; it stops as soon as the user
 * moves to another page.
 */
export async function warmPage<Props extends Record<string, unknown>>(
  name: string,
  page: Component<Props>,
  props: Props,
): Promise<void> {
  // The user at work: wait until the app is quiet again.
  while (calls.inflight > 0) await pause(100);
  const host = document.createElement("div");
  host.dataset.testid = "page-warmup";
  // Not laid out nor drawn; and in a closed shadow root, out of reach of the page's queries.
  host.hidden = true;
  host.setAttribute("aria-hidden", "true");
  document.body.append(host);
  const root = host.attachShadow({ mode: "closed" });
  const on = location.hash;
  const done = aheadHere();
  let shown: Record<string, unknown> | undefined;
  try {
    shown = mount(page, { target: root, props });
    const until = performance.now() + LONGEST_MS;
    for (let still = 0; still < 2 && location.hash === on && performance.now() < until;) {
      await pause(20);
      still = calls.ahead === 0 ? still + 1 : 0;
    }
    warmed.push(name);
  } finally {
    done();
    if (shown) await unmount(shown);
    host.remove();
  }
}
