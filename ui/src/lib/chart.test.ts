import { describe, expect, it } from "vitest";
import { HEIGHT, WIDTH, layout } from "./chart";

const weeks = ["1 Sep", "8 Sep", "15 Sep"];

describe("a chart's layout", () => {
  it("stacks the left bars of a column, the second on the first", () => {
    const c = layout(
      weeks,
      [
        { label: "ok", data: [3, 0, 1], colour: "--ok" },
        { label: "failed", data: [1, 2, null], colour: "--danger" },
      ],
      { stacked: true, whole: true },
    );
    // One bar per value above zero: 3 and 1, 2, 1.
    expect(c.bars.map((b) => b.title)).toEqual([
      "1 Sep — ok: 3",
      "1 Sep — failed: 1",
      "8 Sep — failed: 2",
      "15 Sep — ok: 1",
    ]);
    const [ok, failed] = [c.bars[0]!, c.bars[1]!];
    expect(failed.y + failed.height).toBeCloseTo(ok.y);
    expect(failed.x).toBe(ok.x);
    // The axis reaches the highest column (4), in whole ticks from 0.
    expect(c.leftTicks.map((t) => t.value)).toEqual(
      [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4].filter(Number.isInteger),
    );
    expect(ok.height / 3).toBeCloseTo(failed.height / 1);
    expect(c.bottom).toBeLessThan(HEIGHT);
  });

  it("is laid out at the width it is drawn at, in the same proportions", () => {
    const data = [{ label: "ok", data: [3, 0, 1], colour: "--ok", right: true }];
    const at = (width?: number) => layout(weeks, data, { width });
    expect([at().width, at().height]).toEqual([WIDTH, HEIGHT]);
    const wide = at(690);
    expect([wide.width, wide.height]).toEqual([690, 360]);
    // The plotting area follows the width; the room for the axes' text does not.
    expect([wide.left, wide.width - wide.right]).toEqual([at().left, WIDTH - at().right]);
    expect(wide.bottom).toBe(360 - (HEIGHT - at().bottom));
    expect(wide.bars[0]!.x).toBeGreaterThan(at().bars[0]!.x);
    // Never narrower than a readable chart (a box not yet measured is 0 wide).
    expect(at(0).width).toBe(200);
  });

  it("puts bars side by side on their own axes, and lines through the points that have a value", () => {
    const c = layout(
      ["api", "ledger"],
      [
        { label: "a week", data: [2, 6], colour: "--accent" },
        { label: "failed %", data: [50, null], colour: "--danger", right: true },
        { label: "hours", data: [null, 4], colour: "--accent", line: true },
      ],
      { rightMax: 100 },
    );
    const [a, b, c2] = [c.bars[0]!, c.bars[1]!, c.bars[2]!];
    expect(c.bars).toHaveLength(3);
    expect(b.x).toBeGreaterThan(a.x + a.width - 0.001);
    // 50 on the right axis (0–100) is half its height; 2 of 6 on the left a third.
    const full = c.bottom - c.top;
    expect(b.height / full).toBeCloseTo(0.5);
    expect(a.height / c2.height).toBeCloseTo(2 / 6);
    expect(c.rightTicks.at(-1)?.value).toBe(100);
    expect(c.lines[0]!.points).toHaveLength(1);
    expect(c.lines[0]!.path).toMatch(/^M[\d.]+,[\d.]+$/);
  });

  it("draws an empty axis for no data, and writes every n-th label when many would crowd", () => {
    const none = layout([], [{ label: "x", data: [], colour: "--ok" }]);
    expect(none.bars).toEqual([]);
    expect(none.leftTicks.at(-1)?.value).toBe(1);
    const many = Array.from({ length: 13 }, (_, i) => `week ${i + 1}`);
    const c = layout(many, [{ label: "x", data: many.map(() => 1), colour: "--ok" }]);
    expect(c.labels.map((l) => l.full)).toEqual(many.filter((_, i) => i % 2 === 0));
    const long = layout(["a-very-long-service-name"], [{ label: "x", data: [1], colour: "--ok" }]);
    expect(long.labels[0]).toEqual(
      expect.objectContaining({ text: "a-very-long-s…", full: "a-very-long-service-name" }),
    );
  });

  it("writes labels far enough apart not to overlap", () => {
    const days = Array.from({ length: 13 }, (_, i) => `Sep ${i + 1}, 2026`);
    const c = layout(days, [{ label: "x", data: days.map(() => 1), colour: "--ok" }]);
    const xs = c.labels.map((l) => l.x);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]!);
    expect(gaps.length).toBeGreaterThan(1);
    expect(Math.min(...gaps)).toBeGreaterThan(12 * 6);
  });

  it("writes values in the reader's language", () => {
    const fr = new Intl.NumberFormat("fr");
    const c = layout(["w"], [{ label: "h", data: [1.5], colour: "--ok" }], {}, (n) => fr.format(n));
    expect(c.bars[0]!.title).toBe("w — h: 1,5");
  });
});
