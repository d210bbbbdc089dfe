import { describe, expect, it } from "vitest";
import { busiest, CHARTED } from "./metrics";

const s = (service: string, deployments: number) => ({ service, deployments });

describe("the services charted", () => {
  it("are the busiest first, by name among equals", () => {
    expect(busiest([s("b", 2), s("a", 2), s("c", 9), s("d", 1)], 3)).toEqual([
      s("c", 9),
      s("a", 2),
      s("b", 2),
    ]);
  });

  it("are all of them when there are few, and at most CHARTED when there are many", () => {
    expect(busiest([s("x", 1)])).toEqual([s("x", 1)]);
    const many = Array.from({ length: 200 }, (_, i) => s(`svc-${i}`, i % 7));
    expect(busiest(many)).toHaveLength(CHARTED);
    expect(busiest(many).every((x) => x.deployments === 6)).toBe(true);
  });

  it("leave the list they are taken from as it was", () => {
    const list = [s("a", 1), s("b", 2)];
    busiest(list);
    expect(list).toEqual([s("a", 1), s("b", 2)]);
  });
});
