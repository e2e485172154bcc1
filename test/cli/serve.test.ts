/**
 * `ballast serve`: the metrics file at /metrics, 404 elsewhere, 503 before any run wrote it, and a
 * clean stop on SIGTERM (an injected handler here).
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { tempDir } from "./helpers.js";

test("serves the metrics file until SIGTERM", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "balance.prom");
    writeFileSync(file, 'ballast_replica_spread{cluster="a"} 3\n');
    let stdout = "";
    let terminate: () => void = () => undefined;
    const done = main(["node", "ballast", "serve", "--metrics-port", "0", "--metrics-file", file, "--host", "127.0.0.1"], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      env: {},
      onTerminate: (handler) => {
        terminate = handler;
        return () => undefined;
      },
    });
    for (let i = 0; i < 200 && !stdout.includes("Serving"); i++) await new Promise((r) => setTimeout(r, 10));
    const url = /http:\/\/\S+\/metrics/.exec(stdout)?.[0];
    assert.ok(url, stdout);
    const ok = await fetch(url);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    assert.equal(await ok.text(), 'ballast_replica_spread{cluster="a"} 3\n');
    assert.equal((await fetch(url.replace("/metrics", "/"))).status, 404);
    rmSync(file);
    assert.equal((await fetch(url)).status, 503);
    terminate();
    assert.equal(await done, 0);
  } finally {
    cleanup();
  }
});
