// What a card shows of a question its page asks again whenever what the answer depends on
// changes (the store, the language, the minute).

import { errorText } from "./problems";

/**
 * The latest answer to a question asked again and again. Until the first answer comes, `value`
 * is undefined: a card says nothing rather than "none" before it knows. While a new answer is
 * on its way, the last one stays. When the latest ask fails, `value` is dropped (it may no
 * longer hold) and `error` says why. An answer to an earlier ask never replaces a later one's.
 */
export class Answer<T> {
  value = $state.raw<T | undefined>(undefined);
  error = $state<string | null>(null);
  #asked = 0;

  ask(question: Promise<T>): void {
    const mine = ++this.#asked;
    question.then(
      (v) => {
        if (mine !== this.#asked) return;
        this.value = v;
        this.error = null;
      },
      (e) => {
        if (mine !== this.#asked) return;
        this.value = undefined;
        this.error = errorText(e);
      },
    );
  }
}
