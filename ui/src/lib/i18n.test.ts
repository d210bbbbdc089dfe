import { describe, expect, it } from "vitest";
import { en, fr } from "./messages";

/** The values a message uses: `{name}` and the `{count, plural, …}` selectors. */
const placeholders = (s: string) =>
  [...new Set([...s.matchAll(/\{(\w+)(?=\}|, plural,)/g)].map((m) => m[1]))].sort();

describe("messages", () => {
  it("every English key has a French value, and no extra French keys", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(fr)) expect(v.trim(), k).not.toBe("");
  });

  it("French keeps the same placeholders", () => {
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(fr[k]), k).toEqual(placeholders(en[k]));
    }
  });
});

/** What a French reader would correct, checked on every French message. */
describe("French a French reader would not correct", () => {
  const values = Object.entries(fr) as [string, string][];
  // Outside text the messages quote as is: commands, digests, keys, times, links.
  const code = /`[^`]*`|sha256:|ed25519:|https?:|\{[^}]*\}|relm [a-z -]+|\d\d:\d\d/g;
  const prose = (v: string) => v.replace(code, "");

  it("puts a non-breaking space before : ; ! ? and inside « »", () => {
    for (const [k, v] of values) {
      const p = prose(v);
      expect(p, k).not.toMatch(/ [:;!?»]|« /);
      expect(p, k).not.toMatch(/[\p{L}\d)][:;!?»]/u);
      expect(p, k).not.toMatch(/«[^\u00a0]/);
    }
  });

  it("quotes names with « » (and English with “ ”), never with a programmer's backticks", () => {
    for (const [k, v] of [...values, ...(Object.entries(en) as [string, string][])])
      expect(v, k).not.toMatch(/`/);
  });

  it("uses the typographic apostrophe", () => {
    for (const [k, v] of values) expect(prose(v), k).not.toMatch(/'/);
  });

  it("says plurals with the language's rules, not with (s)", () => {
    for (const [k, v] of [...values, ...(Object.entries(en) as [string, string][])])
      expect(v, k).not.toMatch(/\(s\)/);
  });

  it("leaves no English word behind", () => {
    for (const [k, v] of values)
      expect(prose(v), k).not.toMatch(/\b(ok|the|and|kernel keyring|release|status)\b/i);
  });
});
