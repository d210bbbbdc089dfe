/** The least height of a list's row (a table row of one line). */
export const ROW_PX = 28;

/** How many rows at least `rowPx` tall a window `height` px tall shows, at most. */
export const screenRows = (rowPx: number, height = window.innerHeight) =>
  Math.max(1, Math.ceil(height / rowPx));

/** Run `f` once the coming frame, which draws what the page holds now, has been drawn. (A
 * first callback runs before that frame: `f` waits for the one after it.) */
export function afterComingFrame(f: () => void) {
  requestAnimationFrame(() => requestAnimationFrame(f));
}

/**
 * How many rows of a long list to draw: all of them, except for the frames after the list is
 * replaced while its page is scrolled to the top. The first of them draws the first `first` (by
 * default as many as the window could show: a screenful and more, as a list starts below its
 * page's head) and the next one the rest, so a new answer to a filter shows without
 * waiting for the layout of rows below the fold (a hundred table rows take 35–45 ms to lay out
 * on a slow machine; docs/BENCHMARKS.md). With a `step`, the rest comes `step` rows a frame, so
 * that a page of several hundred rows keeps answering the reader while they are drawn (the
 * metrics page's 400 rows took one frame of 100 ms and more). Scrolled down, a replaced list is
 * drawn whole at once: drawing fewer rows would shorten the page under the reader.
 */
export function firstScreen(first = screenRows(ROW_PX), step = Infinity) {
  let limit = $state(Infinity);
  let pending = 0;
  // Draw `now` rows in the coming frame, then `step` more in each frame after it until every
  // one of the `rows` is drawn (or all of them at once, when their number is not told).
  const stage = (now: number, rows = Infinity) => {
    limit = now;
    const mine = ++pending;
    const more = () => {
      if (mine !== pending) return;
      limit = rows === Infinity || limit + step >= rows ? Infinity : limit + step;
      if (limit !== Infinity) requestAnimationFrame(more);
    };
    afterComingFrame(more);
  };
  return {
    get limit() {
      return limit;
    },
    /** The list is about to be replaced by one of `rows` rows (a `step` needs their number);
     * `scroller` is the element the page scrolls in (App.svelte's by default). */
    replaced({
      rows = Infinity,
      scroller = pageScroller(),
    }: { rows?: number; scroller?: Element | null } = {}) {
      if ((scroller?.scrollTop ?? 0) > 0) {
        limit = Infinity;
        return;
      }
      stage(first, rows);
    },
    /**
     * Rows are about to be added below the `shown` ones ("load more", whose button is below
     * the last row): the coming frame draws the first `more` of them, those a reader who has
     * scrolled to the button sees, and the next frame the rest. The page only grows below.
     */
    grown(shown: number, more = 20) {
      stage(Math.min(limit, shown) + more);
    },
  };
}

/** The element pages scroll in (App.svelte's `main`). */
export const pageScroller = (): Element | null => document.querySelector(".main > main");

/**
 * How many rows of each of several lists, one below the other, to draw when `limit` rows in
 * all may be drawn: the first lists whole, the one the limit falls in cut, the rest empty.
 */
export function shared(limit: number, lengths: readonly number[]): number[] {
  let left = limit;
  return lengths.map((n) => {
    const drawn = Math.min(n, left);
    left -= drawn;
    return drawn;
  });
}

/**
 * An attachment (`{@attach widthOf(set)}`) that tells `set` its element's width (`clientWidth`)
 * each time the element is laid out at a new one. It reads the width only where layout has just
 * been done (a `ResizeObserver`'s callback, the first one after the frame that draws the
 * element): Svelte's `bind:clientWidth` reads it at once, as the element is made, which lays the
 * page out in the middle of the script, and again for each such element drawn after another
 * (10–17 ms each for the metrics page's charts; docs/BENCHMARKS.md). What `set` changes is
 * drawn in the same frame, before it is painted.
 */
export function widthOf(set: (width: number) => void) {
  return (element: HTMLElement) => {
    const observer = new ResizeObserver(() => set(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  };
}
