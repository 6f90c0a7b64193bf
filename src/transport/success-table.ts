import type { PlannedRequest } from '../plan/build-plan.js';

/** Status codes are looked up in a flat table: a row per request, 1000 columns (0 and 100..999). */
export const STATUS_COLUMNS = 1000;

/**
 * Which statuses count as success, per request: row `index * STATUS_COLUMNS`, column = status (0 for anything
 * out of range), 1 = success. A request without `expectedStatuses` succeeds on any 2xx or 3xx.
 * Look-up: `table[row + (status < STATUS_COLUMNS ? status : 0)] === 1`.
 */
export function successTableOf(requests: readonly PlannedRequest[]): Uint8Array {
  const table = new Uint8Array(requests.length * STATUS_COLUMNS);
  requests.forEach((request, index) => {
    const row = index * STATUS_COLUMNS;
    if (request.expectedStatuses === undefined) {
      for (let status = 200; status < 400; status++) table[row + status] = 1;
    } else {
      for (const status of request.expectedStatuses) if (status > 0 && status < STATUS_COLUMNS) table[row + status] = 1;
    }
  });
  return table;
}
