// Answers that change only with the store, kept for the store's version they were asked at.

import { awaited, backend } from "./backend";
import { session } from "./session.svelte";

/**
 * Answers to the questions `key` names, each asked once while the store stays the same
 * (`session.version`), the `most` last used kept: the parts of a page that want the same
 * answer at once share one call, and a revisit draws it without crossing from the backend
 * again. Call it from an effect that reads `session.version`, so that a change asks afresh
 * (any change drops them all). `ask` asks the question `key` names when it is not kept.
 * `early`: for an answer asked ahead, not counted among those a page waits on.
 */
export function perVersionByKey<T>(most: number) {
  const answers = new Map<string, Promise<T>>();
  let of = -1;
  return (key: string, ask: () => Promise<T>, early = false): Promise<T> => {
    if (of !== session.version) {
      answers.clear();
      of = session.version;
    }
    const kept = answers.get(key);
    if (kept) {
      // The most recently used are kept longest.
      answers.delete(key);
      answers.set(key, kept);
      return early ? kept : awaited(kept);
    }
    const answer = ask();
    answers.set(key, answer);
    // A failed answer is not kept: the next caller asks again.
    answer.catch(() => {
      if (answers.get(key) === answer) answers.delete(key);
    });
    for (const old of answers.keys()) if (answers.size > most) answers.delete(old);
    return answer;
  };
}

/** The answer to one question (`ask`), kept as `perVersionByKey` keeps its answers. */
export function perVersion<T>(ask: () => Promise<T>): (early?: boolean) => Promise<T> {
  const kept = perVersionByKey<T>(1);
  return (early = false) => kept("", ask, early);
}

/** The workspace's members (a release's page asks for them in two panels at once). */
export const workspaceMembers = perVersion(() => backend.members());

/** The environments the policy names (several pages offer them to pick from). */
export const policyEnvironments = perVersion(() => backend.policyEnvironments());
