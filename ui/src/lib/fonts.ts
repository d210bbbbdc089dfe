// The fonts the pages draw in, loaded while the user reads the first page. WebKit loads a
// font the first time text is laid out in it: a family, size, weight and style it has not met
// costs a font lookup (each family of the stack tried in turn) and, when drawn, its glyphs. On
// the machine the benchmarks ran on that is 8–16 ms each, and a page that draws three or four
// new ones took 40–90 ms longer to show the first time (docs/BENCHMARKS.md). Laid out and drawn
// once here, a few at a time while the app is quiet, they are ready when a page needs them.

import { calls } from "./backend";

/** A font the stylesheets draw text in: `sans` is the app's `--font`, `mono` its `--mono`,
 * `monospace` the browser's own (code and preformatted text). */
export interface Variant {
  family: "sans" | "mono" | "monospace";
  size: number;
  weight: number;
  italic?: boolean;
  tabular?: boolean;
  /** Letters spaced out (`letter-spacing` other than 0): WebKit then turns ligatures off, which
   * makes it another font. */
  spaced?: boolean;
}

const sans = (size: number, weight: number, more: Partial<Variant> = {}): Variant => ({
  family: "sans",
  size,
  weight,
  ...more,
});

/**
 * Every font the pages draw text in. An end-to-end test visits every page and fails on text
 * drawn in a font missing here: a stylesheet that brings in a new size or weight adds it.
 */
export const VARIANTS: readonly Variant[] = [
  sans(10, 400),
  sans(10, 600),
  sans(11, 400),
  sans(11, 600),
  sans(11, 700),
  sans(12, 400),
  sans(12, 400, { tabular: true }),
  sans(12, 600),
  sans(12, 600, { spaced: true }),
  sans(12, 700),
  sans(12.5, 400),
  sans(13, 400),
  sans(13, 400, { tabular: true }),
  sans(13, 600),
  sans(13, 700),
  sans(13, 700, { spaced: true }),
  sans(13.5, 400),
  sans(13.5, 700),
  sans(14, 400),
  sans(14, 400, { italic: true }),
  sans(14, 400, { tabular: true }),
  sans(14, 500),
  sans(14, 600),
  sans(14, 700),
  sans(14, 700, { tabular: true }),
  sans(15, 650),
  sans(16, 650),
  sans(16, 700),
  sans(17, 700),
  sans(22, 650),
  sans(22, 700, { tabular: true }),
  sans(22, 800),
  sans(28, 700),
  { family: "mono", size: 12, weight: 400 },
  { family: "mono", size: 12.5, weight: 400 },
  { family: "mono", size: 13, weight: 400 },
  { family: "monospace", size: 12, weight: 400 },
  { family: "monospace", size: 13, weight: 400 },
];

/** What the text is laid out with: the letters, digits and signs of both languages. */
const SAMPLE =
  "AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRrSsTtUuVvWwXxYyZz 0123456789 " +
  "ÀÂÇÉÈÊËÎÏÔÙÛÜàâçéèêëîïôùûüœæ ’'\"«»“”…—–·•:;,.!?()[]{}/\\%&@#+-=×−→←↑↓✓✗⚠‹›";

/** The inline style of text drawn in `v`. */
export function styleOf(v: Variant): string {
  const family = { sans: "var(--font)", mono: "var(--mono)", monospace: "monospace" }[v.family];
  return [
    `font-family: ${family}`,
    `font-size: ${v.size}px`,
    `font-weight: ${v.weight}`,
    `font-style: ${v.italic ? "italic" : "normal"}`,
    `font-variant-numeric: ${v.tabular ? "tabular-nums" : "normal"}`,
    `letter-spacing: ${v.spaced ? "0.04em" : "normal"}`,
  ].join("; ");
}

/** A font as WebKit tells it apart, from an element's computed style: what the end-to-end
 * test compares. `marker`: the font of a list item's marker (its number or bullet), which
 * WebKit draws with tabular figures. */
export function variantKey(s: CSSStyleDeclaration, marker = false): string {
  const spaced = s.letterSpacing !== "normal" && parseFloat(s.letterSpacing) !== 0;
  return [
    s.fontFamily,
    s.fontSize,
    s.fontWeight,
    s.fontStyle,
    marker ? "tabular-nums" : s.fontVariantNumeric,
    spaced ? "spaced" : "normal",
  ].join(" | ");
}

/** How many fonts are laid out and drawn per frame: one frame stays short (about 30 ms on two
 * slow cores) if the user acts meanwhile. */
export const PER_FRAME = 3;

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let done = false;

/** What the warm-up laid out (their `variantKey`s), for the end-to-end test. */
export const warmed: string[] = [];

/**
 * Lay out and draw a line in each of `variants`, PER_FRAME at a time, out of sight: behind the
 * app and almost transparent (but in view, as text outside the view or clipped is not drawn),
 * hidden from assistive technology. While a backend call is in flight (the user is at work),
 * wait. Once in the app's life: a later call does nothing.
 */
export async function warmFonts(variants: readonly Variant[] = VARIANTS): Promise<void> {
  if (done) return;
  done = true;
  const box = document.createElement("div");
  box.setAttribute("aria-hidden", "true");
  box.dataset.testid = "font-warmup";
  box.style.cssText =
    "position: fixed; left: 0; top: 0; z-index: -1; opacity: 0.01; pointer-events: none;" +
    " white-space: nowrap; contain: layout style";
  document.body.append(box);
  try {
    for (let i = 0; i < variants.length; i += PER_FRAME) {
      while (calls.inflight > 0) await pause(100);
      for (const v of variants.slice(i, i + PER_FRAME)) {
        const line = document.createElement("div");
        line.setAttribute("style", styleOf(v));
        line.textContent = SAMPLE;
        box.append(line);
        warmed.push(variantKey(getComputedStyle(line)));
      }
      // Laid out now; drawn in the next frame.
      void box.offsetHeight;
      await frame();
      await frame();
      box.replaceChildren();
    }
  } finally {
    box.remove();
  }
}

/** Forget that the warm-up ran (tests). */
export function resetWarmFonts() {
  done = false;
  warmed.length = 0;
}

// For the end-to-end test: what was loaded, and how it tells fonts apart.
Object.assign(globalThis, { __relmFonts: warmed, __relmFontKey: variantKey });
