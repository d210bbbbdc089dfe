// Answers that change only with the store, kept for the store's version they were asked at.

import { awaited, backend } from "./backend";
import { session } from "./session.svelte";

/** Kept answers: `kept(key, ask, early)` as below; `kept.now(key)` the one already come. */
export interface Kept<T> {
  (key: string, ask: () => Promise<T>, early?: boolean): Promise<T>;
  /** The answer to `key` kept for the store's version, if it has come (else undefined): a page
   *  opens drawn with it rather than empty and drawn again a moment later, when the same
   *  answer has come round through a promise. */
  now(key: string): T | undefined;
}

/**
 * Answers to the questions `key` names, each asked once while the store stays the same
 * (`session.version`), the `most` last used kept: the parts of a page that want the same
 * answer at once share one call, and a revisit draws it without crossing from the backend
 * again. Call it from an effect that reads `session.version`, so that a change asks afresh
 * (any change drops them all). `ask` asks the question `key` names when it is not kept.
 * `early`: for an answer asked ahead, not counted among those a page waits on.
 */
export function perVersionByKey<T>(most: number): Kept<T> {
  const answers = new Map<string, Promise<T>>();
  // What each kept answer came with, once it has.
  const come = new WeakMap<Promise<T>, T>();
  let of = -1;
  const current = () => {
    if (of !== session.version) {
      answers.clear();
      of = session.version;
    }
  };
  const kept = (key: string, ask: () => Promise<T>, early = false): Promise<T> => {
    current();
    const known = answers.get(key);
    if (known) {
      // The most recently used are kept longest.
      answers.delete(key);
      answers.set(key, known);
      return early ? known : awaited(known);
    }
    const answer = ask();
    answers.set(key, answer);
    answer.then(
      (value) => come.set(answer, value),
      // A failed answer is not kept: the next caller asks again.
      () => {
        if (answers.get(key) === answer) answers.delete(key);
      },
    );
    for (const old of answers.keys()) if (answers.size > most) answers.delete(old);
    return answer;
  };
  return Object.assign(kept, {
    now(key: string): T | undefined {
      current();
      const known = answers.get(key);
      return known && come.get(known);
    },
  });
}

/** The answer to one question (`ask`), kept as `perVersionByKey` keeps its answers. */
export function perVersion<T>(ask: () => Promise<T>) {
  const kept = perVersionByKey<T>(1);
  return Object.assign((early = false) => kept("", ask, early), { now: () => kept.now("") });
}

/** The workspace's members (a release's page asks for them in two panels at once). */
export const workspaceMembers = perVersion(() => backend.members());

/** The environments the policy names (several pages offer them to pick from). */
export const policyEnvironments = perVersion(() => backend.policyEnvironments());
