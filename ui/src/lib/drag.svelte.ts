// Dragging a release to another time on the calendar, with pointer events (mouse, pen, touch,
// and WebDriver's pointer actions alike). A view says where a pointer position would put the
// release (`locate`); the calendar page checks each candidate live and asks before saving.
// Drawing a new entry across free space follows the pointer the same way.

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
