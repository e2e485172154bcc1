/**
 * Topic patterns (`--exclude-topics`, `excludeTopics`, `--replication-factor`, `replicationFactor`):
 * JavaScript regular expression syntax, matched in time linear in the name's length.
 *
 * JavaScript's own engine backtracks: `(a+)+$` against a 29-character name took 47 s, doubling with
 * every character. Here a pattern is compiled to a Thompson NFA and run by keeping the set of states
 * the name could be in, so a test costs at most (name length + 1) × (pattern states). The constructs
 * that need backtracking by nature — back-references, lookahead and lookbehind, word boundaries —
 * are refused with a message naming them; everything else of the syntax means what it means to
 * JavaScript (which also checks the syntax first, so a bad pattern gets JavaScript's own message).
 */

/** Most NFA states a pattern may compile to (counted repetition copies its body). */
export const MAX_PATTERN_STATES = 10_000;
/** Longest pattern accepted. */
export const MAX_PATTERN_LENGTH = 1000;

export interface TopicPattern {
  /** The pattern as the user wrote it. */
  readonly source: string;
  /** Whether the pattern matches somewhere in `name` (as RegExp.prototype.test). */
  test(name: string): boolean;
}

/** Why a pattern cannot be used; the caller says where it came from. */
export class PatternProblem {
  constructor(readonly message: string) {}
}

/**
 * The one matching rule of topic patterns: a pattern matches a topic when it matches the topic's
 * whole name, as `^(?:pattern)$` would (so `orders` is the topic orders, and `orders.*` every topic
 * whose name starts with it).
 */
export function topicPattern(source: string): TopicPattern | PatternProblem {
  return compileTopicPattern(source, true);
}

/**
 * The topics `patterns` exclude, by the whole-name rule, and the patterns written for the earlier
 * rule (excludeTopics used to match anywhere in the name): a pattern that matches part of some names
 * but not the whole keeps matching them for now, and is reported with those names so that the
 * caller can warn. Patterns must compile (callers check them first).
 */
export function excludedTopics(
  patterns: readonly string[],
  names: readonly string[],
): { names: string[]; partial: { pattern: string; names: string[] }[]; unmatched: string[] } {
  const out = new Set<string>();
  const partial: { pattern: string; names: string[] }[] = [];
  const unmatched: string[] = [];
  for (const source of patterns) {
    const whole = topicPattern(source);
    const anywhere = compileTopicPattern(source);
    if (whole instanceof PatternProblem || anywhere instanceof PatternProblem) continue;
    const onlyPart: string[] = [];
    let any = false;
    for (const name of names) {
      if (whole.test(name)) {
        out.add(name);
        any = true;
      } else if (anywhere.test(name)) {
        out.add(name);
        onlyPart.push(name);
        any = true;
      }
    }
    if (onlyPart.length > 0) partial.push({ pattern: source, names: onlyPart });
    if (!any) unmatched.push(source);
  }
  return { names: names.filter((name) => out.has(name)), partial, unmatched };
}

/** Compiles `source`; `whole` anchors it to the whole name, as `^(?:source)$`. */
export function compileTopicPattern(source: string, whole = false): TopicPattern | PatternProblem {
  if (source.length > MAX_PATTERN_LENGTH) return new PatternProblem(`a pattern has at most ${MAX_PATTERN_LENGTH} characters (this one has ${source.length})`);
  const text = whole ? `^(?:${source})$` : source;
  try {
    new RegExp(text);
  } catch (e) {
    return new PatternProblem(`not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/: /s, "")}`);
  }
  try {
    const ast = new Parser(text).parse();
    const nfa = new Builder();
    const start = nfa.build(ast, MATCH);
    return { source, test: (name) => run(nfa.states, start, name) };
  } catch (e) {
    if (e instanceof PatternProblem) return e;
    throw e;
  }
}

// ---- syntax --------------------------------------------------------------------------------

type CharTest = (code: number) => boolean;

type Node =
  | { readonly kind: "char"; readonly test: CharTest }
  | { readonly kind: "start" | "end" }
  | { readonly kind: "seq"; readonly items: readonly Node[] }
  | { readonly kind: "alt"; readonly options: readonly Node[] }
  | { readonly kind: "repeat"; readonly body: Node; readonly min: number; readonly max: number };

const LINE_TERMINATORS = new Set([0x0a, 0x0d, 0x2028, 0x2029]);
const SIMPLE_ESCAPES: ReadonlyMap<string, number> = new Map([
  ["n", 10],
  ["r", 13],
  ["t", 9],
  ["f", 12],
  ["v", 11],
  ["0", 0],
]);
const isDigit: CharTest = (c) => c >= 0x30 && c <= 0x39;
const isWord: CharTest = (c) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const SPACES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
const isSpace: CharTest = (c) => SPACES.has(c) || (c >= 0x2000 && c <= 0x200a);
const not = (t: CharTest): CharTest => (c) => !t(c);

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.s.length) throw new PatternProblem(`unexpected ${JSON.stringify(this.s[this.i])}`);
    return node;
  }

  private peek(): string | undefined {
    return this.s[this.i];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === "|") {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return { kind: "seq", items };
  }

  private quantified(atom: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === "*") [min, max] = [0, Infinity];
    else if (c === "+") [min, max] = [1, Infinity];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
      if (m === null) return atom; // a literal "{" (JavaScript's Annex B)
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    if (this.peek() === "?") this.i++; // lazy: the same matches for a yes/no test
    if (atom.kind === "start" || atom.kind === "end") return atom;
    return { kind: "repeat", body: atom, min, max };
  }

  private atom(): Node {
    const c = this.s[this.i++]!;
    switch (c) {
      case "^":
        return { kind: "start" };
      case "$":
        return { kind: "end" };
      case ".":
        return { kind: "char", test: (code) => !LINE_TERMINATORS.has(code) };
      case "(":
        return this.group();
      case "[":
        return { kind: "char", test: this.charClass() };
      case "\\":
        return this.escape();
      default:
        return literal(c.charCodeAt(0));
    }
  }

  private group(): Node {
    const rest = this.s.slice(this.i);
    if (rest.startsWith("?:")) this.i += 2;
    else if (/^\?(=|!|<=|<!)/.test(rest)) throw new PatternProblem("lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported in topic patterns");
    else if (rest.startsWith("?<")) this.i = this.s.indexOf(">", this.i) + 1; // a named group: its name does not matter
    const inner = this.alternation();
    this.i++; // ")", checked by JavaScript
    return inner;
  }

  private escape(): Node {
    const c = this.s[this.i++]!;
    const cls = classEscape(c);
    if (cls !== undefined) return { kind: "char", test: cls };
    if (c === "b" || c === "B") throw new PatternProblem("word boundaries (\\b, \\B) are not supported in topic patterns; topic names have no spaces, so ^ and $ usually do");
    if (/[1-9]/.test(c) || (c === "k" && this.peek() === "<")) throw new PatternProblem("back-references (\\1, \\k<name>) are not supported in topic patterns");
    return literal(this.escapedCode(c));
  }

  /** The code of an escaped character other than a class escape (\n, \x41, \u0041, \., …). */
  private escapedCode(c: string): number {
    const simple = SIMPLE_ESCAPES.get(c);
    if (simple !== undefined && !(c === "0" && /[0-9]/.test(this.peek() ?? ""))) return simple;
    if (c === "x" || c === "u") {
      const m = (c === "x" ? /^[0-9a-fA-F]{2}/ : /^[0-9a-fA-F]{4}/).exec(this.s.slice(this.i));
      if (m !== null) {
        this.i += m[0].length;
        return parseInt(m[0], 16);
      }
      return c.charCodeAt(0);
    }
    if (c === "c" || c === "p" || c === "P" || /[0-9]/.test(c)) throw new PatternProblem(`the escape \\${c} is not supported in topic patterns`);
    return c.charCodeAt(0);
  }

  private charClass(): CharTest {
    const negated = this.peek() === "^";
    if (negated) this.i++;
    const parts: CharTest[] = [];
    // In JavaScript "]" always closes a class, even first ("[]" matches nothing).
    while (this.i < this.s.length && this.peek() !== "]") {
      const from = this.classAtom();
      if (this.peek() === "-" && this.s[this.i + 1] !== "]" && this.i + 1 < this.s.length && typeof from === "number") {
        this.i++;
        const to = this.classAtom();
        if (typeof to === "number") {
          parts.push((code) => code >= from && code <= to);
          continue;
        }
        parts.push((code) => code === from || code === 0x2d, to);
        continue;
      }
      parts.push(typeof from === "number" ? (code) => code === from : from);
    }
    this.i++; // "]"
    const any: CharTest = (code) => parts.some((p) => p(code));
    return negated ? not(any) : any;
  }

  /** One member of a class: a code, or a class escape's test. */
  private classAtom(): number | CharTest {
    const c = this.s[this.i++]!;
    if (c !== "\\") return c.charCodeAt(0);
    const e = this.s[this.i++]!;
    const cls = classEscape(e);
    if (cls !== undefined) return cls;
    if (e === "b") return 8;
    return this.escapedCode(e);
  }
}

function classEscape(c: string): CharTest | undefined {
  switch (c) {
    case "d":
      return isDigit;
    case "D":
      return not(isDigit);
    case "w":
      return isWord;
    case "W":
      return not(isWord);
    case "s":
      return isSpace;
    case "S":
      return not(isSpace);
    default:
      return undefined;
  }
}

function literal(code: number): Node {
  return { kind: "char", test: (c) => c === code };
}

// ---- the automaton -------------------------------------------------------------------------

type State =
  | { readonly kind: "char"; readonly test: CharTest; readonly next: number }
  | { readonly kind: "split"; readonly next: readonly number[] }
  | { readonly kind: "start" | "end"; readonly next: number }
  | { readonly kind: "match" };

const MATCH = 0;

class Builder {
  readonly states: State[] = [{ kind: "match" }];

  private add(state: State): number {
    if (this.states.length >= MAX_PATTERN_STATES) {
      throw new PatternProblem(`the pattern is too large once its repetitions are counted out (more than ${MAX_PATTERN_STATES} states)`);
    }
    this.states.push(state);
    return this.states.length - 1;
  }

  /** The state that matches `node` and continues at `next`. */
  build(node: Node, next: number): number {
    switch (node.kind) {
      case "char":
        return this.add({ kind: "char", test: node.test, next });
      case "start":
      case "end":
        return this.add({ kind: node.kind, next });
      case "seq": {
        let at = next;
        for (let k = node.items.length - 1; k >= 0; k--) at = this.build(node.items[k]!, at);
        return at;
      }
      case "alt":
        return this.add({ kind: "split", next: node.options.map((o) => this.build(o, next)) });
      case "repeat":
        return this.repeat(node.body, node.min, node.max, next);
    }
  }

  private repeat(body: Node, min: number, max: number, next: number): number {
    let at = next;
    if (max === Infinity) {
      // A loop: split → body → back to the split, or on.
      const loop = this.add({ kind: "split", next: [] });
      const inner = this.build(body, loop);
      this.states[loop] = { kind: "split", next: [inner, next] };
      at = loop;
    } else {
      for (let k = 0; k < max - min; k++) at = this.add({ kind: "split", next: [this.build(body, at), next] });
    }
    for (let k = 0; k < min; k++) at = this.build(body, at);
    return at;
  }
}

/** Whether the automaton matches a substring of `name`: the set of live states, one step per character. */
function run(states: readonly State[], start: number, name: string): boolean {
  const seen = new Int32Array(states.length).fill(-1);
  let current: number[] = [];
  let generation = 0;
  const addState = (list: number[], s: number, pos: number): boolean => {
    const stack = [s];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen[id] === generation) continue;
      seen[id] = generation;
      const state = states[id]!;
      switch (state.kind) {
        case "match":
          return true;
        case "split":
          for (let k = state.next.length - 1; k >= 0; k--) stack.push(state.next[k]!);
          break;
        case "start":
          if (pos === 0) stack.push(state.next);
          break;
        case "end":
          if (pos === name.length) stack.push(state.next);
          break;
        case "char":
          list.push(id);
      }
    }
    return false;
  };
  for (let pos = 0; ; pos++) {
    // A match may start at any position (the search of RegExp.prototype.test).
    if (addState(current, start, pos)) return true;
    if (pos === name.length) return false;
    const code = name.charCodeAt(pos);
    generation++;
    const next: number[] = [];
    for (const id of current) {
      const state = states[id] as Extract<State, { kind: "char" }>;
      if (state.test(code) && addState(next, state.next, pos + 1)) return true;
    }
    current = next;
  }
}

// ---- lists and exact names -----------------------------------------------------------------

/**
 * Splits a comma-separated list of patterns at the commas outside (), [] and {}, so that
 * `^orders{1,1}$` and `[a,b]x` stay whole. Topic names cannot hold a comma, so a comma at the top
 * level of a pattern can only be a separator.
 */
export function splitPatternList(raw: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(" || c === "{") depth++;
    else if ((c === ")" || c === "}") && depth > 0) depth--;
    else if (c === "," && depth === 0) {
      out.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  out.push(raw.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

/** Names per pattern of `exactNamesPatterns`: keeps each compiled expression small. */
const NAMES_PER_PATTERN = 1000;

/**
 * JavaScript regular expressions that match exactly `names` (legal topic names), for code that
 * takes pattern strings: each is `^(?:…)$` over a trie of up to 1,000 names, in which the
 * alternatives at every branch start with different characters, so a backtracking engine tries at
 * most one branch per character and runs in time linear in the name.
 */
export function exactNamesPatterns(names: Iterable<string>): string[] {
  const sorted = [...new Set(names)].sort();
  const out: string[] = [];
  for (let k = 0; k < sorted.length; k += NAMES_PER_PATTERN) out.push(`^${trie(sorted.slice(k, k + NAMES_PER_PATTERN))}$`);
  return out;
}

function trie(names: readonly string[]): string {
  let ends = false;
  const next = new Map<string, string[]>();
  for (const n of names) {
    if (n === "") ends = true;
    else {
      const list = next.get(n[0]!);
      if (list === undefined) next.set(n[0]!, [n.slice(1)]);
      else list.push(n.slice(1));
    }
  }
  const branches = [...next].map(([c, rest]) => `${c.replace(/[.\\^$*+?()[\]{}|/-]/g, "\\$&")}${trie(rest)}`);
  if (!ends && branches.length === 1) return branches[0]!;
  if (branches.length === 0) return "";
  return `(?:${branches.join("|")}${ends ? "|" : ""})`;
}
