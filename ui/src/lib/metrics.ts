// What the metrics page charts.

/** How many services the chart by service shows: more make an unreadable comb of bars (the
 * table below the charts lists every one). */
export const CHARTED = 12;

/** The `n` services with the most deployments, the busiest first (by name among equals). */
export function busiest<T extends { service: string; deployments: number }>(
  services: readonly T[],
  n = CHARTED,
): T[] {
  return [...services]
    .sort(
      (a, b) =>
        b.deployments - a.deployments ||
        (a.service < b.service ? -1 : a.service > b.service ? 1 : 0),
    )
    .slice(0, n);
}
