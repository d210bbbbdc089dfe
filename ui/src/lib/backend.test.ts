import { describe, expect, it, vi } from "vitest";

// Answers released by hand, in the order asked.
const pending: (() => void)[] = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: () => new Promise((resolve) => pending.push(() => resolve({ total: 0 }))),
}));

const { ahead, awaited, backend, calls } = await import("./backend");
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("calls asked ahead", () => {
  it("are not among the calls a page waits on, until a page shows their answer", async () => {
    const before = { ...calls };
    const early = ahead(() => backend.calendarConflicts(50, null));
    expect(calls.inflight).toBe(before.inflight);
    expect(calls.started).toBe(before.started);
    expect(calls.ahead).toBe(1);
    expect(calls.questions.calendar_conflicts).toEqual({ limit: 50, release: null });
    // A page now waits for it: counted until it comes.
    const shown = awaited(early);
    expect(calls.inflight).toBe(before.inflight + 1);
    // A call made as usual is counted at once.
    const own = backend.summary();
    expect(calls.inflight).toBe(before.inflight + 2);
    pending.splice(0).forEach((answer) => answer());
    await Promise.all([shown, own]);
    await tick();
    expect([calls.inflight, calls.ahead]).toEqual([before.inflight, 0]);
    expect(calls.answered).toBe(before.answered + 2);
  });
});
