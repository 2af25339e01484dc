// A fake OpenShell gateway (gRPC, plaintext, 127.0.0.1) for running the REAL ShoreGuard against:
// ShoreGuard proxies policy export/apply/pin to a gateway, so without one those paths cannot run.
// Implements what ShoreGuard 0.40.0 calls for gateway registration/health, sandbox listing and the
// GitOps/pin flows; every other RPC answers UNIMPLEMENTED (and is recorded, so tests can see it).
import * as grpc from '@grpc/grpc-js';
import { z } from 'zod';
import {
  FakeGatewayError,
  MergeOperationSchema,
  PolicyStore,
  SandboxPolicySchema,
  type PolicyRevision,
  type SandboxPolicy,
  type SandboxRecord,
} from './policy-store';
import { loadOpenShellProtos, type AnyMethod } from './protos';

export { FakeGatewayError, policyHash, PolicyStore } from './policy-store';
export type { NetworkPolicyRule, PolicyRevision, SandboxPolicy } from './policy-store';
export { DEFAULT_PROTO_JSON_PATH, ProtoDefinitionsMissingError } from './protos';

export interface FakeOpenShellOptions {
  /** 0 (default) picks a free port. The fake always binds 127.0.0.1. */
  port?: number;
  /** protobufjs JSON of the OpenShell protos, dumped by scripts/real-shoreguard/setup.sh. */
  protoJsonPath?: string;
  /** Reported by Health (ShoreGuard shows it as the gateway version). @default 'fake-openshell' */
  version?: string;
}

export interface RevisionInfo {
  version: number;
  policy_hash: string;
}

export interface FakeOpenShell {
  /** `127.0.0.1:PORT`, the form ShoreGuard's register endpoint accepts. */
  readonly endpoint: string;
  readonly port: number;
  /** Creates sandbox `name` (phase READY); with a policy, also its first (or next) revision. */
  seedSandbox(name: string, policy?: SandboxPolicy, labels?: Record<string, string>): RevisionInfo | undefined;
  /** Writes a revision directly on the gateway, bypassing ShoreGuard (drift / 409 scenarios). */
  editPolicyOutOfBand(name: string, policy: SandboxPolicy): RevisionInfo;
  /** The live (latest) policy, as ShoreGuard would read it; undefined without a revision. */
  getPolicy(name: string): SandboxPolicy | undefined;
  getRevision(name: string): RevisionInfo | undefined;
  /** RPC method names received so far, in order (e.g. 'Health', 'UpdateConfig'). */
  calls(): readonly string[];
  resetCalls(): void;
  /** Health answers UNHEALTHY while false (ShoreGuard then reports the gateway degraded/offline). */
  setHealthy(healthy: boolean): void;
  close(): Promise<void>;
}

const PolicyStatusRequestSchema = z.object({
  name: z.string().default(''),
  version: z.number().default(0),
  global: z.boolean().default(false),
});
const UpdateConfigRequestSchema = z.object({
  name: z.string().default(''),
  policy: SandboxPolicySchema.optional(),
  setting_key: z.string().default(''),
  global: z.boolean().default(false),
  merge_operations: z.array(MergeOperationSchema).default([]),
});
const ListSandboxPoliciesRequestSchema = z.object({
  name: z.string().default(''),
  limit: z.number().default(0),
  offset: z.number().default(0),
  global: z.boolean().default(false),
});
const GetSandboxRequestSchema = z.object({ name: z.string().default('') });
const ListSandboxesRequestSchema = z.object({ limit: z.number().default(0), offset: z.number().default(0) });
const ListSandboxProvidersRequestSchema = z.object({ sandbox_name: z.string().default('') });

const GRPC_STATUS: Record<FakeGatewayError['code'], grpc.status> = {
  NOT_FOUND: grpc.status.NOT_FOUND,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
};

type UnaryHandler = (request: unknown) => unknown;

function sandboxMessage(sandbox: SandboxRecord, store: PolicyStore): Record<string, unknown> {
  const latest = store.latest(sandbox.name);
  return {
    metadata: {
      id: sandbox.id,
      name: sandbox.name,
      created_at_ms: sandbox.created_at_ms,
      labels: sandbox.labels,
      resource_version: sandbox.resource_version,
    },
    spec: latest ? { policy: latest.policy } : {},
    status: {
      sandbox_name: sandbox.name,
      phase: 'SANDBOX_PHASE_READY',
      current_policy_version: latest?.version ?? 0,
    },
  };
}

function parseRequest<T extends z.ZodType>(schema: T, request: unknown): z.infer<T> {
  const parsed = schema.safeParse(request);
  if (!parsed.success) {
    throw new FakeGatewayError('INVALID_ARGUMENT', `fake OpenShell: malformed request: ${parsed.error.message}`);
  }
  return parsed.data;
}

export async function startFakeOpenShell(options: FakeOpenShellOptions = {}): Promise<FakeOpenShell> {
  const protos = loadOpenShellProtos(options.protoJsonPath);
  const store = new PolicyStore();
  const received: string[] = [];
  let healthy = true;

  // Seeded policies take the same encode/decode trip as ones ShoreGuard sends, so hashes and
  // field presence are identical whichever way a policy arrived.
  const updateConfig = protos.openShell.UpdateConfig as AnyMethod;
  const normalizePolicy = (policy: SandboxPolicy): SandboxPolicy => {
    const wire = updateConfig.requestSerialize({ name: 'normalize', policy });
    const decoded = parseRequest(UpdateConfigRequestSchema, updateConfig.requestDeserialize(wire));
    return decoded.policy ?? {};
  };

  const unary: Record<string, UnaryHandler> = {
    Health: () => {
      return {
        status: healthy ? 'SERVICE_STATUS_HEALTHY' : 'SERVICE_STATUS_UNHEALTHY',
        version: options.version ?? 'fake-openshell',
      };
    },
    GetSandboxPolicyStatus: (request) => {
      const req = parseRequest(PolicyStatusRequestSchema, request);
      if (req.global) throw new FakeGatewayError('UNIMPLEMENTED', 'fake OpenShell: global policy is not implemented');
      if (!req.name) throw new FakeGatewayError('INVALID_ARGUMENT', 'name is required');
      const revision = store.revision(req.name, req.version);
      return { revision, active_version: store.latest(req.name)?.version ?? 0 };
    },
    UpdateConfig: (request) => {
      const req = parseRequest(UpdateConfigRequestSchema, request);
      if (req.global) throw new FakeGatewayError('UNIMPLEMENTED', 'fake OpenShell: global scope is not implemented');
      const chosen = [req.policy !== undefined, req.setting_key !== '', req.merge_operations.length > 0];
      if (chosen.filter(Boolean).length !== 1) {
        throw new FakeGatewayError(
          'INVALID_ARGUMENT',
          'exactly one of policy, setting_key or merge_operations must be set',
        );
      }
      if (req.setting_key) throw new FakeGatewayError('UNIMPLEMENTED', 'fake OpenShell: settings are not implemented');
      if (!req.name) throw new FakeGatewayError('INVALID_ARGUMENT', 'name is required');
      store.get(req.name);
      const revision = req.policy
        ? store.writePolicy(req.name, req.policy)
        : store.mergePolicy(req.name, req.merge_operations);
      return { version: revision.version, policy_hash: revision.policy_hash };
    },
    ListSandboxPolicies: (request) => {
      const req = parseRequest(ListSandboxPoliciesRequestSchema, request);
      if (req.global) throw new FakeGatewayError('UNIMPLEMENTED', 'fake OpenShell: global policy is not implemented');
      return { revisions: store.history(req.name, req.limit, req.offset) };
    },
    GetSandbox: (request) => {
      const req = parseRequest(GetSandboxRequestSchema, request);
      return { sandbox: sandboxMessage(store.get(req.name), store) };
    },
    ListSandboxes: (request) => {
      const req = parseRequest(ListSandboxesRequestSchema, request);
      const all = store.list();
      const page = all.slice(req.offset, req.limit > 0 ? req.offset + req.limit : undefined);
      return { sandboxes: page.map((sandbox) => sandboxMessage(sandbox, store)) };
    },
    // ShoreGuard's usage metering / inventory walk calls this for every sandbox once a minute.
    ListSandboxProviders: (request) => {
      store.get(parseRequest(ListSandboxProvidersRequestSchema, request).sandbox_name);
      return { providers: [] };
    },
  };

  const toServiceError = (error: unknown): Partial<grpc.ServiceError> =>
    error instanceof FakeGatewayError
      ? { code: GRPC_STATUS[error.code], details: error.message }
      : { code: grpc.status.INTERNAL, details: `fake OpenShell: ${error instanceof Error ? error.message : String(error)}` };

  const buildHandlers = (service: grpc.ServiceDefinition): grpc.UntypedServiceImplementation => {
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [methodName, method] of Object.entries(service)) {
      const implementation = unary[methodName];
      if (implementation && !method.requestStream && !method.responseStream) {
        handlers[methodName] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
          received.push(methodName);
          try {
            callback(null, implementation(call.request));
          } catch (error) {
            callback(toServiceError(error));
          }
        };
      } else {
        // Recorded, then UNIMPLEMENTED: what a real gateway older than ShoreGuard's pin would say.
        const unimplemented = { code: grpc.status.UNIMPLEMENTED, details: `fake OpenShell: ${methodName} is not implemented` };
        handlers[methodName] = method.responseStream || method.requestStream
          ? (call: grpc.ServerWritableStream<unknown, unknown>) => {
              received.push(methodName);
              call.emit('error', unimplemented);
            }
          : (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
              received.push(methodName);
              callback(unimplemented);
            };
      }
    }
    return handlers;
  };

  const server = new grpc.Server();
  server.addService(protos.openShell, buildHandlers(protos.openShell));
  server.addService(protos.inference, buildHandlers(protos.inference));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  const revisionInfo = (revision: PolicyRevision): RevisionInfo => ({
    version: revision.version,
    policy_hash: revision.policy_hash,
  });

  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    seedSandbox(name, policy, labels) {
      store.createSandbox(name, undefined, labels);
      return policy ? revisionInfo(store.writePolicy(name, normalizePolicy(policy))) : undefined;
    },
    editPolicyOutOfBand(name, policy) {
      return revisionInfo(store.writePolicy(name, normalizePolicy(policy)));
    },
    getPolicy(name) {
      return store.has(name) ? structuredClone(store.latest(name)?.policy) : undefined;
    },
    getRevision(name) {
      const latest = store.has(name) ? store.latest(name) : undefined;
      return latest ? revisionInfo(latest) : undefined;
    },
    calls: () => [...received],
    resetCalls() {
      received.length = 0;
    },
    setHealthy(value) {
      healthy = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // ShoreGuard keeps its channel open; don't wait for it to hang up.
        setTimeout(() => server.forceShutdown(), 2000).unref();
      }),
  };
}
