import { describe, expect, it } from "vitest";
import { shown, shownText } from "./shown";

describe("outside text on screen", () => {
  it("writes controls and direction overrides as visible escapes", () => {
    expect(shownText("\u202egnp.exe")).toBe("\\u{202e}gnp.exe");
    expect(shownText("red \u001b[31m\u0000\u009b\u2066x\u2069")).toBe(
      "red \\u{1b}[31m\\u{0}\\u{9b}\\u{2066}x\\u{2069}",
    );
    expect(shownText("carriage\r")).toBe("carriage\\u{d}");
  });

  it("keeps language: accents, right-to-left letters and marks, line breaks and tabs", () => {
    for (const ok of [
      "Déploiement «prod»",
      "שלום\u200f",
      "two\nlines\tand a tab",
      "x'; DROP TABLE--",
    ])
      expect(shownText(ok)).toBe(ok);
  });

  it("reaches every string of a result and reuses what it does not change", () => {
    const clean = { id: "r1", envs: ["prod"], n: 3, ok: true, none: null };
    expect(shown(clean)).toBe(clean);
    const dirty = { release: { title: "a\u202eb", envs: ["prod", "x\u001b"] }, clean };
    const out = shown(dirty);
    expect(out.release.title).toBe("a\\u{202e}b");
    expect(out.release.envs).toEqual(["prod", "x\\u{1b}"]);
    expect(out.clean).toBe(clean);
    expect(dirty.release.title).toBe("a\u202eb");
  });
});
