import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { calls } from "./backend";
import { BUSY_WAIT_MS, eachMinute, MINUTE_LAG_MS, prepare, QUIET_MS } from "./prepare";

/** A page's opening question whose answer the test releases by hand; `asked` counts the asks. */
function opening(fails = false) {
  const o = { asked: 0, answer: () => {}, ask: () => Promise.resolve() as Promise<unknown> };
  o.ask = () => {
    o.asked++;
    return new Promise<void>((resolve, reject) => {
      o.answer = () => (fails ? reject(new Error("no workspace")) : resolve());
    });
  };
  return o;
}

describe("preparing the pages' opening questions", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    Object.assign(calls, { inflight: 0, started: 0, prepared: 0 });
  });
  afterEach(() => vi.useRealTimers());

  it("waits until the app has been quiet, then asks one question at a time", async () => {
    const [a, b] = [opening(), opening()];
    prepare([a.ask, b.ask]);
    // The page's own calls: one in flight, then another started just before the moment ends.
    calls.inflight = 1;
    await vi.advanceTimersByTimeAsync(QUIET_MS);
    expect(a.asked).toBe(0);
    calls.inflight = 0;
    calls.started++;
    await vi.advanceTimersByTimeAsync(QUIET_MS);
    expect(a.asked).toBe(0);
    await vi.advanceTimersByTimeAsync(QUIET_MS);
    expect([a.asked, b.asked]).toEqual([1, 0]);
    a.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect([a.asked, b.asked]).toEqual([1, 1]);
    expect(calls.prepared).toBe(0);
    b.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.prepared).toBe(1);
  });

  it("goes on past a question that fails", async () => {
    const [a, b] = [opening(true), opening()];
    prepare([a.ask, b.ask]);
    await vi.advanceTimersByTimeAsync(QUIET_MS);
    a.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.asked).toBe(1);
  });

  it("asks nothing more once stopped (the store changed: a new round starts)", async () => {
    const [a, b] = [opening(), opening()];
    const stop = prepare([a.ask, b.ask]);
    await vi.advanceTimersByTimeAsync(QUIET_MS);
    stop();
    a.answer();
    await vi.advanceTimersByTimeAsync(QUIET_MS * 3);
    expect([a.asked, b.asked, calls.prepared]).toEqual([1, 0, 0]);

    const c = opening();
    prepare([c.ask])();
    await vi.advanceTimersByTimeAsync(QUIET_MS * 3);
    expect(c.asked).toBe(0);
  });
});

describe("asking at each minute's start", () => {
  let state: DocumentVisibilityState = "visible";
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2027-03-01T09:00:20Z"));
    vi.spyOn(document, "visibilityState", "get").mockImplementation(() => state);
    state = "visible";
    Object.assign(calls, { inflight: 0, started: 0, prepared: 0 });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("asks just after each minute starts, once the last answer came", async () => {
    const a = opening();
    const stop = eachMinute([a.ask]);
    await vi.advanceTimersByTimeAsync(40_000 + MINUTE_LAG_MS - 1);
    expect(a.asked).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.asked).toBe(1);
    expect(new Date().toISOString()).toBe("2027-03-01T09:01:00.250Z");
    // An answer slower than a minute: the next minute's ask waits for it.
    await vi.advanceTimersByTimeAsync(70_000);
    expect(a.asked).toBe(1);
    a.answer();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(50_000);
    expect(a.asked).toBe(2);
    expect(new Date().toISOString()).toBe("2027-03-01T09:03:00.250Z");
    stop();
    a.answer();
    await vi.advanceTimersByTimeAsync(180_000);
    expect(a.asked).toBe(2);
  });

  it("lets the calls a page waits on go first, for a while", async () => {
    const a = opening();
    eachMinute([a.ask]);
    calls.inflight = 1;
    await vi.advanceTimersByTimeAsync(40_000 + MINUTE_LAG_MS + 1_000);
    expect(a.asked).toBe(0);
    calls.inflight = 0;
    await vi.advanceTimersByTimeAsync(100);
    expect(a.asked).toBe(1);
    a.answer();
    // Busy all the next minute: asked all the same once the wait is over.
    calls.inflight = 1;
    await vi.advanceTimersByTimeAsync(60_000 - 1_100 + BUSY_WAIT_MS - 100);
    expect(a.asked).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(a.asked).toBe(2);
  });

  it("asks nothing while the window is hidden", async () => {
    const a = opening();
    eachMinute([a.ask]);
    state = "hidden";
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(a.asked).toBe(0);
    state = "visible";
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a.asked).toBe(1);
  });
});
