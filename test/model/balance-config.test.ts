/**
 * The job's config keys: defaults, every key read, and errors that name the key and line without
 * quoting a webhook URL (it may hold a secret).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_JOB_CONFIG, JOB_KEYS, parseDuration, parseJobConfig, parseWindow, redactUrl } from "../../src/model/balance-config.js";
import { parseConfig } from "../../src/model/config-parse.js";
import { isBallastError } from "../../src/model/errors.js";

test("an empty file, or one with only balance keys, is the defaults", () => {
  assert.deepEqual(parseJobConfig(""), DEFAULT_JOB_CONFIG);
  assert.deepEqual(parseJobConfig("maxMoves: 5\n"), DEFAULT_JOB_CONFIG);
});

test("every job key is read", () => {
  const c = parseJobConfig(
    [
      "mode: approve",
      'window: ["01:00-05:00", "22:30-23:30"]',
      "timeZone: Europe/Berlin",
      "triggers: {replicaSpread: 2, leaderSpread: 3, diskDeviation: 0.2, networkDeviation: 0.25, topicSpread: 4, rackViolations: false}",
      "selfHealing: {brokerFailure: 30m, offlineReplicas: false, demoteOutliers: true, outlierFactor: 1.5}",
      "throttle: 50MiB/s",
      "maxMovesPerBroker: 2",
      "partitionTimeout: 2h",
      'notify: ["https://hooks.example.com/services/T0/B0/secret"]',
    ].join("\n"),
  );
  assert.equal(c.mode, "approve");
  assert.deepEqual(c.windows.map((w) => [w.start, w.end]), [
    [60, 300],
    [1350, 1410],
  ]);
  assert.equal(c.timeZone, "Europe/Berlin");
  assert.deepEqual(c.triggers, { replicaSpread: 2, leaderSpread: 3, diskDeviation: 0.2, networkDeviation: 0.25, topicSpread: 4, rackViolations: false });
  assert.deepEqual(c.selfHealing, { brokerFailureMs: 1_800_000, offlineReplicas: false, demoteOutliers: true, outlierFactor: 1.5 });
  assert.equal(c.throttle, 50 * 1024 * 1024);
  assert.equal(c.maxMovesPerBroker, 2);
  assert.equal(c.partitionTimeoutMs, 7_200_000);
  assert.equal(c.notify.length, 1);
});

test("brokerFailure: false turns broker-failure healing off", () => {
  assert.equal(parseJobConfig("selfHealing: {brokerFailure: false}\n").selfHealing.brokerFailureMs, null);
});

test("the balance config accepts the job's keys next to its own, and still refuses typos", () => {
  assert.deepEqual(parseConfig("maxMoves: 5\nmode: propose\n", "b.yaml", JOB_KEYS), { maxMoves: 5 });
  assert.throws(() => parseConfig("mode: propose\n", "b.yaml"), (e: unknown) => isBallastError(e) && /unknown key/.test(e.message));
  assert.throws(() => parseConfig("maxMove: 5\n", "b.yaml", JOB_KEYS), (e: unknown) => isBallastError(e) && /did you mean "maxMoves"/.test(e.message));
});

function configError(text: string): string {
  try {
    parseJobConfig(text, "balance.yaml");
  } catch (e) {
    if (isBallastError(e)) return e.describe();
    throw e;
  }
  return assert.fail("no error");
}

test("bad values are CONFIG errors with the key and line", () => {
  assert.match(configError("mode: auto\n"), /balance\.yaml:1:7 \(mode\): mode must be one of execute, propose, approve/);
  assert.match(configError('maxMovesPerBroker: 1\nwindow: "25:00-03:00"\n'), /balance\.yaml:2:.*HH:MM-HH:MM/);
  assert.match(configError('window: "03:00-03:00"\n'), /HH:MM-HH:MM/);
  assert.match(configError("timeZone: Mars/Olympus\n"), /timeZone "Mars\/Olympus" is not a time zone/);
  assert.match(configError("triggers: {replicaSpreed: 2}\n"), /unknown key "replicaSpreed".*did you mean "replicaSpread"/);
  assert.match(configError("triggers: {diskDeviation: -0.1}\n"), /triggers\.diskDeviation is a fraction/);
  assert.match(configError("selfHealing: {brokerFailure: soon}\n"), /selfHealing\.brokerFailure must be a duration/);
  assert.match(configError("selfHealing: {outlierFactor: 1}\n"), /outlierFactor must be more than 1/);
  assert.match(configError("throttle: 0\n"), /throttle must be at least 1 B\/s/);
  assert.match(configError("partitionTimeout: 1s\n"), /partitionTimeout must be a duration/);
});

test("a bad webhook URL is refused without quoting it", () => {
  const message = configError('notify: ["ftp://user:hunter2@example.com/x"]\n');
  assert.match(message, /webhook URL must be http or https/);
  assert.ok(!message.includes("hunter2"));
});

test("windows, durations and redaction", () => {
  assert.deepEqual(parseWindow("22:00-04:00"), { start: 1320, end: 240, text: "22:00-04:00" });
  assert.deepEqual(parseWindow("00:00-24:00"), { start: 0, end: 0, text: "00:00-24:00" });
  assert.equal(parseWindow("1:00-5:00"), undefined);
  assert.equal(parseDuration("15m"), 900_000);
  assert.equal(parseDuration("90"), 90_000);
  assert.equal(parseDuration("fast"), undefined);
  assert.equal(redactUrl("https://hooks.slack.com/services/T000/B000/XXXX?token=y"), "https://hooks.slack.com/…");
  assert.equal(redactUrl("http://user:pw@127.0.0.1:8080/hook"), "http://127.0.0.1:8080/…");
});
