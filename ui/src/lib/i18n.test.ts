import { describe, expect, it } from "vitest";
import { en, fr } from "./messages";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

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
