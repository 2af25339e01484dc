/**
 * A ShoreGuard 0.40.0-compatible server for tests, demos and offline CI. It imports nothing from
 * sdk/, provider/ or bridge/, so a client bug cannot cancel out against the same bug here.
 *
 * ```ts
 * const emulator = await startEmulator();
 * emulator.state.registerGateway({ name: 'gw' });
 * emulator.state.seedSandbox('gw', 'sb', { filesystem: { read_only: ['/usr'] } });
 * await fetch(`${emulator.url}/api/gateway/list`, { headers: { authorization: `Bearer ${emulator.adminKey}` } });
 * await emulator.close();
 * ```
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { FaultInjector } from './faults';
import { Router, type EmulatorSettings } from './http/router';
import { createRequestListener, RequestStats } from './http/server';
import { SlidingWindowRateLimiter, type RateLimitConfig } from './ratelimit';
import { approvalRoutes } from './routes/approvals';
import { authRoutes } from './routes/auth';
import { controlRoutes } from './routes/control';
import { gatewayRoutes } from './routes/gateways';
import { groupRoutes } from './routes/groups';
import { hookRoutes } from './routes/hooks';
import { pinRoutes } from './routes/pins';
import { policyRoutes } from './routes/policy';
import { probeRoutes } from './routes/probes';
import { sandboxRoutes } from './routes/sandboxes';
import { workflowRoutes } from './routes/workflows';
import { EmulatorState, newApiKey } from './state';

export { EmulatorState, EmulatorStateError, type PinSeed, type RegisterGatewaySeed, type Role, type SeededUser } from './state';
export { FaultInjector, type FaultMatch, type FaultRule } from './faults';
export type { PolicyDict } from './policy/model';
export type { ProposalChunkSeed, ProposalSubmission, SubmissionResult } from './drafts';
export type { RateLimitConfig } from './ratelimit';

export interface EmulatorOptions {
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Accept private/loopback gateway endpoints, like `SHOREGUARD_LOCAL_MODE`. @default true */
  localMode?: boolean;
  /** ShoreGuard's limiters (§1.4); each is off unless configured. */
  rateLimits?: { global?: RateLimitConfig; write?: RateLimitConfig };
  /** Added to every non-control request. @default 0 */
  latencyMs?: number;
  /** Reported by `/version`. @default '0.40.0' */
  version?: string;
  /** Clock for timestamps and pin/key expiry. @default () => new Date() */
  now?: () => Date;
}

export interface EmulatorKeys {
  admin: string;
  operator: string;
  operator2: string;
  viewer: string;
}

export interface Emulator {
  url: string;
  port: number;
  /** Key of service principal "emulator-admin" (role admin); also unlocks `/__emulator`. */
  adminKey: string;
  /** Distinct service principals, e.g. for two-voter quorum tests. */
  keys: EmulatorKeys;
  state: EmulatorState;
  faults: FaultInjector;
  /** Requests counted per "METHOD /route/template". */
  stats(): { requests: number; byRoute: Record<string, number> };
  resetStats(): void;
  close(): Promise<void>;
}

/** The user that completes ShoreGuard's setup gate (before it, every API call is 401). */
export const BOOTSTRAP_USER_EMAIL = 'admin@localhost';

export const SERVICE_PRINCIPAL_NAMES: Record<keyof EmulatorKeys, string> = {
  admin: 'emulator-admin',
  operator: 'emulator-operator',
  operator2: 'emulator-operator-2',
  viewer: 'emulator-viewer',
};

const SHOREGUARD_VERSION = '0.40.0';
const OPENSHELL_VERSION = '0.0.36';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const state = new EmulatorState(options.now ?? (() => new Date()));
  const keys: EmulatorKeys = { admin: newApiKey(), operator: newApiKey(), operator2: newApiKey(), viewer: newApiKey() };
  state.setBaseline(() => {
    state.insertUser(BOOTSTRAP_USER_EMAIL, 'admin', null, null);
    state.insertServicePrincipal(SERVICE_PRINCIPAL_NAMES.admin, 'admin', null, keys.admin);
    state.insertServicePrincipal(SERVICE_PRINCIPAL_NAMES.operator, 'operator', null, keys.operator);
    state.insertServicePrincipal(SERVICE_PRINCIPAL_NAMES.operator2, 'operator', null, keys.operator2);
    state.insertServicePrincipal(SERVICE_PRINCIPAL_NAMES.viewer, 'viewer', null, keys.viewer);
  });
  const faults = new FaultInjector();
  const stats = new RequestStats();
  const settings: EmulatorSettings = {
    localMode: options.localMode ?? true,
    version: options.version ?? SHOREGUARD_VERSION,
    gatewayVersion: OPENSHELL_VERSION,
  };
  const router = new Router([
    ...probeRoutes,
    ...authRoutes,
    ...groupRoutes,
    ...gatewayRoutes,
    ...sandboxRoutes,
    ...policyRoutes,
    ...pinRoutes,
    ...workflowRoutes,
    ...approvalRoutes,
    ...hookRoutes,
  ]);
  const controlRouter = new Router(controlRoutes({ state, faults, stats, adminKey: keys.admin, keys: { ...keys } }));
  const limiter = (config: RateLimitConfig | undefined): SlidingWindowRateLimiter | null => {
    if (!config) return null;
    const created = new SlidingWindowRateLimiter(config);
    state.onReset(() => created.reset());
    return created;
  };
  const server = createServer(
    { keepAliveTimeout: 5_000 },
    createRequestListener({
      state,
      settings,
      faults,
      router,
      controlRouter,
      globalLimiter: limiter(options.rateLimits?.global),
      writeLimiter: limiter(options.rateLimits?.write),
      latencyMs: options.latencyMs ?? 0,
      stats,
    }),
  );
  const port = await listen(server, options.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return new RunningEmulator(`http://${urlHost}:${port}`, port, keys, state, faults, stats, server);
}

/** The handle `startEmulator` returns; printing or serialising it never shows the API keys. */
class RunningEmulator implements Emulator {
  private closing: Promise<void> | null = null;

  constructor(
    readonly url: string,
    readonly port: number,
    readonly keys: EmulatorKeys,
    readonly state: EmulatorState,
    readonly faults: FaultInjector,
    private readonly requestStats: RequestStats,
    private readonly server: Server,
  ) {}

  get adminKey(): string {
    return this.keys.admin;
  }

  stats(): { requests: number; byRoute: Record<string, number> } {
    return this.requestStats.snapshot();
  }

  resetStats(): void {
    this.requestStats.reset();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  toString(): string {
    return `Emulator(${this.url}, keys: [redacted])`;
  }

  toJSON(): { url: string; port: number } {
    return { url: this.url, port: this.port };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
