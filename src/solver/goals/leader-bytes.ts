/**
 * Leader-bytes balance: the produce traffic (bytesIn) of the partitions each broker leads within
 * ±threshold of its ideal — its share by network-in capacity when every broker has one, else an even
 * share. Leadership changes first, replica moves only where reordering cannot reach the band.
 */
import type { Goal } from "../goal.js";
import { loadBandGoal } from "./load-goal.js";
import { LEADER_BYTES } from "./load-balance.js";

export const leaderBytesGoal: Goal = loadBandGoal("leader-bytes", "leader bytes", LEADER_BYTES, (t) => t.load.leaderBytes);
