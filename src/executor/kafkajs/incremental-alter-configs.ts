/**
 * IncrementalAlterConfigs (API key 44), version 0 (KIP-339): changes only the named config keys of
 * a topic or broker, leaving every other dynamic key as it is (the legacy AlterConfigs replaces the
 * whole set). kafkajs does not implement it.
 *
 * Request v0:  resources => [resource_type INT8 (2 topic, 4 broker), resource_name STRING,
 *                configs => [name STRING, config_operation INT8 (0 set, 1 delete, 2 append, 3 subtract),
 *                  value NULLABLE_STRING]], validate_only BOOL
 * Response v0: throttle_time_ms INT32,
 *              responses => [error_code INT16, error_message NULLABLE_STRING, resource_type INT8, resource_name STRING]
 */
import type { AlterOp } from "../port.js";
import type { ProtocolRequest } from "./wire.js";

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

const OPERATION: Record<AlterOp["op"], number> = { set: 0, delete: 1, append: 2, subtract: 3 };

export interface AlterResource {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly ops: readonly AlterOp[];
}

export interface AlterResourceResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly resourceType: number;
  readonly resourceName: string;
}

export function incrementalAlterConfigsRequest(
  resources: readonly AlterResource[],
  validateOnly = false,
): ProtocolRequest<AlterResourceResult[]> {
  return {
    apiKey: 44,
    apiVersion: 0,
    apiName: "IncrementalAlterConfigs",
    flexible: false,
    encode: (w) => {
      w.array(resources, (w, res) =>
        w
          .int8(res.resourceType)
          .string(res.resourceName)
          .array(res.ops, (w, op) =>
            w
              .string(op.name)
              .int8(OPERATION[op.op])
              .nullableString(op.op === "delete" ? null : op.value),
          ),
      ).bool(validateOnly);
    },
    decode: (r) => {
      r.int32(); // throttle_time_ms
      return r.array((r) => ({
        errorCode: r.int16(),
        errorMessage: r.nullableString(),
        resourceType: r.int8(),
        resourceName: r.string(),
      }));
    },
  };
}
