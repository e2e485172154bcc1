/**
 * Kafka's own rules for names and ids, checked wherever they enter Ballast (snapshots, plans, topics
 * files, flags, the journal) so that nothing downstream prints, keys or sends a name Kafka would refuse.
 */

/** Kafka's limit on a topic name's length (`Topic.MAX_NAME_LENGTH`). */
export const MAX_TOPIC_NAME_LENGTH = 249;
/** Broker ids and partition numbers are int32 in Kafka's protocol. */
export const MAX_INT32 = 2 ** 31 - 1;

const LEGAL_TOPIC_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Why `name` cannot be a Kafka topic name, or undefined when it can: 1–249 characters of ASCII
 * letters, digits, `.`, `_` and `-`, and not `.` or `..` (Kafka's `Topic.validate`). The reason never
 * repeats the name; callers quote it (capped and escaped) where they say where it is.
 */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return "a topic name cannot be empty";
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `a topic name has at most ${MAX_TOPIC_NAME_LENGTH} characters (this one has ${name.length})`;
  if (name === "." || name === "..") return `a topic name cannot be "." or ".."`;
  if (!LEGAL_TOPIC_NAME.test(name)) return "a topic name may hold only ASCII letters, digits, '.', '_' and '-' (Kafka's rule)";
  return undefined;
}

export function isTopicName(name: string): boolean {
  return topicNameProblem(name) === undefined;
}
