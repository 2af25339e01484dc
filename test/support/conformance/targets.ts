// The servers the conformance suite compares. A target hides how a server is started and how its
// upstream OpenShell side is seeded: the emulator in-process (its own state), the real ShoreGuard
// 0.40.0 started by scripts/real-shoreguard/ with the fake OpenShell gateway registered as its
// upstream, or any running ShoreGuard given by SHOREGUARD_URL + SHOREGUARD_TOKEN.
import { randomBytes } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { SERVICE_PRINCIPAL_NAMES, startEmulator, type Emulator, type PolicyDict, type ProposalSubmission, type SubmissionResult } from '../../../emulator';
import { startFakeOpenShell, type FakeOpenShell, type SandboxPolicy } from '../fake-openshell';
import { SandboxPolicySchema } from '../fake-openshell/policy-store';
import { startRealShoreGuard, type RealShoreGuard } from '../real-shoreguard';
import { Aliases, type Reply } from './observe';

export type Principal = 'admin' | 'operator' | 'operator2' | 'viewer';
export const PRINCIPALS: readonly Principal[] = ['admin', 'operator', 'operator2', 'viewer'];

/** Who a request is sent as: a seeded principal, no credentials at all, or an explicit Bearer value. */
export type Credentials = Principal | null | { bearer: string };

/** A policy in ShoreGuard's dict form (what export/apply carry). */
export type ConformancePolicy = PolicyDict;

/** The same policy as the fake gateway's decoded proto message (validated, not cast). */
function asGatewayPolicy(policy: ConformancePolicy): SandboxPolicy {
  return SandboxPolicySchema.parse(policy);
}

export interface SeedResult {
  /** The sandbox name on this target. */
  sandbox: string;
  /** Active revision after seeding (0 without a policy). */
  version: number;
}

export interface ConformanceTarget {
  /** 'emulator' or 'real'. */
  readonly kind: 'emulator' | 'real';
  /** How the server runs: in this process, started by our scripts, or someone else's (SHOREGUARD_URL). */
  readonly origin: 'in-process' | 'local-script' | 'remote';
  /**
   * Keys whose values this server's background tasks change over time (compared by type only):
   * a long-running SHOREGUARD_URL server's health monitor has already rewritten last_status/last_seen.
   */
  readonly volatileKeys: readonly string[];
  /** Human-readable, e.g. "ShoreGuard 0.40.0 (local, scripts/real-shoreguard)". */
  readonly description: string;
  readonly url: string;
  /** Registered, connected gateway that holds the seeded sandboxes. */
  readonly gateway: string;
  /** Target-specific strings (principal names, endpoints) → placeholders shared by all targets. */
  readonly aliases: Aliases;
  /** Whether a sandbox can be created without any policy revision. */
  readonly canSeedBareSandbox: boolean;
  key(principal: Principal): string;
  /**
   * Gives `logicalName` a sandbox with `policy` as its live revision (or no revision) and returns
   * its name here. `atVersion` (emulator only) pads the revision history so versions line up with
   * another target whose sandbox already had history.
   */
  seedSandbox(logicalName: string, policy: ConformancePolicy | undefined, atVersion?: number): Promise<SeedResult>;
  /** A write made on the gateway behind ShoreGuard's back (a new revision). */
  editPolicyOutOfBand(sandbox: string, policy: ConformancePolicy): Promise<void>;
  /** Proposed chunks submitted on the gateway the way an agent in the sandbox does (SubmitPolicyAnalysis). */
  submitProposal(sandbox: string, submission: ProposalSubmission): Promise<SubmissionResult>;
  /** Whether proposals can be submitted (needs access to the gateway: not on a SHOREGUARD_URL server). */
  readonly canSubmitProposals: boolean;
  /** Endpoint to register a gateway under `name`: one that answers, or one that never will. */
  gatewayEndpoint(name: string, reachable: boolean): string;
  close(): Promise<void>;
}

export class ConformanceSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceSetupError';
  }
}

const UNREACHABLE_ENDPOINT = '127.0.0.1:1';

export interface SendOptions {
  body?: unknown;
  /** Sent verbatim instead of JSON-encoding `body` (malformed-JSON cases). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** One HTTP exchange with plain fetch; what is compared is the server, not a client library. */
export async function send(
  target: ConformanceTarget,
  credentials: Credentials,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = credentials === null ? null : typeof credentials === 'string' ? target.key(credentials) : credentials.bearer;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${target.url}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', headers: response.headers, text, body };
}

async function expectStatus(reply: Promise<Reply>, expected: number[], what: string): Promise<Reply> {
  const settled = await reply;
  if (!expected.includes(settled.status)) {
    throw new ConformanceSetupError(`${what}: expected HTTP ${expected.join('/')}, got ${settled.status}: ${settled.text.slice(0, 300)}`);
  }
  return settled;
}

function registerBody(name: string, endpoint: string): Record<string, unknown> {
  return { name, endpoint, scheme: 'http', auth_mode: 'insecure' };
}

/** Principal names as they appear in actor ids (`sp:<name>`) and SP listings. */
function principalAliases(names: Record<Principal, string>): Aliases {
  const aliases = new Aliases();
  for (const principal of PRINCIPALS) aliases.add(names[principal], `<sp-name:${principal}>`);
  return aliases;
}

// ─── Emulator ────────────────────────────────────────────────────────────────────────────────

/** Any loopback endpoint: the emulator never dials it; connectivity is emulator state. */
const EMULATOR_GATEWAY_ENDPOINT = '127.0.0.1:50051';
const EMULATOR_UPSTREAM_VERSION = '0.0.36';

export async function startEmulatorTarget(gateway: string): Promise<ConformanceTarget> {
  const emulator: Emulator = await startEmulator({ port: 0 });
  const aliases = principalAliases(SERVICE_PRINCIPAL_NAMES)
    .add(EMULATOR_GATEWAY_ENDPOINT, '<gateway-endpoint>')
    .add(EMULATOR_UPSTREAM_VERSION, '<openshell-version>');
  const target: ConformanceTarget = {
    kind: 'emulator',
    origin: 'in-process',
    volatileKeys: [],
    description: `shoreguard-iac emulator (in-process, ${emulator.url})`,
    url: emulator.url,
    gateway,
    aliases,
    canSeedBareSandbox: true,
    key: (principal) => emulator.keys[principal],
    async seedSandbox(logicalName, policy, atVersion) {
      emulator.state.seedSandbox(gateway, logicalName, policy ?? null);
      if (policy && atVersion !== undefined) {
        // Same live policy, same revision number as the other target (history padded in front).
        for (let version = 1; version < atVersion; version += 1) emulator.state.editPolicyOutOfBand(gateway, logicalName, policy);
      }
      return { sandbox: logicalName, version: policy ? emulator.state.getPolicy(gateway, logicalName).activeVersion : 0 };
    },
    async editPolicyOutOfBand(sandbox, policy) {
      emulator.state.editPolicyOutOfBand(gateway, sandbox, policy);
    },
    canSubmitProposals: true,
    submitProposal: async (sandbox, submission) => emulator.state.submitProposal(gateway, sandbox, submission),
    gatewayEndpoint(name, reachable) {
      emulator.state.setGatewayConnected(name, reachable);
      return reachable ? EMULATOR_GATEWAY_ENDPOINT : UNREACHABLE_ENDPOINT;
    },
    close: () => emulator.close(),
  };
  await expectStatus(
    send(target, 'admin', 'POST', '/api/gateway/register', { body: registerBody(gateway, target.gatewayEndpoint(gateway, true)) }),
    [201],
    `registering gateway '${gateway}' on the emulator`,
  );
  return target;
}

// ─── Real ShoreGuard started locally + fake OpenShell ────────────────────────────────────────

const REAL_PRINCIPAL_NAMES: Record<Principal, string> = {
  admin: 'ts-admin',
  operator: 'ts-operator1',
  operator2: 'ts-operator2',
  viewer: 'ts-viewer',
};
const FAKE_UPSTREAM_VERSION = 'fake-openshell-conformance';
/**
 * The health monitor rewrites every gateway's last_status/last_seen each 30 s; the emulator has
 * none. An hour keeps the real server in its just-registered state for the whole run.
 */
export const REAL_SHOREGUARD_ENV: Readonly<Record<string, string>> = { SHOREGUARD_BG_HEALTH_INTERVAL: '3600' };

export async function startLocalRealTarget(gateway: string): Promise<ConformanceTarget> {
  const fake: FakeOpenShell = await startFakeOpenShell({ port: 0, version: FAKE_UPSTREAM_VERSION });
  let sg: RealShoreGuard;
  try {
    sg = await startRealShoreGuard({ env: REAL_SHOREGUARD_ENV });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const aliases = principalAliases(REAL_PRINCIPAL_NAMES)
    .add(fake.endpoint, '<gateway-endpoint>')
    .add(FAKE_UPSTREAM_VERSION, '<openshell-version>');
  const target: ConformanceTarget = {
    kind: 'real',
    origin: 'local-script',
    volatileKeys: [],
    description: `ShoreGuard ${sg.version} (local, scripts/real-shoreguard, ${sg.url}) with the fake OpenShell gateway`,
    url: sg.url,
    gateway,
    aliases,
    canSeedBareSandbox: true,
    key: (principal) => sg.key(principal),
    async seedSandbox(logicalName, policy) {
      const revision = fake.seedSandbox(logicalName, policy && asGatewayPolicy(policy));
      return { sandbox: logicalName, version: revision?.version ?? 0 };
    },
    async editPolicyOutOfBand(sandbox, policy) {
      fake.editPolicyOutOfBand(sandbox, asGatewayPolicy(policy));
    },
    canSubmitProposals: true,
    submitProposal: (sandbox, submission) => fake.submitProposal(sandbox, submission),
    gatewayEndpoint: (_name, reachable) => (reachable ? fake.endpoint : UNREACHABLE_ENDPOINT),
    async close() {
      await sg.stop();
      await fake.close();
    },
  };
  try {
    await expectStatus(
      send(target, 'admin', 'POST', '/api/gateway/register', { body: registerBody(gateway, fake.endpoint) }),
      [201],
      `registering the fake OpenShell as '${gateway}' on the real ShoreGuard`,
    );
  } catch (error) {
    await target.close();
    throw error;
  }
  return target;
}

// ─── Any running ShoreGuard (SHOREGUARD_URL + SHOREGUARD_TOKEN) ──────────────────────────────

export interface RemoteTargetConfig {
  url: string;
  /** Admin service-principal key. */
  token: string;
  /** A registered, connected gateway … */
  gateway: string;
  /** … with this sandbox, whose policy the suite overwrites (replace) before each case. */
  sandbox: string;
}

const ServicePrincipalSchema = z.object({ id: z.number(), name: z.string(), key_prefix: z.string() });
const CreatedServicePrincipalSchema = ServicePrincipalSchema.extend({ key: z.string() });
const GatewayInfoSchema = z.object({ endpoint: z.string(), connected: z.boolean().nullable(), version: z.string().nullable().optional() });

export function remoteTargetConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RemoteTargetConfig | null {
  const url = env.SHOREGUARD_URL;
  if (!url) return null;
  const missing = ['SHOREGUARD_TOKEN', 'SHOREGUARD_CONFORMANCE_GATEWAY', 'SHOREGUARD_CONFORMANCE_SANDBOX'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConformanceSetupError(
      `SHOREGUARD_URL is set, so the suite runs against that server, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing ` +
        '(see test/conformance/README.md)',
    );
  }
  return {
    url: url.replace(/\/+$/, ''),
    token: env.SHOREGUARD_TOKEN ?? '',
    gateway: env.SHOREGUARD_CONFORMANCE_GATEWAY ?? '',
    sandbox: env.SHOREGUARD_CONFORMANCE_SANDBOX ?? '',
  };
}

export async function startRemoteTarget(config: RemoteTargetConfig): Promise<ConformanceTarget> {
  const keys: Partial<Record<Principal, string>> = { admin: config.token };
  const names: Partial<Record<Principal, string>> = {};
  const created: number[] = [];
  const runId = randomBytes(3).toString('hex');
  const sandboxPath = `/api/gateways/${encodeURIComponent(config.gateway)}/sandboxes/${encodeURIComponent(config.sandbox)}`;
  const target: ConformanceTarget = {
    kind: 'real',
    origin: 'remote',
    volatileKeys: ['last_status', 'last_seen'],
    description: `ShoreGuard at ${config.url} (SHOREGUARD_URL), gateway '${config.gateway}', sandbox '${config.sandbox}'`,
    url: config.url,
    gateway: config.gateway,
    aliases: new Aliases(),
    canSeedBareSandbox: false,
    key(principal) {
      const key = keys[principal];
      if (key === undefined) throw new ConformanceSetupError(`no key for principal '${principal}' on ${config.url}`);
      return key;
    },
    async seedSandbox(_logicalName, policy) {
      if (!policy) throw new ConformanceSetupError('a remote ShoreGuard cannot create a sandbox without a policy revision');
      // Back to a clean slate: no pin, no workflow, then the policy as a plain replace (no lock).
      await expectStatus(send(target, 'admin', 'DELETE', `${sandboxPath}/policy/pin`), [204, 404], 'removing a leftover pin');
      await expectStatus(send(target, 'admin', 'DELETE', `${sandboxPath}/approval-workflow`), [200, 404], 'removing a leftover workflow');
      await expectStatus(
        send(target, 'admin', 'POST', `${sandboxPath}/policy/apply`, { body: { yaml: toYaml({ policy }), mode: 'replace' } }),
        [200],
        `writing the seed policy to '${config.sandbox}'`,
      );
      const exported = await expectStatus(send(target, 'admin', 'GET', `${sandboxPath}/policy/export`), [200], 'reading the seeded version');
      const version = z.object({ version: z.number() }).parse(exported.body).version;
      return { sandbox: config.sandbox, version };
    },
    async editPolicyOutOfBand(_sandbox, policy) {
      // Without access to the gateway, "someone else" is another replace through ShoreGuard.
      await expectStatus(
        send(target, 'admin', 'POST', `${sandboxPath}/policy/apply`, { body: { yaml: toYaml({ policy }), mode: 'replace' } }),
        [200],
        'editing the policy behind the suite',
      );
    },
    canSubmitProposals: false,
    async submitProposal() {
      throw new ConformanceSetupError('proposals are submitted on the gateway, which a SHOREGUARD_URL run cannot reach');
    },
    gatewayEndpoint: (_name, reachable) => (reachable ? gatewayEndpoint : UNREACHABLE_ENDPOINT),
    async close() {
      for (const id of created) await send(target, 'admin', 'DELETE', `/api/auth/service-principals/${id}`);
    },
  };

  const list = await expectStatus(send(target, 'admin', 'GET', '/api/auth/service-principals'), [200], 'listing service principals with SHOREGUARD_TOKEN');
  const own = z.array(ServicePrincipalSchema).parse(list.body).find((sp) => sp.key_prefix === config.token.slice(0, sp.key_prefix.length));
  if (!own) throw new ConformanceSetupError('SHOREGUARD_TOKEN is not the key of a service principal on that server');
  names.admin = own.name;
  const roles: Record<Exclude<Principal, 'admin'>, string> = { operator: 'operator', operator2: 'operator', viewer: 'viewer' };
  for (const [principal, role] of Object.entries(roles) as Array<[Exclude<Principal, 'admin'>, string]>) {
    const name = `conformance-${principal}-${runId}`;
    const reply = await expectStatus(
      send(target, 'admin', 'POST', '/api/auth/service-principals', { body: { name, role } }),
      [201],
      `creating service principal ${name}`,
    );
    const sp = CreatedServicePrincipalSchema.parse(reply.body);
    created.push(sp.id);
    keys[principal] = sp.key;
    names[principal] = sp.name;
  }
  const info = await expectStatus(send(target, 'admin', 'GET', `/api/gateway/${encodeURIComponent(config.gateway)}/info`), [200], `reading gateway '${config.gateway}'`);
  const gatewayInfo = GatewayInfoSchema.parse(info.body);
  if (!gatewayInfo.connected) throw new ConformanceSetupError(`gateway '${config.gateway}' is not connected`);
  const gatewayEndpoint = gatewayInfo.endpoint;
  for (const principal of PRINCIPALS) target.aliases.add(names[principal] ?? '', `<sp-name:${principal}>`);
  target.aliases.add(gatewayEndpoint, '<gateway-endpoint>');
  if (gatewayInfo.version) target.aliases.add(gatewayInfo.version, '<openshell-version>');
  return target;
}
