/** The shipped invariants (ballast/testing), under the name the tests import. */
export * from "../../src/testing/invariants.js";
