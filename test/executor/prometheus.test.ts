/**
 * `snapshot --prometheus`: the documented queries sent to a tiny local HTTP server that answers
 * with Prometheus API JSON, credentials in the URL sent as a header and never printed.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { PROMETHEUS_QUERIES, prometheusRates } from "../../src/executor/prometheus.js";
import { isBallastError } from "../../src/model/errors.js";
import { ratesOf } from "../../src/model/metrics.js";

const vector = (rows: Array<[string, string]>) => ({
  status: "success",
  data: { resultType: "vector", result: rows.map(([topic, value]) => ({ metric: { topic }, value: [1_700_000_000.5, value] })) },
});

describe("Prometheus rates", () => {
  let server: Server;
  let base = "";
  const seen: IncomingMessage[] = [];
  let reply: (query: string) => [number, unknown] = () => [500, {}];

  before(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      const url = new URL(req.url ?? "/", "http://localhost");
      const [status, body] = url.pathname === "/prom/api/v1/query" ? reply(url.searchParams.get("query") ?? "") : [404, {}];
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/prom`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends the documented queries and spreads each topic's rates over its partitions", async () => {
    const queries: string[] = [];
    reply = (q) => {
      queries.push(q);
      return [200, q.includes("bytesin") ? vector([["orders", "4000"], ["logs", "100.5"]]) : vector([["orders", "12000"]])];
    };
    const metrics = await prometheusRates(base, 300);
    assert.deepEqual(queries.sort(), [PROMETHEUS_QUERIES.bytesIn("300s"), PROMETHEUS_QUERIES.bytesOut("300s")].sort());
    assert.equal(PROMETHEUS_QUERIES.bytesIn("300s"), 'sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesin_total{topic!=""}[300s]))');
    assert.deepEqual(ratesOf(metrics, "orders", 1, 4), { bytesIn: 1000, bytesOut: 3000 });
    assert.deepEqual(ratesOf(metrics, "logs", 0, 1), { bytesIn: 100.5, bytesOut: 0 });
  });

  it("sends credentials from the URL as basic auth and never names them in errors", async () => {
    seen.length = 0;
    reply = () => [401, {}];
    const url = base.replace("http://", "http://ops:S3cret-pw@");
    await assert.rejects(prometheusRates(url, 60), (e: unknown) => {
      assert.ok(isBallastError(e));
      assert.match(e.message, /answered HTTP 401 \(check the user and password in the URL\)/);
      assert.doesNotMatch(e.message, /S3cret|ops:/);
      return true;
    });
    assert.equal(seen[0]?.headers.authorization, `Basic ${Buffer.from("ops:S3cret-pw").toString("base64")}`);
  });

  it("refuses an answer that is not an instant vector", async () => {
    reply = () => [200, { status: "error", error: "parse error" }];
    await assert.rejects(prometheusRates(base, 60), (e: unknown) => isBallastError(e) && /did not return an instant vector .*"parse error"/.test(e.message));
  });
});
