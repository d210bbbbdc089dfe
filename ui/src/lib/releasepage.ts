// A release's page asks a dozen questions about the release: its own answer and each panel's.
// Asked by each panel as it is drawn, they would wait for the release's answer and for the
// drawing of the page's head, then share the two cores with the drawing of the panels. Asked
// together when the page opens, the backend answers them while the page draws.
//
// The page holds one opening per release and version of the store, and hands it to its panels.
// Each answer is taken once, by the part of the page that shows it; a part that asks again
// (after a change of language, say) asks afresh. Nothing is kept for a later visit: a verdict
// or a risk score may change with the time alone.

import { getContext, setContext } from "svelte";
import { backend } from "./backend";
import type { Verdict } from "./types";

/** The environment whose verdict a release's page shows first: the last, production. */
export const firstEnvironment = (environments: string[]) =>
  environments[environments.length - 1] ?? "";

const QUESTIONS = {
  detail: (id: string) => backend.releaseDetail(id),
  risk: (id: string) => backend.releaseRisk(id),
  deployments: (id: string) => backend.deployments({ release: id }),
  rollback: (id: string) => backend.rollback(id),
  sbomContents: (id: string) => backend.sbomContents(id),
  sbomDiff: (id: string) => backend.sbomDiff(id),
  savedNotes: (id: string) => backend.savedNotes(id),
  connectors: () => backend.connectors(),
  outbox: () => backend.outbox(),
};
type Questions = typeof QUESTIONS;
export type Question = keyof Questions;
type Answer<K extends Question> = ReturnType<Questions[K]>;

/** Every question about release `id`, asked at once (unless `atOnce` is false: then each when
 * it is taken); each answer taken once. */
export class ReleaseOpening {
  readonly id: string;
  private answers: { [K in Question]?: Answer<K> } = {};
  // The first environment's verdict, asked as soon as the release's environments are known.
  private early?: Promise<{ environment: string; verdict: Verdict } | null>;

  constructor(id: string, atOnce = true) {
    this.id = id;
    if (!atOnce) return;
    for (const k of Object.keys(QUESTIONS) as Question[]) {
      const answer = QUESTIONS[k](id);
      // An answer no part takes (the page was left) is not reported as unhandled; the part
      // that takes it sees its error.
      answer.catch(() => {});
      (this.answers as Record<Question, Promise<unknown>>)[k] = answer;
    }
    this.early = this.answers.detail!.then((d) => {
      const environment = firstEnvironment(d.environments);
      if (!environment) return null;
      return backend
        .check({ release: id, environment })
        .then((verdict) => ({ environment, verdict }));
    });
    this.early.catch(() => {});
  }

  /** The answer to `question`: the one asked at the opening the first time, afresh after. */
  take<K extends Question>(question: K): Answer<K> {
    const answer = this.answers[question];
    if (answer === undefined) return QUESTIONS[question](this.id) as Answer<K>;
    delete this.answers[question];
    return answer;
  }

  /** The answer to `question` asked at the opening, left for the part that takes it; nothing
   * once taken, or when nothing was asked at once. */
  peek<K extends Question>(question: K): Answer<K> | undefined {
    return this.answers[question];
  }

  /** The verdict in `environment`: the one asked at the opening when it was for that
   * environment and is taken the first time, afresh otherwise. */
  async check(environment: string): Promise<Verdict> {
    const early = this.early;
    this.early = undefined;
    const asked = await early?.catch(() => null);
    if (asked && asked.environment === environment) return asked.verdict;
    return backend.check({ release: this.id, environment });
  }
}

const KEY = Symbol("release opening");

/** For the page: hand its opening (read afresh at each use) to the panels drawn in it. */
export function provideOpening(opening: () => ReleaseOpening) {
  setContext(KEY, opening);
}

/** For a panel: the page's opening for release `id`; outside a page, one that asks each
 * question when it is taken. */
export function useOpening(): (id: string) => ReleaseOpening {
  const page = getContext<(() => ReleaseOpening) | undefined>(KEY);
  return (id) => {
    const opening = page?.();
    return opening?.id === id ? opening : new ReleaseOpening(id, false);
  };
}
