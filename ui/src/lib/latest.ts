/**
 * A question asked again and again, as a list's filters change while someone types: each ask
 * runs at once when nothing is out, and never more than one run at a time. Asks that come while
 * a run is out fold into one more run after it, which reads the filters as they are by then. A
 * run learns from `current()` whether a later ask has overtaken it, and then keeps its answer
 * to itself, so an older answer never replaces a newer one.
 *
 * This replaces waiting for the typing to pause: the answer to the first key comes as fast as
 * the backend gives it, and a burst of keys costs at most one run more than the last key.
 */
export function latest(run: (current: () => boolean) => Promise<void>): () => void {
  let asked = 0;
  let running = false;
  let again = false;
  const go = async () => {
    running = true;
    try {
      do {
        again = false;
        const mine = asked;
        try {
          await run(() => mine === asked);
        } catch {
          // `run` shows its own errors; a failed run must not stop the next one.
        }
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    asked++;
    if (running) again = true;
    else void go();
  };
}

/**
 * A list read a page at a time: `ask()` asks its question again from the first page, as
 * [`latest`] does; `more()` adds the next page of the question asked last. `load` shows what it
 * read only while `current()` holds, so a page of an earlier question is never added to a later
 * one's rows.
 */
export function pagedList(load: (more: boolean, current: () => boolean) => Promise<void>) {
  let question = 0;
  const first = latest((current) => load(false, current));
  return {
    ask() {
      question++;
      first();
    },
    more() {
      const mine = question;
      void load(true, () => mine === question);
    },
  };
}
