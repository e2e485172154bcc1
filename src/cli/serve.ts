/**
 * `ballast serve --metrics-port <port> --metrics-file <path>`: serves at `/metrics` the Prometheus
 * text that `ballast balance --metrics-file` writes at the end of each run, for a Prometheus that
 * scrapes rather than reads node_exporter's textfile folder. It runs until SIGINT or SIGTERM; the
 * file is read on each scrape, so a scheduled job and this server share nothing but the file.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { Command } from "commander";
import { BallastError, describeIoError } from "../model/errors.js";
import { printable } from "../model/text.js";
import type { CliIo } from "./io.js";
import { integer, valueOption } from "./options.js";

interface ServeFlags {
  readonly metricsPort: number;
  readonly metricsFile: string;
  readonly host: string;
}

export function addServeCommand(program: Command, io: CliIo): void {
  program
    .command("serve")
    .description("serve the metrics 'ballast balance --metrics-file' writes, at /metrics, until stopped")
    .addOption(valueOption("--metrics-port <port>", "port to listen on, e.g. 9464 (0: any free port, printed)", integer(0, 65_535)).makeOptionMandatory())
    .requiredOption("--metrics-file <path>", "the file 'ballast balance --metrics-file' writes")
    .option("--host <address>", "address to listen on", "0.0.0.0")
    .action((flags: ServeFlags) => serve(flags, io));
}

async function serve(flags: ServeFlags, io: CliIo): Promise<void> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found; metrics are at /metrics\n");
      return;
    }
    readFile(flags.metricsFile, "utf8").then(
      (text) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(text),
      // No run has written it yet: say so rather than serve an empty scrape as healthy.
      () => res.writeHead(503, { "content-type": "text/plain" }).end("no metrics yet: no 'ballast balance' run has written the metrics file\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new BallastError("USAGE", `--metrics-port: cannot listen on ${printable(flags.host)}:${String(flags.metricsPort)}: ${describeIoError(err)}`)));
    server.listen(flags.metricsPort, flags.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : flags.metricsPort;
  io.stdout.write(`Serving ${printable(flags.metricsFile)} at http://${printable(flags.host)}:${String(port)}/metrics (Ctrl-C to stop).\n`);
  await new Promise<void>((resolve) => {
    const offInt = io.onInterrupt?.(() => {
      offInt?.();
      offTerm?.();
      resolve();
    });
    const offTerm = io.onTerminate?.(() => {
      offInt?.();
      offTerm?.();
      resolve();
    });
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
