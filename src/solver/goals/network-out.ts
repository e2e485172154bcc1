/**
 * Network-out balance: every eligible broker's network out (for each partition it leads: the consumers'
 * bytesOut plus one copy of bytesIn per follower) within ±threshold of its ideal — its share by
 * network-out capacity when every broker has one, else an even share. Leadership changes (no data
 * moves) are tried first; replicas move only for brokers that reordering cannot bring into the band.
 */
import type { Goal } from "../goal.js";
import { loadBandGoal } from "./load-goal.js";
import { NETWORK_OUT } from "./load-balance.js";

export const networkOutGoal: Goal = loadBandGoal("network-out", "network out", NETWORK_OUT, (t) => t.load.networkOut);
