/**
 * Webhook notifications of `ballast balance`: an HTTP POST of a JSON body whose `text` field
 * Slack-style incoming webhooks show as the message, plus the event's fields for other receivers.
 * A failed POST is a warning on stderr naming the URL with everything past its host left out
 * (webhook URLs carry their secret in the path or query); it never fails the run.
 */
import type { JobEvent } from "../executor/balance-job.js";
import { redactUrl } from "../model/balance-config.js";
import { printable } from "../model/text.js";
import type { CliIo } from "./io.js";

const TIMEOUT_MS = 10_000;

export function webhookNotifier(urls: readonly string[], io: CliIo): (event: JobEvent) => Promise<void> {
  return async (event) => {
    await Promise.all(
      urls.map(async (url) => {
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ ...event, time: new Date().toISOString() }),
            signal: AbortSignal.timeout(TIMEOUT_MS),
            redirect: "error",
          });
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) io.stderr.write(`warning: notification to ${redactUrl(url)} failed: HTTP ${String(res.status)}\n`);
        } catch (err) {
          const why = err instanceof Error && err.name === "TimeoutError" ? `no answer within ${String(TIMEOUT_MS / 1000)} s` : "the request failed";
          io.stderr.write(`warning: notification to ${printable(redactUrl(url))} failed: ${why}\n`);
        }
      }),
    );
  };
}
