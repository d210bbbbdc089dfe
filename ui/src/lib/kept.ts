// Answers that change only with the store, kept for the store's version they were asked at.

import { awaited, backend } from "./backend";
import { session } from "./session.svelte";

/**
 * `ask`, asked once while the store stays the same (`session.version`): the parts of a page
 * that want the same answer at once share one call, and a revisit draws it without crossing
 * from the backend again. Call it from an effect that reads `session.version`, so that a change
 * asks afresh. `early`: for an answer asked ahead, not counted among those a page waits on.
 */
export function perVersion<T>(ask: () => Promise<T>): (early?: boolean) => Promise<T> {
  let kept: { of: number; answer: Promise<T> } | null = null;
  return (early = false) => {
    if (kept?.of === session.version) return early ? kept.answer : awaited(kept.answer);
    const mine = { of: session.version, answer: ask() };
    kept = mine;
    // A failed answer is not kept: the next caller asks again.
    mine.answer.catch(() => {
      if (kept === mine) kept = null;
    });
    return mine.answer;
  };
}

/** The workspace's members (a release's page asks for them in two panels at once). */
export const workspaceMembers = perVersion(() => backend.members());
