/**
 * `ballast/testing`: what Ballast's own property tests use, for yours. fast-check cluster
 * arbitraries (small synthetic clusters, realistic-load ones, plan options drawn against a cluster)
 * and the independent invariant checks every plan must pass (computed from the cluster and the plan
 * alone, never from the solver's internals), plus the metamorphic relabelling check.
 *
 * This entry needs fast-check (a peer dependency of it alone; the `ballast` entry does not) and
 * throws node:assert AssertionErrors, as test runners expect. See docs/library.md.
 */
export * from "./arbitraries.js";
export * from "./invariants.js";
export * from "./relabel.js";
