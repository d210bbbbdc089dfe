// Dragging a release to another time on the calendar, with pointer events (mouse, pen, touch,
// and WebDriver's pointer actions alike). A view says where a pointer position would put the
// release (`locate`); the calendar page checks each candidate live and asks before saving.
// Drawing a new entry across free space follows the pointer the same way.

import { tick } from "svelte";
import type { Outcome } from "./types";

export type Locate = (x: number, y: number) => [number, number] | null;

export const drag = $state({
  /** The release being dragged. */
  id: null as string | null,
  /** Where it would go now: [start, end] in ms. */
  candidate: null as [number, number] | null,
  /** The live check of the candidate, once it is back. */
  outcome: null as Outcome | null,
  /** A drag just ended: the click that follows it is not a click. */
  swallowClick: false,
});

/** Follow the pointer until it is released (`up`) or Escape lets go (`cancel`); `move` gets
 *  each position on the way. */
function follow(move: (ev: PointerEvent) => void, up: () => void, cancel: () => void): void {
  const end = () => {
    window.removeEventListener("pointermove", move);
    window.removeEventListener("pointerup", release);
    window.removeEventListener("keydown", key, true);
  };
  const release = () => {
    end();
    up();
  };
  const key = (ev: KeyboardEvent) => {
    if (ev.key !== "Escape") return;
    ev.stopPropagation();
    end();
    cancel();
  };
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", release);
  window.addEventListener("keydown", key, true);
}

/** Follow the pointer from a press on a release; `drop` gets the new window if it moved. */
export function startDrag(
  e: PointerEvent,
  id: string,
  locate: Locate,
  drop: (start: number, end: number) => void,
): void {
  if (e.button !== 0) return;
  const [x0, y0] = [e.clientX, e.clientY];
  let moved = false;
  const clear = () => {
    drag.id = null;
    drag.candidate = null;
    drag.outcome = null;
  };
  follow(
    (ev) => {
      if (!moved && Math.hypot(ev.clientX - x0, ev.clientY - y0) < 5) return;
      if (!moved) {
        moved = true;
        drag.id = id;
      }
      ev.preventDefault();
      const c = locate(ev.clientX, ev.clientY);
      if (c && (c[0] !== drag.candidate?.[0] || c[1] !== drag.candidate?.[1])) {
        drag.candidate = c;
        drag.outcome = null;
      }
    },
    // The drop goes where the ghost was shown, whatever the last event says.
    () => {
      const c = moved ? drag.candidate : null;
      clear();
      if (!moved) return;
      drag.swallowClick = true;
      setTimeout(() => (drag.swallowClick = false), 0);
      if (c) drop(c[0], c[1]);
    },
    clear,
  );
}

/** A new entry drawn by pressing on a view's free space (not on an entry or a release) and
 *  dragging: from where it was pressed to where the pointer is, in the view's own terms (a
 *  day, a quarter-hour, an instant on a lane). Released elsewhere, `done` gets both ends;
 *  Escape lets go. */
export class Drawing<T> {
  span = $state<{ from: T; to: T } | null>(null);

  constructor(
    /** Where a pointer position is, or null outside the view. */
    private at: (x: number, y: number) => T | null,
    private same: (a: T, b: T) => boolean,
  ) {}

  /** The span once it reaches past where it was pressed (what a view draws), else null. */
  get across(): { from: T; to: T } | null {
    const s = this.span;
    return s && !this.same(s.from, s.to) ? s : null;
  }

  start(e: PointerEvent, done: (from: T, to: T) => void): void {
    if (e.button !== 0 || (e.target as HTMLElement).closest("button")) return;
    const from = this.at(e.clientX, e.clientY);
    if (from === null) return;
    this.span = { from, to: from };
    follow(
      (ev) => {
        const to = this.at(ev.clientX, ev.clientY);
        if (this.span && to !== null && !this.same(to, this.span.to)) {
          ev.preventDefault();
          this.span = { ...this.span, to };
        }
      },
      () => {
        const s = this.across;
        this.span = null;
        if (s) done(s.from, s.to);
      },
      () => (this.span = null),
    );
  }
}

/** The keyboard's way to what a pointer draws on a calendar view: a cursor (the view's one tab
 *  stop) that the view's keys move (`step`), with Shift marking from where it began, Enter or
 *  Space opening the entry form over the cursor or what is marked, Escape letting the marks go.
 *  The view says where the cursor is (`moved`, or its own start when that is not shown) and
 *  which marks it still shows (the anchor, while shown). */
export class KeyCursor<T> {
  /** Where the keys last took the cursor. */
  moved = $state<T | null>(null);
  /** Where Shift and the keys began to mark. */
  anchor = $state<T | null>(null);

  /** Answer a key with the cursor at `at` and the marks from `from` (`at` when none); a key the
   *  cursor does not take is left alone. */
  async key(
    e: KeyboardEvent,
    at: T,
    from: T,
    view: {
      step: (key: string, at: T) => T | null;
      /** Whether Shift marks on the way from `at` to `to` (else the marks go). */
      marks: (at: T, to: T) => boolean;
      /** Open the form over the marks; without it, Enter is left alone. */
      open?: (from: T, to: T) => void;
      /** Bring the cursor into view (and the focus to it), once drawn where it went. */
      reveal: () => void;
    },
  ): Promise<void> {
    const to = view.step(e.key, at);
    if (to !== null) {
      e.preventDefault();
      if (e.shiftKey && view.marks(at, to)) this.anchor ??= at;
      else this.anchor = null;
      this.moved = to;
      await tick();
      view.reveal();
    } else if ((e.key === "Enter" || e.key === " ") && view.open) {
      e.preventDefault();
      this.anchor = null;
      view.open(from, at);
    } else if (e.key === "Escape" && this.anchor !== null) {
      this.anchor = null;
    }
  }
}
