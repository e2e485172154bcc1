/**
 * Balance configuration (the `--config` YAML file), as plain data. Its keys and types are declared
 * with the other balance options in options-spec.ts; parsing lives in config-parse.ts.
 */
export {
  type BalanceConfig,
  CAPACITY_RESOURCES,
  type CapacityThresholdConfig,
  DEFAULT_GOALS,
  GOAL_NAMES,
  type GoalName,
} from "./options-spec.js";
