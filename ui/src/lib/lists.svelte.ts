// What a list page was showing (its filters and order), kept while the app runs: coming back
// from a release finds the list as it was left.

import type { ReleaseQuery } from "./types";

export const EMPTY_RELEASE_FILTERS = {
  service: "",
  environment: "",
  status: "",
  change_type: "",
  from: "",
  to: "",
};

export const releaseList = $state<{ filters: ReleaseQuery; sort: string }>({
  filters: { ...EMPTY_RELEASE_FILTERS },
  sort: "-created",
});
