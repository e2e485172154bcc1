/**
 * Explanations (`--explain`): for every partition a plan changes, the actions that changed it, each
 * with the goal that asked for it and that goal's figure over the brokers the action touched, before
 * and after (the same per-broker terms the goal's score sums: distance from a band, replicas breaking
 * the rack rule, load over capacity). A figure that does not drop means the action was a step of a
 * larger fix (one half of an exchange) or a take-back of a move no goal needed.
 */
import type { GoalId } from "./goal.js";
import { localScores } from "./budget.js";
import type { Recorder } from "./optimizer.js";
import type { Action, PlacementState } from "./state.js";
import type { Targets } from "./targets.js";
import type { Explanation, ExplainedAction } from "./types.js";

interface Raw {
  /** The partitions the action changed. */
  readonly partitions: readonly number[];
  readonly action: ExplainedAction;
}

/** Records actions as the optimizer applies them; `explanations` then reports the changed partitions. */
export class ExplainRecorder implements Recorder {
  private readonly raw: Raw[] = [];

  constructor(
    private readonly state: PlacementState,
    private readonly targets: Targets,
  ) {}

  begin(goal: GoalId | "take-back", a: Action): () => void {
    const { state } = this;
    const brokers = touched(state, a);
    const partitions =
      a.kind === "trade" && a.r !== undefined ? [a.p, a.q, a.r] : a.kind === "swap" || a.kind === "trade" ? [a.p, a.q] : [a.p];
    const figure = (): number => (goal === "take-back" ? 0 : partitions.reduce((s, p) => s + localScores(state, this.targets, [goal], p, brokers)[0]!, 0));
    const before = figure();
    const from = brokers.map((b) => state.idOf(b));
    return () => {
      const action: ExplainedAction = { kind: a.kind, goal, brokers: from, before, after: figure() };
      this.raw.push({ partitions, action });
    };
  }

  /** Per partition whose replica list changed (in partition order), the actions that touched it. */
  explanations(final: PlacementState): Explanation[] {
    const byPartition = new Map<number, ExplainedAction[]>();
    for (const r of this.raw) {
      for (const p of r.partitions) {
        const list = byPartition.get(p) ?? [];
        list.push(r.action);
        byPartition.set(p, list);
      }
    }
    const out: Explanation[] = [];
    for (let p = 0; p < final.partitionCount; p++) {
      const from = final.originalIds(p);
      const to = final.replicaIds(p);
      if (from.every((b, i) => b === to[i])) continue;
      out.push({ topic: final.topicNameOf(final.topicIndexOf(p)), partition: final.partitionNumber[p]!, from, to, actions: byPartition.get(p) ?? [] });
    }
    return out;
  }
}

/** Brokers an action touches (state indexes), before it is applied. */
function touched(state: PlacementState, a: Action): number[] {
  const out = new Set<number>();
  for (const c of [...state.leaderChanges(a), ...state.changes(a)]) {
    out.add(c.from);
    out.add(c.to);
  }
  return [...out];
}
