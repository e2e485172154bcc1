/** The shipped relabel (ballast/testing), under the name the tests import. */
export * from "../../src/testing/relabel.js";
