/**
 * Prometheus metrics of `ballast balance`, with prom-client: written at the end of each run in the
 * textfile-collector format (node_exporter's `--collector.textfile.directory`; written to a
 * temporary file and renamed, as the collector asks), and served by `ballast serve`.
 * Every gauge has a `cluster` label, so one file or endpoint covers a fleet.
 */
import { Gauge, Registry } from "prom-client";
import type { JobOutcome, JobReport } from "../executor/balance-job.js";

const OUTCOMES: readonly JobOutcome[] = ["done", "nothing-to-do", "proposed", "outside-window", "refused", "locked", "failed", "stopped", "error"];

export class BalanceMetrics {
  readonly registry = new Registry();
  private readonly g = {
    replicaSpread: this.gauge("ballast_replica_spread", "Largest minus smallest replica count over eligible brokers"),
    leaderSpread: this.gauge("ballast_leader_spread", "Largest minus smallest preferred-leader count over eligible brokers"),
    deviation: this.gauge("ballast_deviation_ratio", "Largest distance of a broker from its ideal share, as a fraction, per resource", ["resource"]),
    overCapacity: this.gauge("ballast_brokers_over_capacity", "Brokers above a capacity limit"),
    rackViolations: this.gauge("ballast_rack_violations", "Partitions breaking the rack rule"),
    offlineReplicas: this.gauge("ballast_offline_replicas", "Replicas Kafka lists as offline"),
    deadBrokers: this.gauge("ballast_dead_brokers", "Brokers holding replicas but not registered"),
    moves: this.gauge("ballast_last_run_moves", "Replica moves the last run made (or proposed)"),
    bytes: this.gauge("ballast_last_run_bytes_moved", "Bytes the last run moved (or proposed to move)"),
    status: this.gauge("ballast_last_run_status", "1 for the last run's outcome, 0 for the others", ["outcome"]),
    time: this.gauge("ballast_last_run_timestamp_seconds", "When the last run finished, seconds since the epoch"),
  };

  private gauge(name: string, help: string, labels: readonly string[] = []): Gauge {
    return new Gauge({ name, help, labelNames: ["cluster", ...labels], registers: [this.registry] });
  }

  /** Records one cluster's run. */
  record(report: JobReport): void {
    const cluster = report.cluster;
    const f = report.figures;
    if (f !== undefined) {
      this.g.replicaSpread.set({ cluster }, f.replicaSpread);
      this.g.leaderSpread.set({ cluster }, f.leaderSpread);
      this.g.deviation.set({ cluster, resource: "disk" }, f.diskDeviation);
      this.g.deviation.set({ cluster, resource: "network_in" }, f.networkInDeviation);
      this.g.deviation.set({ cluster, resource: "network_out" }, f.networkOutDeviation);
      this.g.overCapacity.set({ cluster }, f.brokersOverCapacity);
      this.g.rackViolations.set({ cluster }, f.rackViolations);
      this.g.offlineReplicas.set({ cluster }, f.offlineReplicas);
      this.g.deadBrokers.set({ cluster }, f.deadBrokers);
    }
    this.g.moves.set({ cluster }, report.moves);
    this.g.bytes.set({ cluster }, report.bytesMoved);
    for (const outcome of OUTCOMES) this.g.status.set({ cluster, outcome }, outcome === report.outcome ? 1 : 0);
    this.g.time.set({ cluster }, Math.round(report.finishedAt / 1000));
  }

  async text(): Promise<string> {
    return await this.registry.metrics();
  }
}
