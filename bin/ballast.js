#!/usr/bin/env node
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onInterrupt: (handler) => {
    process.on("SIGINT", handler);
    return () => process.off("SIGINT", handler);
  },
  onTerminate: (handler) => {
    process.on("SIGTERM", handler);
    return () => process.off("SIGTERM", handler);
  },
});
