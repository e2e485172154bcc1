/**
 * `ballast`: Ballast as a library. Parse a snapshot, assess its balance, plan a reassignment, and
 * apply it through the executor over a Kafka port (the kafkajs adapter, or the simulator for a dry
 * run). Everything here is a documented, typed entry point (docs/library.md); modules not exported
 * here are internal and may change in any release.
 *
 * The model and solver are pure (no I/O, no clock); the executor does I/O through the port.
 * For property tests over synthetic clusters, see `ballast/testing`.
 */

// The model: cluster snapshots, their formats and validation, configs, units, generated clusters,
// Kafka's reassignment JSON, and BallastError.
export * from "./model/index.js";

// The solver: a cluster's balance as it is, and a plan that balances it.
export { assess, plan, DEFAULT_DISK_THRESHOLD } from "./solver/index.js";
export type * from "./solver/types.js";

// The executor, through the port: a live snapshot, and applying, resuming, cancelling a plan.
export type {
  AlterOp,
  BrokerNode,
  ClusterDescription,
  ConfigEntry,
  ConfigResource,
  ConfigResourceType,
  KafkaPort,
  LockOutcome,
  OngoingReassignment,
  PartitionMetadata,
  PartitionRef,
  PartitionResult,
  ReplicaLogDir,
  ResourceResult,
  TopicMetadata,
} from "./executor/port.js";
export { createKafkajsPort, type KafkajsPortOptions } from "./executor/kafkajs/adapter.js";
export { liveSnapshot, type SnapshotOptions } from "./executor/snapshot.js";
export { executionContext, executionPlan, type ContextOptions } from "./executor/apply.js";
export {
  cancelExecution,
  executionStatus,
  requestThrottle,
  resumeExecution,
  rollbackText,
  startExecution,
  type ExecutionContext,
  type ExecutionSummary,
  type ResumeOverrides,
} from "./executor/execute.js";
export type { Emit, ExecuteOptions, ExecutionEvent, ExecutionPlan, StopSignal } from "./executor/runner.js";
export { StateStore, type ExecutionState, type ExecutionStatus, type TaskRecord, type TaskState } from "./executor/journal.js";
export { DEFAULT_LIMITS, STRATEGY_NAMES, systemClock, type BatchLimits, type Clock, type MoveTask, type StrategyName } from "./executor/types.js";
export {
  createSimClock,
  createSimulatedCluster,
  DEFAULT_SIM_BANDWIDTH,
  type SimClock,
  type SimulatedCluster,
  type SimulatedClusterOptions,
} from "./executor/simulator.js";
