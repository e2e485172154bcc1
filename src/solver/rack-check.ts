/**
 * Whether the rack rule can hold as written, checked before planning. For each replication factor
 * RF the ideal is at most share = ceil(RF / R) replicas of a partition in one rack (R: racks with
 * eligible brokers) and every replica on a host of its own. Rack r can then take min(hosts_r, share)
 * replicas of one partition, so the ideal holds exactly when those add up to RF. When they do not,
 * the planner still plans (targets.ts relaxes the rule to the best spread the racks allow) and this
 * finding says which racks are short and the smallest change that would make the ideal hold:
 *
 * - RF − Σ min(hosts_r, share) more brokers, each on a new host, in the short racks. No placement of
 *   new brokers does with fewer: a new or empty rack only lowers the share, and one broker raises the
 *   sum by at most one;
 * - as many excluded (or dead) brokers back, when enough of them sit on new hosts in the short racks;
 * - the largest lower replication factor for which the ideal holds on these brokers.
 *
 * With `--to-brokers` a partition may only use the listed brokers and the eligible brokers holding
 * it now, so the same sum is taken per partition over those; the fix names brokers to add to the list.
 * Plain data out; the message is one line for the plan's notes.
 */
import type { PlacementState } from "./state.js";
import type { Targets } from "./targets.js";

/** A rack that cannot take its share of a partition. */
export interface RackShortfall {
  readonly rack: string;
  /** Its eligible brokers (with `--to-brokers`: those the short partitions may use), ids ascending. */
  readonly brokers: readonly number[];
  /** The distinct hosts of those brokers. */
  readonly hosts: number;
}

/** Each field alone makes the ideal hold for the finding's replication factor (empty or 0: no such fix). */
export interface RackFix {
  /** Brokers to add, each on a host of its own, per rack (null when the cluster names no racks). */
  readonly addBrokers: readonly { readonly rack: string | null; readonly count: number }[];
  /** Excluded brokers to stop excluding. */
  readonly include: readonly number[];
  /** Dead brokers to bring back. */
  readonly revive: readonly number[];
  /** With `--to-brokers`: brokers to add to the list. */
  readonly receivers: readonly number[];
  /** The highest replication factor below RF for which the ideal holds (0: none, or not offered). */
  readonly lowerTo: number;
}

export interface RackFinding {
  /**
   * "rack": the racks lack brokers for the share; "host": they lack hosts (the brokers are enough);
   * "receivers": the brokers are enough but `--to-brokers` keeps some partitions from them.
   */
  readonly kind: "rack" | "host" | "receivers";
  readonly rf: number;
  /** The ideal's most replicas of one partition in one rack: ceil(RF / R). */
  readonly share: number;
  /** Partitions of this replication factor the finding covers, and their topics (names ascending). */
  readonly partitions: number;
  readonly topics: readonly string[];
  readonly racks: readonly RackShortfall[];
  readonly fix: RackFix;
  /** One line: the rule, the partitions, the short racks, what the plan does instead, and the fixes. */
  readonly message: string;
}

/** Findings in ascending replication factor; empty when the ideal rack rule can hold everywhere. */
export function rackFindings(state: PlacementState, targets: Targets): RackFinding[] {
  const byRf = new Map<number, number[]>();
  for (let p = 0; p < state.partitionCount; p++) {
    const list = byRf.get(state.rfOf(p));
    if (list) list.push(p);
    else byRf.set(state.rfOf(p), [p]);
  }
  const out: RackFinding[] = [];
  for (const rf of [...byRf.keys()].sort((a, b) => a - b)) {
    // Fewer eligible brokers than replicas is reported as infeasible elsewhere.
    if (rf < 2 || targets.rule(rf) === null) continue;
    const parts = byRf.get(rf)!;
    const finding = shapeFinding(state, targets, rf, parts) ?? (targets.restricted ? receiverFinding(state, targets, rf, parts) : null);
    if (finding !== null) out.push(finding);
  }
  return out;
}

function shareOf(rf: number, racks: number): number {
  return Math.ceil(rf / Math.max(1, racks));
}

function room(hosts: ArrayLike<number>, share: number): number {
  let s = 0;
  for (let r = 0; r < hosts.length; r++) s += Math.min(hosts[r]!, share);
  return s;
}

/** The finding when the eligible brokers themselves cannot hold the ideal, else null. */
function shapeFinding(state: PlacementState, targets: Targets, rf: number, parts: readonly number[]): RackFinding | null {
  const share = shareOf(rf, targets.activeRacks);
  const hostRoom = room(targets.rackHosts, share);
  if (hostRoom >= rf) return null;
  const kind = room(targets.rackBrokers, share) < rf ? "rack" : "host";
  const short: number[] = [];
  for (let r = 0; r < targets.rackCount; r++) if (targets.rackBrokersOf(r) > 0 && targets.rackHostsOf(r) < share) short.push(r);
  short.sort((a, b) => targets.rackHostsOf(a) - targets.rackHostsOf(b) || a - b);
  const deficit = rf - hostRoom;
  const addBrokers: { rack: string | null; count: number }[] = [];
  let left = deficit;
  for (const r of short) {
    if (left === 0) break;
    const n = Math.min(left, share - targets.rackHostsOf(r));
    addBrokers.push({ rack: state.hasRacks ? state.rackNameOf(r) : null, count: n });
    left -= n;
  }
  if (!state.hasRacks) {
    // Each failure domain is a host: every one is short, and new brokers are new domains.
    addBrokers.length = 0;
    addBrokers.push({ rack: null, count: deficit });
  }
  let lowerTo = 0;
  for (let k = rf - 1; k >= 1 && lowerTo === 0; k--) if (room(targets.rackHosts, shareOf(k, targets.activeRacks)) >= k) lowerTo = k;
  const fix: RackFix = {
    addBrokers,
    include: comeBack(state, short, share, targets, deficit, (b) => state.excluded[b] === 1 && state.dead[b] === 0),
    revive: comeBack(state, short, share, targets, deficit, (b) => state.dead[b] === 1 && state.excluded[b] === 0),
    receivers: [],
    lowerTo,
  };
  const racks = short.map((r) => shortfall(state, r, (b) => state.eligible[b] === 1));
  const topics = topicsOf(state, parts);
  const message =
    `rack-spread: ${String(parts.length)} partition(s) with replication factor ${String(rf)} (${topicList(topics)}) cannot have ` +
    `${ideal(state, share, kind === "host" || sharedHosts(state))}: ${shortText(state, racks, kind, rf, targets)}; ` +
    `the plan ${relaxed(targets, rf, share)}; ${fixText(state, fix, topics)}`;
  return { kind, rf, share, partitions: parts.length, topics, racks, fix, message };
}

/**
 * Brokers (matching `which`) on hosts with no eligible broker in the short racks, at most what each
 * rack lacks, until `deficit`: the brokers that, made eligible, would be enough; empty when they are not.
 */
function comeBack(
  state: PlacementState,
  short: readonly number[],
  share: number,
  targets: Targets,
  deficit: number,
  which: (b: number) => boolean,
): number[] {
  const taken = new Set<number>();
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) taken.add(state.hostIndexOf(b));
  const out: number[] = [];
  const take = (b: number): boolean => {
    if (!which(b) || taken.has(state.hostIndexOf(b))) return false;
    taken.add(state.hostIndexOf(b));
    out.push(state.idOf(b));
    return true;
  };
  if (!state.hasRacks) {
    // Without racks each host is a failure domain: any broker on a new host adds one.
    for (let b = 0; b < state.brokerCount && out.length < deficit; b++) take(b);
  }
  for (const r of state.hasRacks ? short : []) {
    let lacks = share - targets.rackHostsOf(r);
    for (let b = 0; b < state.brokerCount && lacks > 0 && out.length < deficit; b++) if (state.rackOf[b] === r && take(b)) lacks--;
  }
  return out.length === deficit ? out.sort((a, b) => a - b) : [];
}

/**
 * With `--to-brokers`: the partitions that cannot reach the ideal over the brokers they may use (the
 * listed ones and the eligible ones holding them now), though the eligible brokers could hold it.
 */
function receiverFinding(state: PlacementState, targets: Targets, rf: number, parts: readonly number[]): RackFinding | null {
  const share = shareOf(rf, targets.activeRacks);
  const R = targets.rackCount;
  const want = Int32Array.from(targets.rackHosts, (h) => Math.min(h, share));
  const shortRacks = new Uint8Array(R);
  const stuck: number[] = [];
  const usable = (p: number, b: number): boolean => state.eligible[b] === 1 && targets.canReceive(p, b);
  for (const p of parts) {
    const hosts: Set<number>[] = Array.from({ length: R }, () => new Set());
    for (let b = 0; b < state.brokerCount; b++) if (usable(p, b)) hosts[state.rackIndexOf(b)]!.add(state.hostIndexOf(b));
    if (room(hosts.map((h) => h.size), share) >= rf) continue;
    stuck.push(p);
    for (let r = 0; r < R; r++) if (hosts[r]!.size < want[r]!) shortRacks[r] = 1;
  }
  if (stuck.length === 0) return null;
  // In each short rack, listed brokers on new hosts until the listed hosts there reach the rack's want:
  // then every partition has at least min(hosts_r, share) usable hosts in every rack, which sums to RF.
  const receivers: number[] = [];
  const racks: RackShortfall[] = [];
  for (let r = 0; r < R; r++) {
    if (!shortRacks[r]) continue;
    const seen = new Set<number>();
    for (let b = 0; b < state.brokerCount; b++) if (state.rackOf[b] === r && targets.receives[b]) seen.add(state.hostIndexOf(b));
    racks.push(shortfall(state, r, (b) => targets.receives[b] === 1));
    for (let b = 0; b < state.brokerCount && seen.size < want[r]!; b++) {
      if (state.rackOf[b] !== r || !state.eligible[b] || targets.receives[b] || seen.has(state.hostIndexOf(b))) continue;
      seen.add(state.hostIndexOf(b));
      receivers.push(state.idOf(b));
    }
  }
  receivers.sort((a, b) => a - b);
  const fix: RackFix = { addBrokers: [], include: [], revive: [], receivers, lowerTo: 0 };
  const topics = topicsOf(state, stuck);
  const where = racks
    .map((s) => `${domain(state, s.rack)} has ${s.brokers.length === 0 ? "no broker" : `only ${count(s.hosts, "host")}`} of --to-brokers`)
    .join(", ");
  const message =
    `rack-spread: ${String(stuck.length)} partition(s) with replication factor ${String(rf)} (${topicList(topics)}) cannot have ` +
    `${ideal(state, share, sharedHosts(state))} using only --to-brokers and the brokers that hold them now: ${where}; ` +
    `they stay short of the rule; add broker(s) ${receivers.join(", ")} to --to-brokers, or plan without --to-brokers`;
  return { kind: "receivers", rf, share, partitions: stuck.length, topics, racks, fix, message };
}

function shortfall(state: PlacementState, r: number, member: (b: number) => boolean): RackShortfall {
  const brokers: number[] = [];
  const hosts = new Set<number>();
  for (let b = 0; b < state.brokerCount; b++) {
    if (state.rackOf[b] !== r || !member(b)) continue;
    brokers.push(state.idOf(b));
    hosts.add(state.hostIndexOf(b));
  }
  return { rack: state.rackNameOf(r), brokers, hosts: hosts.size };
}

function topicsOf(state: PlacementState, parts: readonly number[]): string[] {
  const names = new Set<string>();
  for (const p of parts) names.add(state.topicNameOf(state.topicIndexOf(p)));
  return [...names].sort();
}

/** True when some host names more than one broker (so the host rule says more than the rack rule). */
function sharedHosts(state: PlacementState): boolean {
  const seen = new Set<number>();
  for (let b = 0; b < state.brokerCount; b++) {
    if (seen.has(state.hostIndexOf(b))) return true;
    seen.add(state.hostIndexOf(b));
  }
  return false;
}

function ideal(state: PlacementState, share: number, hosts: boolean): string {
  if (!state.hasRacks) return "every replica on a host of its own";
  return `at most ${count(share, "replica")} in a rack${hosts ? ", each on a host of its own" : ""}`;
}

function shortText(state: PlacementState, racks: readonly RackShortfall[], kind: "rack" | "host", rf: number, targets: Targets): string {
  if (!state.hasRacks) return `the eligible brokers are on ${count(sum(targets.rackHosts), "host")}, fewer than ${String(rf)}`;
  return racks
    .map((s) => {
      const on = kind === "host" || s.hosts < s.brokers.length ? ` on ${count(s.hosts, "host")}` : "";
      return `rack ${s.rack} has ${count(s.brokers.length, "eligible broker")} (${ids(s.brokers)})${on}`;
    })
    .join(", ");
}

/** What the planner does instead, from the rule targets.ts settled on. */
function relaxed(targets: Targets, rf: number, share: number): string {
  const rule = targets.rule(rf)!;
  const parts: string[] = [];
  if (rule.maxPerRack > share) parts.push(`puts up to ${count(rule.maxPerRack, "replica")} of a partition in one rack`);
  if (!rule.hostRule) parts.push("lets replicas of a partition share a host");
  return parts.length > 0 ? parts.join(" and ") : "spreads them as evenly as the racks allow";
}

function fixText(state: PlacementState, fix: RackFix, topics: readonly string[]): string {
  const each = sharedHosts(state) ? " (each on a new host)" : "";
  const fixes = fix.addBrokers.map((a) =>
    a.rack === null ? `add ${count(a.count, "broker")} on ${a.count === 1 ? "a new host" : "new hosts"}` : `add ${count(a.count, "broker")}${each} to rack ${a.rack}`,
  );
  const alternatives = [fixes.join(" and ")];
  if (fix.include.length > 0) alternatives.push(`stop excluding broker(s) ${fix.include.join(", ")}`);
  if (fix.revive.length > 0) alternatives.push(`bring back dead broker(s) ${fix.revive.join(", ")}`);
  if (fix.lowerTo > 0) alternatives.push(`lower the replication factor of ${topicList(topics)} to ${String(fix.lowerTo)}`);
  if (alternatives.length === 1) return alternatives[0]!;
  return `${alternatives.slice(0, -1).join(", ")}, or ${alternatives[alternatives.length - 1]!}`;
}

function domain(state: PlacementState, rack: string): string {
  return state.hasRacks ? `rack ${rack}` : rack;
}

function topicList(topics: readonly string[]): string {
  const head = topics.slice(0, 5).join(", ");
  const rest = topics.length > 5 ? `, … ${String(topics.length - 5)} more` : "";
  return `${topics.length === 1 ? "topic" : "topics"} ${head}${rest}`;
}

function ids(list: readonly number[]): string {
  return list.length <= 8 ? list.join(", ") : `${list.slice(0, 8).join(", ")}, … ${String(list.length - 8)} more`;
}

function count(n: number, noun: string): string {
  return `${String(n)} ${noun}${n === 1 ? "" : "s"}`;
}

function sum(a: Int32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
