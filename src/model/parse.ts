/**
 * Reading snapshot text (YAML or JSON) into a checked Cluster. YAML keeps its Document so that errors
 * point at a line and column; JSON goes straight through JSON.parse, which matters for snapshots with
 * millions of replicas.
 */
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Document, type Node, type ParsedNode } from "yaml";
import { BallastError, type ErrorPlace } from "./errors.js";
import { quote } from "./text.js";
import type { Cluster } from "./types.js";
import { Checker, formatPath, pathLocator, validateCluster, type InputPath, type Locator } from "./validate.js";

export type ClusterFormat = "yaml" | "json";

export interface ParseClusterOptions {
  readonly format: ClusterFormat;
  /** Source name (usually the file path) for error messages. */
  readonly source?: string;
}

/** Parsed text: the plain data and a way to find where a path is in the text. */
export interface LoadedText {
  readonly data: unknown;
  readonly locate: Locator;
}

/** Parses and checks a snapshot. Throws BallastError (PARSE_ERROR, SCHEMA, …) with path and, for YAML, line. */
export function parseCluster(text: string, opts: ParseClusterOptions): Cluster {
  const { data, locate } = opts.format === "yaml" ? loadYaml(text, opts.source) : loadJson(text, opts.source);
  return validateCluster(data, new Checker(locate));
}

const FORMAT_BY_EXTENSION: ReadonlyMap<string, ClusterFormat> = new Map([
  [".yaml", "yaml"],
  [".yml", "yaml"],
  [".json", "json"],
]);

/** The snapshot format of a file, by extension (.yaml, .yml, .json). */
export function clusterFormatFor(fileName: string): ClusterFormat {
  const dot = fileName.lastIndexOf(".");
  const extension = dot > fileName.lastIndexOf("/") ? fileName.slice(dot).toLowerCase() : "";
  const format = FORMAT_BY_EXTENSION.get(extension);
  if (format === undefined) {
    const found = extension === "" ? "has no extension" : `has extension ${quote(extension)}`;
    throw new BallastError("USAGE", `cannot tell the format of ${quote(fileName)}: it ${found}; use .yaml, .yml or .json`);
  }
  return format;
}

function withSource(source: string | undefined): ErrorPlace {
  return source === undefined ? {} : { source };
}

/**
 * Parses one YAML document. Syntax errors are PARSE_ERROR with line and column; so are duplicate
 * keys, including keys that differ in YAML but not as property names (`7` and `"7"`).
 */
export function loadYaml(text: string, source?: string): LoadedText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: sameKeyName });
  const error = doc.errors[0];
  if (error !== undefined) {
    const pos = error.linePos?.[0];
    // Pretty messages end with " at line L, column C:" and an excerpt; the place carries the position.
    const message = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    throw new BallastError("PARSE_ERROR", `invalid YAML: ${message}`, {
      ...withSource(source),
      ...(pos !== undefined && { line: pos.line, column: pos.col }),
    });
  }
  return { data: yamlData(doc, source), locate: yamlLocator(doc, lineCounter, source) };
}

/** The document as plain data. Unresolved aliases and alias bombs only show up here. */
function yamlData(doc: Document, source: string | undefined): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch (e) {
    if (e instanceof ReferenceError) throw new BallastError("PARSE_ERROR", `invalid YAML: ${e.message}`, withSource(source));
    throw e;
  }
}

/** Points a path at its node in the YAML document: the value, else its key, else the nearest ancestor. */
function yamlLocator(doc: Document, lineCounter: LineCounter, source: string | undefined): Locator {
  return (path, target) => {
    const place: ErrorPlace = { ...withSource(source), path: formatPath(path) };
    const start = nodeFor(doc, path, target)?.range?.[0];
    if (start === undefined) return place;
    const { line, col } = lineCounter.linePos(start);
    return { ...place, line, column: col };
  };
}

/**
 * Keys are equal when they name the same property of the plain data: `7` and `"7"` (or `7.0`) both
 * become the property "7", so a mapping holding both would silently lose one of them.
 */
function sameKeyName(a: ParsedNode, b: ParsedNode): boolean {
  return a === b || (isScalar(a) && isScalar(b) && (a.value === b.value || String(a.value) === String(b.value)));
}

function nodeFor(doc: Document, path: InputPath, target: "value" | "key"): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    const value = target === "value" || n < path.length ? nodeAt(doc, prefix) : undefined;
    if (isNode(value) && value.range) return value;
    const key = keyNode(doc, prefix);
    if (key?.range) return key;
  }
  return undefined;
}

/**
 * The node at a path of the plain data. Map keys match by the property name the plain data gives
 * them, so the path segment "7" finds the key written `7` (a number in YAML) as well as `"7"`.
 */
function nodeAt(doc: Document, path: InputPath): unknown {
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))?.value;
    else if (isSeq(node) && typeof segment === "number") node = node.items[segment];
    else return undefined;
  }
  return node;
}

function keyNode(doc: Document, path: InputPath): Node | undefined {
  const last = path[path.length - 1];
  if (last === undefined || typeof last === "number") return undefined;
  const parent = nodeAt(doc, path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
  return isNode(pair?.key) ? pair.key : undefined;
}

/** Parses JSON. Syntax errors are PARSE_ERROR, with line and column where Node reports a position. */
export function loadJson(text: string, source?: string): LoadedText {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(body) as unknown;
  } catch (e) {
    if (e instanceof SyntaxError) throw jsonSyntaxError(e.message, body, source);
    throw e;
  }
  const duplicate = firstDuplicateKey(body);
  if (duplicate !== undefined) {
    throw new BallastError("PARSE_ERROR", `invalid JSON: the key ${quote(duplicate.key)} appears twice in one object (JSON.parse would keep the last silently; YAML refuses it too)`, {
      ...withSource(source),
      ...lineAndColumn(body, duplicate.offset),
    });
  }
  return { data, locate: pathLocator(source) };
}

/**
 * The first key that an object of valid JSON `text` repeats, and where. JSON.parse keeps the last
 * value of a repeated key without a word, so `{"id": 1, "id": 7}` would quietly be broker 7. One pass
 * over the text, keeping the keys of each open object; strings are skipped with indexOf.
 */
export function firstDuplicateKey(text: string): { key: string; offset: number } | undefined {
  /** Per open bracket: the keys seen so far ({}), or null ([]). */
  const open: Array<string[] | Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      if (expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        const keys = open[open.length - 1];
        if (keys instanceof Set ? keys.has(key) : keys?.includes(key)) return { key, offset: i };
        if (Array.isArray(keys)) {
          keys.push(key);
          if (keys.length > 16) open[open.length - 1] = new Set(keys);
        } else keys?.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b) {
      open.push([]);
      expectKey = true;
    } else if (c === 0x5b) {
      open.push(null);
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
    } else if (c === 0x2c) {
      expectKey = (open[open.length - 1] ?? null) !== null;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start` (the text is valid JSON). */
function stringEnd(text: string, start: number): number {
  let q = text.indexOf('"', start + 1);
  for (;;) {
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
}

/**
 * Node's messages look like `Unexpected token '}', "{"a":}" is not valid JSON`,
 * `Expected ':' after property name in JSON at position 4` (newer versions add `(line 1 column 5)`)
 * or `Unexpected end of JSON input`. The excerpt and position move into the place.
 */
function jsonSyntaxError(raw: string, text: string, source: string | undefined): BallastError {
  const at = /at position (\d+)/.exec(raw);
  const offset = at ? Number(at[1]) : raw.startsWith("Unexpected end of JSON input") ? text.length : undefined;
  const message = raw
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, "")
    .replace(/ in JSON at position \d+.*$/s, "");
  return new BallastError("PARSE_ERROR", `invalid JSON: ${message}`, {
    ...withSource(source),
    ...(offset !== undefined && lineAndColumn(text, offset)),
  });
}

/** 1-based line and column of an offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
