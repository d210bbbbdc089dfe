// Text from other people and other replicas, made safe to show. The backend refuses control
// characters and direction overrides on input, but the ledger may hold older events: a
// right-to-left override in a title would make it read differently from what is stored, and
// control characters have no place on screen. Each is shown as a visible escape (`\u{202e}`).
// Line breaks and tabs stay (descriptions and notes have several lines).

// C0 controls but tab and line feed, DEL, C1 controls, bidi embeddings/overrides and isolates.
const REFUSED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;

/** `s` with every refused character written as `\u{…}`. */
export function shownText(s: string): string {
  return s.replace(REFUSED, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** `v` with every string in it passed through {@link shownText}; unchanged parts are reused. */
export function shown<T>(v: T): T {
  if (typeof v === "string") return shownText(v) as T;
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    v.forEach((x, i) => {
      const y = shown(x);
      if (y !== x) (copy ??= v.slice())[i] = y;
    });
    return (copy ?? v) as T;
  }
  if (v !== null && typeof v === "object") {
    let copy: Record<string, unknown> | null = null;
    for (const [k, x] of Object.entries(v)) {
      const y = shown(x);
      if (y !== x) (copy ??= { ...(v as Record<string, unknown>) })[k] = y;
    }
    return (copy ?? v) as T;
  }
  return v;
}
