/**
 * Ballast as a library: the cluster model and its formats, and the planner.
 * The executor and CLI build on these; property tests use them directly.
 */
export * from "./model/index.js";
export { plan, assess, DEFAULT_DISK_THRESHOLD } from "./solver/index.js";
export type * from "./solver/types.js";
