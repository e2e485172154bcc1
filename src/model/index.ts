/** The cluster model: plain data, its file formats, validation and Kafka's reassignment JSON. */
export * from "./types.js";
export * from "./errors.js";
export * from "./random.js";
export * from "./config.js";
export * from "./units.js";
export * from "./validate.js";
export * from "./parse.js";
export * from "./format.js";
export * from "./config-parse.js";
export * from "./capacity-file.js";
export * from "./reassignment.js";
export * from "./generate.js";
