import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { firstScreen, screenRows, shared, widthOf } from "./firstscreen.svelte";

// Frames run by hand: each `frame()` runs the callbacks asked for before it.
let queued: FrameRequestCallback[] = [];
function frame() {
  const now = queued;
  queued = [];
  now.forEach((f) => f(0));
}
beforeEach(() => {
  queued = [];
  vi.stubGlobal("requestAnimationFrame", (f: FrameRequestCallback) => queued.push(f));
});
afterEach(() => vi.unstubAllGlobals());

const at = (scrollTop: number) => ({ scrollTop }) as Element;

describe("the first screenful of a replaced list", () => {
  it("draws every row until a list is replaced", () => {
    expect(firstScreen(30).limit).toBe(Infinity);
  });

  it("draws the first rows in the frame after a replacement, and the rest in the next", () => {
    const rows = firstScreen(30);
    rows.replaced({ scroller: at(0) });
    expect(rows.limit).toBe(30);
    frame();
    expect(rows.limit).toBe(30);
    frame();
    expect(rows.limit).toBe(Infinity);
  });

  it("by default draws first as many rows as the window could show", () => {
    expect(screenRows(28, 775)).toBe(28);
    expect(screenRows(200, 775)).toBe(4);
    expect(screenRows(200, 1)).toBe(1);
    const rows = firstScreen();
    rows.replaced({ scroller: at(0) });
    expect(rows.limit).toBe(screenRows(28));
  });

  it("draws a list replaced while the page is scrolled down whole at once", () => {
    const rows = firstScreen(30);
    rows.replaced({ scroller: at(400) });
    expect(rows.limit).toBe(Infinity);
  });

  it("waits for the latest replacement's next frame, not an earlier one's", () => {
    const rows = firstScreen(30);
    rows.replaced({ scroller: at(0) });
    frame();
    rows.replaced({ scroller: at(0) });
    frame();
    expect(rows.limit).toBe(30);
    frame();
    expect(rows.limit).toBe(Infinity);
  });
});

describe("the rest of a long list drawn a step at a time", () => {
  it("draws `step` more rows in each frame after the first screenful, then every row", () => {
    const rows = firstScreen(20, 60);
    rows.replaced({ scroller: at(0), rows: 150 });
    expect(rows.limit).toBe(20);
    frame();
    expect(rows.limit).toBe(20);
    const seen = [];
    for (let i = 0; i < 4; i++) {
      frame();
      seen.push(rows.limit);
    }
    expect(seen).toEqual([80, 140, Infinity, Infinity]);
    expect(queued).toHaveLength(0);
  });

  it("draws the rest at once when it is not told how many rows there are", () => {
    const rows = firstScreen(20, 60);
    rows.replaced({ scroller: at(0) });
    frame();
    frame();
    expect(rows.limit).toBe(Infinity);
    expect(queued).toHaveLength(0);
  });

  it("stops an earlier replacement's steps when the list is replaced again", () => {
    const rows = firstScreen(20, 60);
    rows.replaced({ scroller: at(0), rows: 500 });
    frame();
    frame();
    expect(rows.limit).toBe(80);
    rows.replaced({ scroller: at(0), rows: 100 });
    expect(rows.limit).toBe(20);
    frame();
    expect(rows.limit).toBe(20);
    frame();
    expect(rows.limit).toBe(80);
    frame();
    expect(rows.limit).toBe(Infinity);
    expect(queued).toHaveLength(0);
  });
});

describe("rows added below a list", () => {
  it("draws the first of the added rows in the coming frame, and the rest in the next", () => {
    const rows = firstScreen(30);
    rows.grown(100, 20);
    expect(rows.limit).toBe(120);
    frame();
    expect(rows.limit).toBe(120);
    frame();
    expect(rows.limit).toBe(Infinity);
  });

  it("counts from the rows drawn when the list's own rest is not drawn yet", () => {
    const rows = firstScreen(30);
    rows.replaced({ scroller: at(0) });
    rows.grown(100, 20);
    expect(rows.limit).toBe(50);
    frame();
    frame();
    expect(rows.limit).toBe(Infinity);
  });
});

describe("a first screenful shared by lists one below the other", () => {
  it("draws the first lists whole, cuts the one the limit falls in, and leaves the rest", () => {
    expect(shared(40, [3, 30, 20, 5])).toEqual([3, 30, 7, 0]);
  });

  it("draws every list whole when there is no limit", () => {
    expect(shared(Infinity, [3, 300, 0])).toEqual([3, 300, 0]);
  });

  it("draws nothing of lists past a limit reached exactly", () => {
    expect(shared(10, [10, 1])).toEqual([10, 0]);
  });
});

describe("an element's width, told without forcing a layout", () => {
  // A ResizeObserver run by hand: calling `callback` is what a frame's layout would do.
  let callback: (() => void) | null = null;
  let watching: Element | null = null;
  class Observer {
    constructor(f: () => void) {
      callback = f;
    }
    observe(el: Element) {
      watching = el;
    }
    disconnect() {
      watching = null;
    }
  }
  beforeEach(() => {
    callback = null;
    vi.stubGlobal("ResizeObserver", Observer);
  });

  it("reads the width only once the element has been laid out, and each time it changes", () => {
    let reads = 0;
    let width = 640;
    const el = document.createElement("div");
    Object.defineProperty(el, "clientWidth", {
      get: () => {
        reads++;
        return width;
      },
    });
    const told: number[] = [];
    const stop = widthOf((w) => told.push(w))(el);
    expect(watching).toBe(el);
    expect(reads).toBe(0);
    expect(told).toEqual([]);
    callback!();
    width = 500;
    callback!();
    expect(told).toEqual([640, 500]);
    stop();
    expect(watching).toBeNull();
  });
});
