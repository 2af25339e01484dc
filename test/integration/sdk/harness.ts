/**
 * Drives the SDK against an in-process emulator. One emulator per test file (port 0, loopback);
 * before every test its state, faults and request counts are reset, the server clock is set back
 * to a fixed instant and the client's retry clock is replaced by a fake one (instant sleeps that
 * are recorded), so retry tests neither wait nor depend on timing.
 */
import { stringify } from 'yaml';
import { startEmulator, type Emulator, type EmulatorKeys, type EmulatorOptions } from '../../../emulator';
import { SAMPLE_POLICY } from '../emulator/harness';
import {
  type PolicyApplyCompleted,
  type PolicyApplyOutcome,
  type ShoreGuardClient,
  type ShoreGuardClientOptions,
  type ShoreGuardError,
  createClient,
  isShoreGuardError,
} from '../../../sdk';

/** The instant the emulator's clock is set to before every test. */
export const SERVER_EPOCH = new Date('2026-05-01T12:00:00.000Z');

/** A retry clock whose `sleep` returns at once, advancing `now` and recording the wait. */
export class FakeRetryClock {
  nowMs = SERVER_EPOCH.getTime();
  readonly sleeps: number[] = [];

  readonly now = (): number => this.nowMs;
  readonly random = (): number => 0.5;
  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.nowMs += ms;
  };
}

/** The emulator's clock (its `now` option): pins and keys expire against it. */
export class ServerClock {
  private current = SERVER_EPOCH.getTime();

  readonly now = (): Date => new Date(this.current);

  advance(ms: number): void {
    this.current += ms;
  }

  reset(): void {
    this.current = SERVER_EPOCH.getTime();
  }
}

/** Who the client authenticates as: a seeded service principal, a raw key, or nobody. */
export type Principal = keyof EmulatorKeys | { readonly token: string } | 'anonymous';

/** Log lines the SDK wrote during the current test (retry notes, warnings). */
export interface CapturedLog {
  readonly warn: string[];
  readonly debug: string[];
}

export interface SdkHarness {
  emulator(): Emulator;
  /** A client for the emulator; closed after the test. */
  client(as?: Principal, overrides?: Partial<ShoreGuardClientOptions>): ShoreGuardClient;
  /** The current test's fake retry clock (shared by every client of the test). */
  retryClock(): FakeRetryClock;
  readonly serverClock: ServerClock;
  log(): CapturedLog;
  /** How many requests reached the emulator for "METHOD /route/template". */
  hits(method: string, template: string): number;
}

export function useSdkEmulator(options: EmulatorOptions = {}): SdkHarness {
  const serverClock = new ServerClock();
  let emulator: Emulator | undefined;
  let clock = new FakeRetryClock();
  let log: CapturedLog = { warn: [], debug: [] };
  let clients: ShoreGuardClient[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, now: serverClock.now, ...options });
  });
  beforeEach(() => {
    serverClock.reset();
    clock = new FakeRetryClock();
    log = { warn: [], debug: [] };
    current().state.reset();
    current().faults.clear();
    current().resetStats();
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const current = (): Emulator => {
    if (!emulator) throw new Error('emulator not started');
    return emulator;
  };

  const tokenOf = (as: Principal): string | undefined => {
    if (as === 'anonymous') return undefined;
    if (typeof as === 'object') return as.token;
    return current().keys[as];
  };

  return {
    emulator: current,
    serverClock,
    retryClock: () => clock,
    log: () => log,
    client(as = 'admin', overrides = {}) {
      const token = tokenOf(as);
      const captured = log;
      const client = createClient({
        url: current().url,
        ...(token === undefined ? {} : { token }),
        // An empty environment: a SHOREGUARD_TOKEN of the machine must not leak into the tests.
        env: {},
        clock,
        logger: { warn: (line) => captured.warn.push(line), debug: (line) => captured.debug.push(line) },
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    hits(method, template) {
      return current().stats().byRoute[`${method} ${template}`] ?? 0;
    },
  };
}

/** Runs a call that must fail and returns its ShoreGuardError (any other outcome fails the test). */
export async function failure(call: Promise<unknown>): Promise<ShoreGuardError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    if (isShoreGuardError(error)) return error;
    throw error;
  }
  throw new Error(`expected a ShoreGuardError, got a result: ${JSON.stringify(outcome)}`);
}

/** The policy shape these tests edit (type aliases, so it is assignable to the emulator's PolicyDict). */
export type NetworkRule = {
  name: string;
  endpoints: { host: string; port: number; protocol: string }[];
  binaries: { path: string }[];
};
export type TestPolicy = {
  version: number;
  filesystem: { include_workdir: boolean; read_only: string[]; read_write: string[] };
  landlock: { compatibility: string };
  process: { run_as_user: string; run_as_group: string };
  network_policies: { [key: string]: NetworkRule };
};

/** A policy as the gateway holds it (every default present, so exports round-trip): the emulator tests' sample. */
export const BASE_POLICY: TestPolicy = SAMPLE_POLICY;

/** A deep copy of {@link BASE_POLICY} with changes applied. */
export function policyWith(change: (policy: TestPolicy) => void): TestPolicy {
  const policy = structuredClone(BASE_POLICY);
  change(policy);
  return policy;
}

/** A GitOps document holding only `policy` (and, when given, the lock in `metadata.policy_hash`). */
export function policyYaml(policy: TestPolicy, policyHash?: string): string {
  return stringify(policyHash === undefined ? { policy } : { metadata: { policy_hash: policyHash }, policy });
}

/** Adds an `openai` rule: a change only `network_policies` sees (so merge mode can express it). */
export function withOpenAiRule(policy: TestPolicy): void {
  policy.network_policies['openai'] = {
    name: 'openai',
    endpoints: [{ host: 'api.openai.com', port: 443, protocol: 'rest' }],
    binaries: [{ path: '/usr/bin/python3' }],
  };
}

/** Seeds a sandbox holding {@link BASE_POLICY} (or `policy`) on a registered, connected gateway. */
export function seedSandboxWithPolicy(emulator: Emulator, gateway: string, sandbox: string, policy: TestPolicy = BASE_POLICY): void {
  if (!emulator.state.gateways.has(gateway)) emulator.state.registerGateway({ name: gateway });
  emulator.state.seedSandbox(gateway, sandbox, policy);
}

type OutcomeOf<S extends PolicyApplyOutcome['status']> = S extends PolicyApplyCompleted['status'] ? PolicyApplyCompleted : Extract<PolicyApplyOutcome, { status: S }>;

/** Asserts an apply outcome's status and narrows its type for the checks that follow. */
export function expectOutcome<S extends PolicyApplyOutcome['status']>(outcome: PolicyApplyOutcome, status: S): OutcomeOf<S> {
  expect(outcome.status).toBe(status);
  return outcome as OutcomeOf<S>;
}
