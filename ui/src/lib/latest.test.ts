import { describe, expect, it } from "vitest";
import { latest } from "./latest";

/** A backend call whose answer the test releases by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("the latest question", () => {
  it("runs the first ask at once, without waiting for typing to pause", () => {
    let runs = 0;
    const ask = latest(async () => {
      runs++;
    });
    ask();
    expect(runs).toBe(1);
  });

  it("folds the asks made while a run is out into one more run, and shows only its answer", async () => {
    const gates: ReturnType<typeof gate>[] = [];
    const shown: number[] = [];
    let filter = 0;
    const ask = latest(async (current) => {
      const g = gate();
      gates.push(g);
      const asked = filter;
      await g.opened;
      if (current()) shown.push(asked);
    });
    filter = 1;
    ask();
    for (filter = 2; filter <= 4; filter++) ask();
    filter = 4;
    expect(gates.length).toBe(1);
    gates[0]!.open();
    await tick();
    // The first answer was overtaken: kept to itself. One more run reads the filter as it is.
    expect(shown).toEqual([]);
    expect(gates.length).toBe(2);
    gates[1]!.open();
    await tick();
    expect(shown).toEqual([4]);
    expect(gates.length).toBe(2);
  });

  it("goes on after a run that failed", async () => {
    let runs = 0;
    const ask = latest(async () => {
      runs++;
      throw new Error("the backend said no");
    });
    ask();
    await tick();
    ask();
    await tick();
    expect(runs).toBe(2);
  });
});
