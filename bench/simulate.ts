/**
 * Execution makespan on the in-process simulator: the planned reassignment run by the real executor
 * code against a simulated cluster at a fixed throttle, compared with the bandwidth lower bound (the
 * busiest broker's bytes to send or receive ÷ the throttle), which no schedule can beat.
 */
import { startExecution } from "../src/executor/execute.js";
import { MemoryStateStore } from "../src/executor/journal.js";
import { SIMULATED_PROGRESS_EVERY_MS, bandwidthLowerBound, createSimClock, createSimulatedCluster } from "../src/executor/simulator.js";
import { DEFAULT_LIMITS, DEFAULT_STRATEGY } from "../src/executor/types.js";
import type { StrategyName } from "../src/executor/types.js";
import type { Cluster, Reassignment } from "../src/model/types.js";

export interface SimulationResult {
  readonly makespanSeconds: number;
  readonly boundSeconds: number;
  readonly partitions: number;
  readonly wallMs: number;
  readonly status: string;
}

export async function simulateExecution(
  cluster: Cluster,
  reassignment: Reassignment,
  throttle: number,
  strategy: readonly StrategyName[] = DEFAULT_STRATEGY,
): Promise<SimulationResult> {
  const sim = createSimulatedCluster(cluster, { clock: createSimClock(), bandwidth: throttle * 4, skipQuietPolls: true });
  const clock = sim.clock;
  const started = performance.now();
  const store = new MemoryStateStore();
  const status = await startExecution(
    { port: sim.port, store, clock, emit: () => undefined, stop: { level: 0 }, pollMs: 5000, progressEveryMs: SIMULATED_PROGRESS_EVERY_MS },
    { reassignment },
    {
      limits: DEFAULT_LIMITS,
      strategy: [...strategy],
      throttle,
      partitionTimeoutMs: 30 * 24 * 3_600_000,
      brokerDownTimeoutMs: 3_600_000,
      pollMs: 5000,
      allowUnderReplicated: true,
    },
    "bench",
  );
  const tasks = store.load().tasks;
  return {
    makespanSeconds: sim.makespan(),
    boundSeconds: bandwidthLowerBound(tasks, throttle, new Set(cluster.brokers.filter((b) => b.status !== "alive").map((b) => b.id))),
    partitions: tasks.length,
    wallMs: performance.now() - started,
    status,
  };
}
