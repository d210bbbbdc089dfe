import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { calls } from "./backend";
import {
  PER_FRAME,
  VARIANTS,
  resetWarmFonts,
  styleOf,
  variantKey,
  warmed,
  warmFonts,
} from "./fonts";

describe("loading the pages' fonts ahead", () => {
  let frames: FrameRequestCallback[] = [];
  /** Run the frames asked so far; what they ask runs at the next call. */
  const drawFrame = async () => {
    const now = frames;
    frames = [];
    now.forEach((f) => f(0));
    await vi.advanceTimersByTimeAsync(0);
  };
  const box = () => document.querySelector<HTMLElement>("[data-testid=font-warmup]");

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("requestAnimationFrame", (f: FrameRequestCallback) => frames.push(f));
    Object.assign(calls, { inflight: 0 });
    resetWarmFonts();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    box()?.remove();
  });

  it("lays out a few fonts a frame, out of sight, then takes its lines away", async () => {
    const variants = VARIANTS.slice(0, PER_FRAME + 1);
    const warming = warmFonts(variants);
    expect(box()?.getAttribute("aria-hidden")).toBe("true");
    expect(box()?.style.opacity).toBe("0.01");
    expect(box()?.children.length).toBe(PER_FRAME);
    expect([...box()!.children].map((l) => l.getAttribute("style"))).toEqual(
      variants.slice(0, PER_FRAME).map(styleOf),
    );
    // Drawn in the frame after the one it was laid out for, then the next few.
    await drawFrame();
    expect(box()?.children.length).toBe(PER_FRAME);
    await drawFrame();
    expect(box()?.children.length).toBe(1);
    await drawFrame();
    await drawFrame();
    await warming;
    expect(box()).toBeNull();
    expect(warmed.length).toBe(variants.length);
  });

  it("waits while the user is at work, and runs once in the app's life", async () => {
    calls.inflight = 1;
    const warming = warmFonts(VARIANTS.slice(0, 1));
    expect(box()?.children.length).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(box()?.children.length).toBe(0);
    calls.inflight = 0;
    await vi.advanceTimersByTimeAsync(100);
    expect(box()?.children.length).toBe(1);
    await drawFrame();
    await drawFrame();
    await warming;
    expect(box()).toBeNull();
    await warmFonts(VARIANTS);
    expect(box()).toBeNull();
    expect(warmed.length).toBe(1);
  });

  it("writes each font as the stylesheets name it", () => {
    expect(styleOf({ family: "sans", size: 12.5, weight: 600, tabular: true })).toBe(
      "font-family: var(--font); font-size: 12.5px; font-weight: 600; font-style: normal; " +
        "font-variant-numeric: tabular-nums; letter-spacing: normal",
    );
    expect(styleOf({ family: "sans", size: 12, weight: 600, spaced: true })).toMatch(
      /; letter-spacing: 0\.04em$/,
    );
    expect(styleOf({ family: "monospace", size: 13, weight: 400, italic: true })).toMatch(
      /^font-family: monospace; .*font-style: italic/,
    );
    // No font twice.
    expect(new Set(VARIANTS.map(styleOf)).size).toBe(VARIANTS.length);
  });

  it("tells apart spaced letters and a list item's marker, as WebKit does", () => {
    const style = (more: Partial<CSSStyleDeclaration>) =>
      ({
        fontFamily: "Inter",
        fontSize: "12px",
        fontWeight: "600",
        fontStyle: "normal",
        fontVariantNumeric: "normal",
        letterSpacing: "normal",
        ...more,
      }) as CSSStyleDeclaration;
    const plain = variantKey(style({}));
    expect(variantKey(style({ letterSpacing: "0px" }))).toBe(plain);
    expect(variantKey(style({ letterSpacing: "0.48px" }))).toBe(plain.replace(/normal$/, "spaced"));
    // A marker is drawn with tabular figures whatever its item's.
    expect(variantKey(style({}), true)).toBe(
      variantKey(style({ fontVariantNumeric: "tabular-nums" })),
    );
  });
});
