// Dragging a release to another time on the calendar, with pointer events (mouse, pen, touch,
// and WebDriver's pointer actions alike). A view says where a pointer position would put the
// release (`locate`); the calendar page checks each candidate live and asks before saving.

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
  const end = () => {
    window.removeEventListener("pointermove", move);
    window.removeEventListener("pointerup", up);
    window.removeEventListener("keydown", key, true);
    drag.id = null;
    drag.candidate = null;
    drag.outcome = null;
  };
  const move = (ev: PointerEvent) => {
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
  };
  // The drop goes where the ghost was shown, whatever the last event says.
  const up = () => {
    const c = moved ? drag.candidate : null;
    end();
    if (!moved) return;
    drag.swallowClick = true;
    setTimeout(() => (drag.swallowClick = false), 0);
    if (c) drop(c[0], c[1]);
  };
  const key = (ev: KeyboardEvent) => {
    if (ev.key !== "Escape") return;
    ev.stopPropagation();
    moved = false;
    end();
  };
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", up);
  window.addEventListener("keydown", key, true);
}
