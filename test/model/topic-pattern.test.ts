import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { PatternProblem, compileTopicPattern, exactNamesPatterns, splitPatternList, type TopicPattern } from "../../src/model/topic-pattern.js";

function compiled(source: string, whole = false): TopicPattern {
  const p = compileTopicPattern(source, whole);
  assert.ok(!(p instanceof PatternProblem), p instanceof PatternProblem ? p.message : "");
  return p;
}

/** A regular expression over a small alphabet, from every construct topic patterns support. */
const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: "xsmall", maxDepth: 3, withCrossShrink: true },
    fc.constantFrom("a", "b", ".", "\\.", "-", "1", "\\d", "\\w", "\\W", "[ab]", "[^a]", "[a-c1]", "[.-]", "[\\d_]", "^", "$", "x", "\\x61"),
    tie("re").map((r) => `(${r})`),
    tie("re").map((r) => `(?:${r})`),
  ),
  re: fc
    .array(
      fc.tuple(tie("atom"), fc.constantFrom("", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?")).map(([a, q]) => (/^[\^$]$/.test(a) ? a : a + q)),
      { minLength: 1, maxLength: 3 },
    )
    .chain((parts) => fc.constantFrom(parts.join(""), `${parts.join("")}|${parts[0] ?? ""}`)),
})).re;

const name = fc.stringMatching(/^[ab1._-]{0,12}$/);

describe("compileTopicPattern", () => {
  it("property: matches exactly where JavaScript's RegExp matches", () => {
    fc.assert(
      fc.property(pattern, fc.array(name, { minLength: 1, maxLength: 8 }), (source, names) => {
        let re: RegExp;
        try {
          re = new RegExp(source);
        } catch {
          return; // not valid JavaScript: compileTopicPattern refuses it too (below)
        }
        const [p, whole] = [compileTopicPattern(source), compileTopicPattern(source, true)];
        if (p instanceof PatternProblem || whole instanceof PatternProblem) {
          // Only size is refused among what this generator writes.
          assert.match((p instanceof PatternProblem ? p : (whole as PatternProblem)).message, /too large/);
          return;
        }
        const wholeRe = new RegExp(`^(?:${source})$`);
        for (const n of names) {
          assert.equal(p.test(n), re.test(n), `/${source}/ on ${JSON.stringify(n)}`);
          assert.equal(whole.test(n), wholeRe.test(n), `whole /${source}/ on ${JSON.stringify(n)}`);
        }
      }),
      // A fixed seed: JavaScript's own RegExp, the oracle here, backtracks for minutes on some generated
      // patterns (e.g. nested lazy `.*?` under counted repeats), which compileTopicPattern matches in
      // linear time; a fresh seed per run would sometimes hang the suite on the oracle.
      { numRuns: 400, seed: 20261207 },
    );
  });

  it("runs (a+)+$ and friends in linear time on the longest topic names", () => {
    // A pattern on which JavaScript's RegExp backtracks without end on a 10-character name.
    const nested = "[ab]{0,}(((?:.*?){1,3}|(?:.*?){1,3}){2}){0,}(x{1,3}$){1,3}|[ab]{0,}";
    assert.equal(compiled(nested).test("b.--a.__.1"), true);
    const long = `${"a".repeat(248)}-`;
    for (const source of ["(a+)+$", "(a|a)*$", "(a|aa)+$", "^(a*)*b", "(.*a){12}$"]) assert.equal(compiled(source).test(long), new RegExp(source).test("a-"));
    assert.equal(compiled("^orders{1,1}$").test("orders"), true);
  });

  it("refuses what needs backtracking, and bad syntax, with a reason", () => {
    for (const [source, reason] of [
      ["(a)\\1", /back-references/],
      ["(?=a)b", /lookahead and lookbehind/],
      ["(?<!a)b", /lookahead and lookbehind/],
      ["\\bx", /word boundaries/],
      ["orders(", /not a valid regular expression: Unterminated group/],
      ["a{2,1}", /not a valid regular expression/],
      ["(a{1000}){1000}", /too large/],
      ["x".repeat(1001), /at most 1000 characters/],
    ] as const) {
      const p = compileTopicPattern(source);
      assert.ok(p instanceof PatternProblem, source);
      assert.match(p.message, reason);
    }
  });
});

describe("splitPatternList", () => {
  it("splits at commas outside (), [] and {} only", () => {
    assert.deepEqual(splitPatternList("^orders{1,1}$"), ["^orders{1,1}$"]);
    assert.deepEqual(splitPatternList("a,b , c"), ["a", "b", "c"]);
    assert.deepEqual(splitPatternList("[a,b]x,(c|d,e),f\\,g"), ["[a,b]x", "(c|d,e)", "f\\,g"]);
    assert.deepEqual(splitPatternList("[,],x"), ["[,]", "x"]);
    assert.deepEqual(splitPatternList(","), []);
  });
});

describe("exactNamesPatterns", () => {
  it("property: JavaScript RegExps that match exactly the given names, in tries of at most 1,000", () => {
    const legal = fc.stringMatching(/^[a-c._-]{1,6}$/);
    fc.assert(
      fc.property(fc.uniqueArray(legal, { maxLength: 40 }), fc.array(legal, { maxLength: 20 }), (names, others) => {
        const res = exactNamesPatterns(names).map((p) => new RegExp(p));
        for (const n of [...names, ...others]) assert.equal(res.some((re) => re.test(n)), names.includes(n), n);
      }),
    );
    assert.equal(exactNamesPatterns(Array.from({ length: 2500 }, (_, i) => `t-${String(i)}`)).length, 3);
    assert.deepEqual(exactNamesPatterns([]), []);
  });
});
