/** The shipped arbitraries (ballast/testing), under the name the tests import. */
export * from "../../src/testing/arbitraries.js";
