/**
 * ---- `ballast balance` exit statuses: the one place they are defined --------------------------
 * The README's exit-code table lists them with every other command's. A scheduler acts on them:
 * 0 is success whatever the run did (the report and `--json`'s `outcome` say what: done, nothing to
 * do, proposed, outside the window), so a Kubernetes Job or systemd unit is not retried for a
 * balanced cluster; anything else needs a look.
 */
import type { JobOutcome } from "../executor/balance-job.js";
import { EXIT_LOCKED, EXIT_OK, EXIT_PARTIAL, EXIT_REFUSED, EXIT_TERMINATED, EXIT_USAGE } from "./exit-codes.js";

export { EXIT_REFUSED };

/** A run's outcome as an exit status. "stopped" without a signal is a lost lock (as for `execute`). */
export const BALANCE_EXIT: Readonly<Record<JobOutcome, number>> = {
  done: EXIT_OK,
  "nothing-to-do": EXIT_OK,
  proposed: EXIT_OK,
  "outside-window": EXIT_OK,
  failed: EXIT_PARTIAL,
  locked: EXIT_LOCKED,
  refused: EXIT_REFUSED,
  stopped: EXIT_LOCKED,
  error: EXIT_USAGE,
};

/** Of several clusters' outcomes, the status to exit with: the most serious one. */
export function fleetExit(outcomes: readonly JobOutcome[]): number {
  for (const o of ["failed", "stopped", "error", "refused", "locked"] as const) if (outcomes.includes(o)) return BALANCE_EXIT[o];
  return EXIT_OK;
}

export { EXIT_TERMINATED };
