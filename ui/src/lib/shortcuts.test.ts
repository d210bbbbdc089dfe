import { describe, expect, it } from "vitest";
import { interpret } from "./shortcuts";

const none = { ctrl: false, shift: false };

describe("shortcuts", () => {
  it("g then a letter goes to a page", () => {
    const first = interpret("g", false, none);
    expect(first).toEqual({ action: null, pending: true });
    expect(interpret("r", true, none).action).toEqual({ kind: "go", page: "releases" });
    expect(interpret("a", true, none).action).toEqual({ kind: "go", page: "audit" });
    expect(interpret("x", true, none)).toEqual({ action: null, pending: false });
  });

  it("single keys and chords", () => {
    expect(interpret("n", false, none).action).toEqual({ kind: "new" });
    expect(interpret("?", false, none).action).toEqual({ kind: "help" });
    expect(interpret("S", false, { ctrl: true, shift: true }).action).toEqual({ kind: "sync" });
    expect(interpret("n", false, { ctrl: true, shift: false }).action).toBeNull();
    expect(interpret("z", false, { ctrl: true, shift: false }).action).toEqual({ kind: "undo" });
    expect(interpret("Z", false, { ctrl: true, shift: true }).action).toBeNull();
    expect(interpret("z", false, none).action).toBeNull();
  });
});
