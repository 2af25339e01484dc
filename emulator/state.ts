/**
 * The emulator's in-memory database: ShoreGuard's tables (users, service principals, gateways,
 * groups, roles, workflows, decisions, pins, hooks) plus the OpenShell side it stands in for
 * (sandboxes and policy revisions per gateway name). The public methods form the synchronous
 * seeding API that tests use (`emulator.state`).
 */
import { createHash, createHmac, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { parsePyIsoDatetime, toEpochMicros, type EpochMicros, type PyValue } from './core/python';
import { submitToLedger, type DraftLedger, type ProposalSubmission, type SubmissionResult } from './drafts';
import { normalizePolicy, type PolicyDict } from './policy/model';
import { policyHash } from './policy/hash';
import { gatewayLastStatus, NEVER_PROBED, sqliteStoredDatetime } from './quirks';

export type Role = 'admin' | 'operator' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];
export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Thrown by the seeding API for inputs ShoreGuard itself would reject. */
export class EmulatorStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorStateError';
  }
}

export interface UserRecord {
  id: number;
  email: string;
  role: Role;
  isActive: boolean;
  passwordHash: string | null;
  inviteTokenHash: string | null;
  createdAt: EpochMicros;
  oidcProvider: string | null;
}

export interface ServicePrincipalRecord {
  id: number;
  name: string;
  role: Role;
  keyHash: string;
  keyPrefix: string;
  createdAt: EpochMicros;
  createdBy: number | null;
  lastUsed: EpochMicros | null;
  /** Wall clock as SQLite stores it (offset dropped), compared as UTC. */
  expiresAt: EpochMicros | null;
}

export interface GatewayRecord {
  id: number;
  name: string;
  endpoint: string;
  scheme: string;
  authMode: string | null;
  hasCaCert: boolean;
  hasClientCert: boolean;
  hasClientKey: boolean;
  metadata: { [key: string]: PyValue } | null;
  description: string | null;
  labels: Record<string, string> | null;
  registeredAt: EpochMicros;
  lastSeen: EpochMicros | null;
  lastStatus: string;
}

export interface GroupRecord {
  id: number;
  name: string;
  role: Role;
  description: string | null;
  createdAt: EpochMicros;
}

export type GatewayRoleSubject = 'user' | 'sp' | 'group';

export interface GatewayRoleRecord {
  subject: GatewayRoleSubject;
  subjectId: number;
  gatewayId: number;
  role: Role;
}

export interface WorkflowRecord {
  id: number;
  gatewayName: string;
  sandboxName: string;
  requiredApprovals: number;
  requiredRoles: string[];
  distinctActors: boolean;
  escalationTimeoutMinutes: number | null;
  createdBy: string;
  createdAt: EpochMicros;
  updatedAt: EpochMicros;
}

export interface DecisionRecord {
  id: number;
  workflowId: number;
  gatewayName: string;
  sandboxName: string;
  chunkId: string;
  actor: string;
  role: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  createdAt: EpochMicros;
}

export interface ProposalRecord {
  gatewayName: string;
  sandboxName: string;
  chunkId: string;
  yamlText: string;
  expectedHash: string;
  proposedBy: string;
  proposedAt: EpochMicros;
}

/** One row of ShoreGuard's audit log (the emulator records the approval actions only). */
export interface AuditRecord {
  id: number;
  timestamp: EpochMicros;
  actor: string;
  actorRole: string;
  action: string;
  resourceType: string;
  resourceId: string;
  gateway: string | null;
  detail: Record<string, PyValue> | null;
  clientIp: string | null;
}

export interface PinRecord {
  gatewayName: string;
  sandboxName: string;
  pinnedVersion: number;
  pinnedBy: string;
  reason: string | null;
  pinnedAt: EpochMicros;
  /** Wall clock as SQLite stores it (offset dropped), compared as UTC. */
  expiresAt: EpochMicros | null;
}

export interface HookRecord {
  id: number;
  gatewayName: string;
  sandboxName: string;
  name: string;
  phase: 'pre_create' | 'post_create';
  command: string;
  workdir: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  order: number;
  enabled: boolean;
  continueOnFailure: boolean;
  createdBy: string;
  createdAt: EpochMicros;
  updatedAt: EpochMicros;
  lastRunAt: EpochMicros | null;
  lastStatus: string | null;
  lastOutput: string | null;
}

export interface RevisionRecord {
  version: number;
  policy: PolicyDict | null;
  policyHash: string;
  createdAtMs: number;
  loadedAtMs: number;
}

export interface SandboxRecord {
  id: string;
  gatewayName: string;
  name: string;
  createdAtMs: number;
  /** OpenShell ObjectMeta.resource_version: 1 at creation, bumped by every policy write. */
  resourceVersion: number;
  revisions: RevisionRecord[];
}

/** What `GetSandboxPolicyStatus` returns, as ShoreGuard's `PolicyManager.get` shapes it (§10.1). */
export interface PolicySnapshot {
  active_version: number;
  revision: { version: number; status: string; policy_hash: string; created_at_ms: number; loaded_at_ms: number };
  policy?: PolicyDict;
}

export interface SeededUser {
  id: number;
  email: string;
  role: Role;
  /** `sg_session` cookie value; send as `Cookie: sg_session=<value>`. */
  sessionCookie: string;
}

export interface RegisterGatewaySeed {
  name: string;
  endpoint?: string;
  connected?: boolean;
  labels?: Record<string, string>;
  description?: string;
  metadata?: { [key: string]: PyValue };
}

export interface PinSeed {
  reason?: string | null;
  /** A Date, or text as `datetime.fromisoformat` reads it. */
  expiresAt?: Date | string | null;
  pinnedBy?: string;
  /** Defaults to the sandbox's active version (0 without a revision). */
  pinnedVersion?: number;
}

/** `sg_session` lifetime (Max-Age 604800). */
export const SESSION_MAX_AGE_SECONDS = 86400 * 7;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function sandboxKey(gatewayName: string, sandboxName: string): string {
  return JSON.stringify([gatewayName, sandboxName]);
}

export class EmulatorState {
  readonly users = new Map<number, UserRecord>();
  readonly servicePrincipals = new Map<number, ServicePrincipalRecord>();
  readonly gateways = new Map<string, GatewayRecord>();
  readonly groups = new Map<number, GroupRecord>();
  readonly groupMembers: Array<{ groupId: number; userId: number }> = [];
  gatewayRoles: GatewayRoleRecord[] = [];
  readonly workflows = new Map<string, WorkflowRecord>();
  decisions: DecisionRecord[] = [];
  readonly proposals = new Map<string, ProposalRecord>();
  readonly pins = new Map<string, PinRecord>();
  readonly hooks = new Map<number, HookRecord>();
  /** OpenShell draft ledgers, keyed by sandbox id (a re-created sandbox starts empty). */
  readonly drafts = new Map<string, DraftLedger>();
  audit: AuditRecord[] = [];
  /** OpenShell side: sandboxes per gateway name (may exist before the gateway is registered). */
  readonly sandboxes = new Map<string, Map<string, SandboxRecord>>();
  /** Connectivity per gateway name; a registered gateway is connected unless set otherwise. */
  readonly connectivity = new Map<string, boolean>();

  private nextId = new Map<string, number>();
  private readonly sessionSecret = randomBytes(32);
  private baseline: (() => void) | null = null;
  /** Other per-run memory to forget on `reset()` (the rate limiters' windows). */
  private readonly resetHooks: (() => void)[] = [];

  constructor(private readonly clock: () => Date) {}

  nowMicros(): EpochMicros {
    return toEpochMicros(this.clock());
  }

  nowMillis(): number {
    return this.clock().getTime();
  }

  allocateId(table: string): number {
    const id = this.nextId.get(table) ?? 1;
    this.nextId.set(table, id + 1);
    return id;
  }

  // ─── Seeding API ────────────────────────────────────────────────────────────

  /** Creates a user with a session cookie (and a password when given, for `/api/auth/login`). */
  addUser(email: string, role: Role = 'viewer', options: { password?: string } = {}): SeededUser {
    if (!isRole(role)) throw new EmulatorStateError(`Invalid role: '${String(role)}'`);
    const normalized = email.trim().toLowerCase();
    if ([...this.users.values()].some((user) => user.email === normalized)) {
      throw new EmulatorStateError(`A user with email '${normalized}' already exists`);
    }
    const user = this.insertUser(normalized, role, options.password ? hashPassword(options.password) : null, null);
    return { id: user.id, email: user.email, role: user.role, sessionCookie: this.createSessionToken(user) };
  }

  insertUser(email: string, role: Role, passwordHash: string | null, inviteTokenHash: string | null): UserRecord {
    const user: UserRecord = {
      id: this.allocateId('users'),
      email,
      role,
      isActive: true,
      passwordHash,
      inviteTokenHash,
      createdAt: this.nowMicros(),
      oidcProvider: null,
    };
    this.users.set(user.id, user);
    return user;
  }

  /** Creates a service principal and returns its API key (`sg_…`, shown only here). */
  addServicePrincipal(name: string, role: Role): string {
    return this.insertServicePrincipal(name, role, null, null).key;
  }

  insertServicePrincipal(
    name: string,
    role: Role,
    expiresAt: EpochMicros | null,
    presetKey: string | null,
  ): { key: string; record: ServicePrincipalRecord } {
    if (!isRole(role)) throw new EmulatorStateError(`Invalid role: '${String(role)}'`);
    if ([...this.servicePrincipals.values()].some((sp) => sp.name === name)) {
      throw new EmulatorStateError(`A service principal named '${name}' already exists`);
    }
    const key = presetKey ?? newApiKey();
    const record: ServicePrincipalRecord = {
      id: this.allocateId('service_principals'),
      name,
      role,
      keyHash: sha256Hex(key),
      keyPrefix: key.slice(0, 12),
      createdAt: this.nowMicros(),
      createdBy: null,
      lastUsed: null,
      expiresAt,
    };
    this.servicePrincipals.set(record.id, record);
    return { key, record };
  }

  rotateServicePrincipalKey(record: ServicePrincipalRecord): string {
    const key = newApiKey();
    record.keyHash = sha256Hex(key);
    record.keyPrefix = key.slice(0, 12);
    return key;
  }

  findServicePrincipalByKey(key: string): ServicePrincipalRecord | undefined {
    const hash = sha256Hex(key);
    return [...this.servicePrincipals.values()].find((sp) => sp.keyHash === hash);
  }

  /** Registers a gateway directly (no endpoint validation); connected unless `connected: false`. */
  registerGateway(seed: RegisterGatewaySeed): GatewayRecord {
    if (this.gateways.has(seed.name)) throw new EmulatorStateError(`Gateway '${seed.name}' is already registered`);
    if (seed.connected !== undefined) this.connectivity.set(seed.name, seed.connected);
    const runtime = seed.metadata?.['runtime'];
    // A seeded gateway counts as probed healthy before, so disconnecting it reads "unreachable".
    const fields = {
      name: seed.name,
      endpoint: seed.endpoint ?? '127.0.0.1:8443',
      scheme: 'https',
      authMode: 'mtls',
      hasCaCert: false,
      hasClientCert: false,
      hasClientKey: false,
      metadata: seed.metadata
        ? { ...seed.metadata, ...(typeof runtime === 'string' ? { runtime: runtime.toLowerCase() } : {}) }
        : null,
      description: seed.description ?? null,
      labels: seed.labels && Object.keys(seed.labels).length > 0 ? { ...seed.labels } : null,
    };
    return this.insertGateway(fields, { lastStatus: gatewayLastStatus(true), lastSeen: this.nowMicros() });
  }

  /**
   * Inserts a registry row. By default it has never been probed (what REST registration leaves,
   * findings D13); a seeded gateway passes the state of a health probe it "had" before.
   */
  insertGateway(
    fields: Omit<GatewayRecord, 'id' | 'registeredAt' | 'lastSeen' | 'lastStatus'>,
    probe: { lastStatus: string; lastSeen: EpochMicros | null } = NEVER_PROBED,
  ): GatewayRecord {
    const record: GatewayRecord = {
      ...fields,
      id: this.allocateId('gateways'),
      registeredAt: this.nowMicros(),
      lastSeen: probe.lastSeen,
      lastStatus: probe.lastStatus,
    };
    this.gateways.set(record.name, record);
    return record;
  }

  /** Removes a gateway; role overrides cascade, pins/workflows/hooks stay (trap 20). */
  unregisterGateway(name: string): boolean {
    const record = this.gateways.get(name);
    if (!record) return false;
    this.gateways.delete(name);
    this.gatewayRoles = this.gatewayRoles.filter((row) => row.gatewayId !== record.id);
    return true;
  }

  /**
   * Marks a gateway (registered or not yet) as reachable or unreachable. Reconnecting records a
   * healthy probe; a lost connection leaves last_status as it was (the monitor has not run yet).
   */
  setGatewayConnected(name: string, connected: boolean): void {
    this.connectivity.set(name, connected);
    const record = this.gateways.get(name);
    if (record && connected) {
      record.lastStatus = gatewayLastStatus(true);
      record.lastSeen = this.nowMicros();
    }
  }

  private isConnectedName(name: string): boolean {
    return this.connectivity.get(name) ?? true;
  }

  /** `get_client` succeeds only for a registered, connected gateway. */
  isGatewayConnected(name: string): boolean {
    return this.gateways.has(name) && this.isConnectedName(name);
  }

  /** Creates (or re-creates) a sandbox; a policy becomes revision 1. */
  seedSandbox(gateway: string, sandbox: string, policy: PolicyDict | null = null): void {
    const record: SandboxRecord = {
      id: randomUUID(),
      gatewayName: gateway,
      name: sandbox,
      createdAtMs: this.nowMillis(),
      resourceVersion: 1,
      revisions: [],
    };
    this.sandboxMap(gateway).set(sandbox, record);
    if (policy) this.appendRevision(record, normalizePolicy(policy));
  }

  /** An edit made directly on OpenShell: always a new revision (ShoreGuard pins do not apply). */
  editPolicyOutOfBand(gateway: string, sandbox: string, policy: PolicyDict): { version: number; policyHash: string } {
    const record = this.requireSandbox(gateway, sandbox);
    const revision = this.appendRevision(record, normalizePolicy(policy));
    return { version: revision.version, policyHash: revision.policyHash };
  }

  getPolicy(gateway: string, sandbox: string): { activeVersion: number; policyHash: string; policy: PolicyDict | null } {
    const latest = this.latestRevision(this.requireSandbox(gateway, sandbox));
    return {
      activeVersion: latest?.version ?? 0,
      policyHash: latest?.policyHash ?? '',
      policy: latest?.policy ? structuredClone(latest.policy) : null,
    };
  }

  /**
   * Submits proposed chunks the way an agent inside the sandbox does (OpenShell's
   * `SubmitPolicyAnalysis`, e.g. from `POST http://policy.local/v1/proposals`): each accepted chunk
   * is pending with gateway-generated security notes; an older pending chunk for the same
   * (host, port, binary) is superseded.
   */
  submitProposal(gateway: string, sandbox: string, submission: ProposalSubmission): SubmissionResult {
    return submitToLedger(this.draftLedger(this.requireSandbox(gateway, sandbox)), submission, this.nowMillis());
  }

  /** The sandbox's draft ledger (created empty on first use). */
  draftLedger(record: SandboxRecord): DraftLedger {
    let ledger = this.drafts.get(record.id);
    if (!ledger) {
      ledger = { version: 0, chunks: [] };
      this.drafts.set(record.id, ledger);
    }
    return ledger;
  }

  /** Appends an audit row (`audit_log`); only the approval routes call it in the emulator. */
  recordAudit(entry: Omit<AuditRecord, 'id' | 'timestamp'>): void {
    this.audit.push({ id: this.allocateId('audit_log'), timestamp: this.nowMicros(), ...entry });
  }

  /** Pins a sandbox directly (e.g. a pin that expires in the past). */
  setPin(gateway: string, sandbox: string, seed: PinSeed = {}): PinRecord {
    let expiresAt: EpochMicros | null = null;
    if (seed.expiresAt instanceof Date) {
      expiresAt = toEpochMicros(seed.expiresAt);
    } else if (typeof seed.expiresAt === 'string') {
      const parsed = parsePyIsoDatetime(seed.expiresAt);
      if (!parsed) throw new EmulatorStateError(`Invalid isoformat string: '${seed.expiresAt}'`);
      expiresAt = sqliteStoredDatetime(parsed);
    }
    const sandboxRecord = this.sandboxes.get(gateway)?.get(sandbox);
    const activeVersion = sandboxRecord ? (this.latestRevision(sandboxRecord)?.version ?? 0) : 0;
    const pin: PinRecord = {
      gatewayName: gateway,
      sandboxName: sandbox,
      pinnedVersion: seed.pinnedVersion ?? activeVersion,
      pinnedBy: seed.pinnedBy ?? 'sp:emulator-admin',
      reason: seed.reason ?? null,
      pinnedAt: this.nowMicros(),
      expiresAt,
    };
    this.pins.set(sandboxKey(gateway, sandbox), pin);
    return pin;
  }

  /** Returns to the state right after start: the bootstrap user and service principals only. */
  reset(): void {
    this.users.clear();
    this.servicePrincipals.clear();
    this.gateways.clear();
    this.groups.clear();
    this.groupMembers.length = 0;
    this.gatewayRoles = [];
    this.workflows.clear();
    this.decisions = [];
    this.proposals.clear();
    this.pins.clear();
    this.hooks.clear();
    this.drafts.clear();
    this.audit = [];
    this.sandboxes.clear();
    this.connectivity.clear();
    this.nextId = new Map();
    for (const hook of this.resetHooks) hook();
    this.baseline?.();
  }

  /** Runs `hook` on every `reset()`, for state kept outside this object. */
  onReset(hook: () => void): void {
    this.resetHooks.push(hook);
  }

  /** Remembers how to re-create the bootstrap principals on `reset()`. */
  setBaseline(seed: () => void): void {
    this.baseline = seed;
    seed();
  }

  // ─── OpenShell side ─────────────────────────────────────────────────────────

  private sandboxMap(gateway: string): Map<string, SandboxRecord> {
    let map = this.sandboxes.get(gateway);
    if (!map) {
      map = new Map();
      this.sandboxes.set(gateway, map);
    }
    return map;
  }

  findSandbox(gateway: string, sandbox: string): SandboxRecord | undefined {
    return this.sandboxes.get(gateway)?.get(sandbox);
  }

  private requireSandbox(gateway: string, sandbox: string): SandboxRecord {
    const record = this.findSandbox(gateway, sandbox);
    if (!record) throw new EmulatorStateError(`Sandbox '${sandbox}' does not exist on gateway '${gateway}'`);
    return record;
  }

  latestRevision(record: SandboxRecord): RevisionRecord | undefined {
    return record.revisions[record.revisions.length - 1];
  }

  private appendRevision(record: SandboxRecord, policy: PolicyDict): RevisionRecord {
    const now = this.nowMillis();
    const revision: RevisionRecord = {
      version: record.revisions.length + 1,
      policy,
      policyHash: policyHash(policy),
      createdAtMs: now,
      loadedAtMs: now,
    };
    record.revisions.push(revision);
    record.resourceVersion += 1;
    return revision;
  }

  /**
   * `UpdateConfig(policy=…)` on the emulated gateway: a policy whose hash equals the latest
   * revision's keeps that revision; anything else becomes a new, immediately loaded revision.
   */
  writePolicy(record: SandboxRecord, normalized: PolicyDict): RevisionRecord {
    const latest = this.latestRevision(record);
    if (latest && latest.policyHash === policyHash(normalized)) return latest;
    return this.appendRevision(record, normalized);
  }

  /** `GetSandboxPolicyStatus` as ShoreGuard's `PolicyManager.get` returns it. */
  snapshot(record: SandboxRecord): PolicySnapshot {
    const latest = this.latestRevision(record);
    const snapshot: PolicySnapshot = {
      active_version: latest?.version ?? 0,
      revision: {
        version: latest?.version ?? 0,
        status: latest ? 'loaded' : 'unspecified',
        policy_hash: latest?.policyHash ?? '',
        created_at_ms: latest?.createdAtMs ?? 0,
        loaded_at_ms: latest?.loadedAtMs ?? 0,
      },
    };
    if (latest?.policy) snapshot.policy = structuredClone(latest.policy);
    return snapshot;
  }

  // ─── Sessions ───────────────────────────────────────────────────────────────

  createSessionToken(user: UserRecord): string {
    const nonce = randomBytes(18).toString('base64url');
    const expiry = String(Math.floor(this.nowMillis() / 1000) + SESSION_MAX_AGE_SECONDS);
    const payload = `${nonce}.${expiry}.${user.id}.${user.role}`;
    return `${payload}.${createHmac('sha256', this.sessionSecret).update(payload).digest('hex')}`;
  }

  /** `verify_session_token`: returns the user id of a valid, unexpired token. */
  verifySessionToken(token: string): number | null {
    const parts = token.split('.');
    if (parts.length !== 5) return null;
    const [nonce, expiry, userId, role, signature] = parts as [string, string, string, string, string];
    if (!isRole(role)) return null;
    const expected = createHmac('sha256', this.sessionSecret).update(`${nonce}.${expiry}.${userId}.${role}`).digest('hex');
    if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return null;
    if (!/^\d+$/.test(expiry) || Number(expiry) < Math.floor(this.nowMillis() / 1000)) return null;
    return /^\d+$/.test(userId) ? Number(userId) : null;
  }
}

export function newApiKey(): string {
  return `sg_${randomBytes(32).toString('base64url')}`;
}

export function hashInviteToken(token: string): string {
  return sha256Hex(token);
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [saltHex, hashHex] = stored.split(':');
  if (!saltHex || !hashHex) return false;
  const actual = scryptSync(password, Buffer.from(saltHex, 'hex'), 32);
  const expected = Buffer.from(hashHex, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
