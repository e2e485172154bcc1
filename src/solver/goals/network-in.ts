/**
 * Network-in balance: every eligible broker's network in (bytesIn of every replica it holds: produce on
 * leaders, replication fetch on followers) within ±threshold of its ideal — its share of the cluster's
 * total by network-in capacity when every broker has one (utilisation balance), else by its
 * replica-count target. Only replica moves and swaps change it.
 */
import type { Goal } from "../goal.js";
import { loadBandGoal } from "./load-goal.js";
import { NETWORK_IN } from "./load-balance.js";

export const networkInGoal: Goal = loadBandGoal("network-in", "network in", NETWORK_IN, (t) => t.load.networkIn);
