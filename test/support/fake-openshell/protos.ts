// Loads the OpenShell protobuf definitions that the installed ShoreGuard 0.40.0 was generated from.
// scripts/real-shoreguard/setup.sh dumps them into the git-ignored .cache/openshell-protos/ (they
// are ShoreGuard's/OpenShell's files and are never committed), both as a FileDescriptorSet and as a
// protobufjs JSON namespace. We load the JSON: protobufjs turns the map fields of a descriptor set
// into repeated {key, value} entries, the JSON form keeps them maps (as in the .proto sources).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_PROTO_JSON_PATH = path.join(REPO_ROOT, '.cache', 'openshell-protos', 'openshell.proto.json');

export const OPENSHELL_SERVICE = 'openshell.v1.OpenShell';
export const INFERENCE_SERVICE = 'openshell.inference.v1.Inference';

/**
 * keepCase: field names as in the .proto (`network_policies`, `global`); defaults:false keeps
 * unset sub-messages absent, which matters because ShoreGuard checks field presence (HasField);
 * oneofs:true adds the `operation` discriminator to PolicyMergeOperation.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
};

export class ProtoDefinitionsMissingError extends Error {
  constructor(readonly protoJsonPath: string) {
    super(
      `OpenShell protobuf descriptors not found at ${protoJsonPath}. ` +
        'Run `bash scripts/real-shoreguard/setup.sh` (it installs shoreguard==0.40.0 and dumps them).',
    );
    this.name = 'ProtoDefinitionsMissingError';
  }
}

export interface OpenShellProtos {
  openShell: ServiceDefinition;
  inference: ServiceDefinition;
}

export function loadOpenShellProtos(protoJsonPath: string = DEFAULT_PROTO_JSON_PATH): OpenShellProtos {
  if (!existsSync(protoJsonPath)) throw new ProtoDefinitionsMissingError(protoJsonPath);
  const json: unknown = JSON.parse(readFileSync(protoJsonPath, 'utf8'));
  if (json === null || typeof json !== 'object' || !('nested' in json)) {
    throw new Error(`${protoJsonPath} is not a protobufjs JSON namespace; re-run setup.sh --force`);
  }
  // Shape checked above; protobufjs resolves and validates the rest while loading.
  const definition = protoLoader.fromJSON(json as Parameters<typeof protoLoader.fromJSON>[0], PROTO_LOADER_OPTIONS);
  const service = (name: string): ServiceDefinition => {
    const found = definition[name];
    if (!found || !isServiceDefinition(found)) {
      throw new Error(`service ${name} is missing from ${protoJsonPath}; re-run setup.sh --force`);
    }
    return found;
  };
  return { openShell: service(OPENSHELL_SERVICE), inference: service(INFERENCE_SERVICE) };
}

function isServiceDefinition(value: unknown): value is ServiceDefinition {
  if (value === null || typeof value !== 'object' || 'format' in value) return false;
  return Object.values(value).every(
    (method) => method !== null && typeof method === 'object' && 'path' in method && 'requestDeserialize' in method,
  );
}

/** A method definition with unknown message types (we validate decoded messages with zod). */
export type AnyMethod = MethodDefinition<unknown, unknown>;
