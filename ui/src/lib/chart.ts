// Where the marks of a bar chart go: bars (stacked, or side by side) and lines, on a left axis
// and an optional right one, in a drawing area as wide as the chart's box. The page
// draws them as SVG elements (components/Chart.svelte); d3-array rounds the axes and picks
// their ticks. (d3-scale would make the scales too, but what it imports changes built-in
// prototypes as it loads, which the app's frozen prototypes refuse: tauri.conf.json.)

import { nice, ticks } from "d3-array";

export interface Series {
  label: string;
  /** One value per label; `null` where there is nothing to plot. */
  data: (number | null)[];
  /** A colour of the app's theme, by its CSS variable: `--ok`, `--danger`, `--accent`. */
  colour: string;
  /** A line through its points rather than bars. */
  line?: boolean;
  /** On the right axis rather than the left. */
  right?: boolean;
}

export interface Options {
  /** The bars of the left axis stacked, one column per label (else side by side). */
  stacked?: boolean;
  /** The left axis counts: whole ticks only. */
  whole?: boolean;
  /** The right axis's top (e.g. 100 for a percentage); else the data's. */
  rightMax?: number;
  /** The width it is drawn at, in CSS pixels (its height follows, in the proportions of
   * `WIDTH` × `HEIGHT`): drawn at its box's width, the axes' text is not scaled, so it is drawn
   * in the page's own font size (a scaled size is a font WebKit loads anew, 12–15 ms each). */
  width?: number;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  colour: string;
  /** What it shows, for its tooltip: "label — series: value". */
  title: string;
}

export interface Line {
  colour: string;
  /** SVG path through the points that have a value (gaps are spanned). */
  path: string;
  points: { x: number; y: number; title: string }[];
}

export interface Tick {
  at: number;
  value: number;
}

export interface Layout {
  width: number;
  height: number;
  /** The plotting area's edges. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  bars: Bar[];
  lines: Line[];
  leftTicks: Tick[];
  rightTicks: Tick[];
  /** The category labels shown (every one, or every n-th when they would crowd). */
  labels: { x: number; text: string; full: string }[];
}

// The proportions of a chart, and the width it is laid out at until its box's is known (about
// the size it is shown at beside another in a window 1280 pixels wide).
export const WIDTH = 460;
export const HEIGHT = 240;
/** The most category labels written under the axis; the others are in the tooltips. */
const MOST_LABELS = 8;
/** The longest label written whole. */
const LONGEST = 14;
/** About the width of a character of the axes' text (11 px), and the room kept between two
 * labels. */
const CHAR = 6.2;
const GAP = 10;

/** The top of an axis holding `values` (at least 1: an empty chart still has an axis). */
function top(values: number[]): number {
  return Math.max(1, ...values.filter((v) => Number.isFinite(v)));
}

/** An axis from 0 to a round value at or above `max`, drawn from `bottom` up to `top`. */
function axis(max: number, bottom: number, top: number) {
  const [, hi] = nice(0, max, 5);
  const at = (v: number) => bottom - (v / hi) * (bottom - top);
  return { at, ticks: ticks(0, hi, 5) };
}

/** `n` bands side by side over `from`–`to`, with gaps between them (`inner`) and at the ends
 * (`outer`), as fractions of a step: where each starts, and their width. */
function bands(n: number, from: number, to: number, inner: number, outer: number) {
  const step = (to - from) / Math.max(1, n - inner + 2 * outer);
  const start = from + (to - from - step * (n - inner)) / 2;
  return { at: (i: number) => start + i * step, width: step * (1 - inner) };
}

/** The chart of `series` over `labels`, `format` writing values in the reader's language. */
export function layout(
  labels: readonly string[],
  series: readonly Series[],
  options: Options = {},
  format: (n: number) => string = String,
): Layout {
  const hasRight = series.some((s) => s.right);
  const width = Math.max(options.width ?? WIDTH, 200);
  const height = Math.round((width * HEIGHT) / WIDTH);
  const [left, right, topEdge, bottom] = [44, hasRight ? width - 44 : width - 12, 10, height - 28];
  const x = bands(labels.length, left, right, 0.25, 0.15);
  const bars = series.filter((s) => !s.line);
  const stackedLeft = options.stacked ? bars.filter((s) => !s.right) : [];
  const beside = bars.filter((s) => !stackedLeft.includes(s));
  // Side by side: each bar series has its place in the column; stacked, the left ones share one.
  const groups = [...(stackedLeft.length > 0 ? ["stack"] : []), ...beside.map((s) => s.label)];
  const inColumn = bands(groups.length, 0, x.width, 0.08, 0.08);
  const value = (s: Series, i: number) => s.data[i] ?? null;
  /** Every value plotted of the series `pick` keeps. */
  const values = (pick: (s: Series) => boolean) =>
    series.filter(pick).flatMap((s) => s.data.filter((v): v is number => v !== null));
  const sums = labels.map((_, i) =>
    stackedLeft.reduce((sum, s) => sum + Math.max(0, value(s, i) ?? 0), 0),
  );
  const yLeft = axis(
    top([...sums, ...values((s) => !s.right && !stackedLeft.includes(s))]),
    bottom,
    topEdge,
  );
  const yRight = axis(options.rightMax ?? top(values((s) => !!s.right)), bottom, topEdge);
  const y = (s: Series) => (s.right ? yRight : yLeft);
  const title = (i: number, s: Series, v: number) => `${labels[i]} — ${s.label}: ${format(v)}`;

  const drawn: Bar[] = [];
  /** The bar of `s`'s value `v` in column `i`, in `group`'s place, from `base` up. */
  const bar = (i: number, s: Series, group: string, base: number, v: number) => {
    const scale = y(s);
    const [y0, y1] = [scale.at(base), scale.at(base + Math.max(0, v))];
    drawn.push({
      x: x.at(i) + inColumn.at(groups.indexOf(group)),
      y: y1,
      width: inColumn.width,
      height: y0 - y1,
      colour: s.colour,
      title: title(i, s, v),
    });
  };
  labels.forEach((_, i) => {
    let base = 0;
    for (const s of stackedLeft) {
      const v = value(s, i);
      if (v === null || v <= 0) continue;
      bar(i, s, "stack", base, v);
      base += v;
    }
    for (const s of beside) {
      const v = value(s, i);
      if (v !== null) bar(i, s, s.label, 0, v);
    }
  });

  const lines: Line[] = series
    .filter((s) => s.line)
    .map((s) => {
      const scale = y(s);
      const points = labels.flatMap((_, i) => {
        const v = value(s, i);
        return v === null
          ? []
          : [{ x: x.at(i) + x.width / 2, y: scale.at(v), title: title(i, s, v) }];
      });
      const path = points.map((p, k) => `${k === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
      return { colour: s.colour, path, points };
    });

  const marks = (scale: typeof yLeft, whole: boolean): Tick[] =>
    scale.ticks
      .filter((v) => !whole || Number.isInteger(v))
      .map((v) => ({ at: scale.at(v), value: v }));
  // Every n-th label, so that they neither crowd nor overlap.
  const widest = Math.max(0, ...labels.map((l) => Math.min(l.length, LONGEST)));
  const room = (right - left) / Math.max(1, labels.length);
  const every = Math.max(
    1,
    Math.ceil(labels.length / MOST_LABELS),
    Math.ceil((widest * CHAR + GAP) / room),
  );
  return {
    width,
    height,
    left,
    right,
    top: topEdge,
    bottom,
    bars: drawn,
    lines,
    leftTicks: marks(yLeft, options.whole ?? false),
    rightTicks: hasRight ? marks(yRight, false) : [],
    labels: labels.flatMap((full, i) =>
      i % every === 0
        ? [
            {
              x: x.at(i) + x.width / 2,
              text: full.length > LONGEST ? `${full.slice(0, LONGEST - 1)}…` : full,
              full,
            },
          ]
        : [],
    ),
  };
}
