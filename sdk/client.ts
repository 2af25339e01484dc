import { ApprovalsApi } from './api/approvals';
import { BootHooksApi } from './api/boot-hooks';
import { GatewaysApi } from './api/gateways';
import { GroupsApi } from './api/groups';
import { PinsApi } from './api/pins';
import { PoliciesApi } from './api/policies';
import { SandboxesApi } from './api/sandboxes';
import { ServicePrincipalsApi } from './api/service-principals';
import { UsersApi } from './api/users';
import { WorkflowsApi } from './api/workflows';
import { type ShoreGuardClientOptions, resolveConfig } from './config';
import { type HealthStatus, type ServerVersion, healthSchema, versionSchema } from './models/health';
import { Transport } from './transport';

/**
 * The ShoreGuard REST client. One instance per server; it keeps a keep-alive connection pool, so
 * call {@link close} when done.
 *
 * ```ts
 * const client = createClient({ url: 'https://shoreguard.example.com', token: process.env.SG_KEY });
 * const outcome = await client.policies.apply('prod-gw', 'agent-1', { yaml, dryRun: true });
 * await client.close();
 * ```
 *
 * Every method throws a {@link ShoreGuardError} (branch on `code`) for real failures; expected
 * outcomes (absent pin, no workflow, vote recorded, pinned, version conflict on apply) are values.
 */
export class ShoreGuardClient {
  /** Base URL in use (origin + path prefix, no trailing slash). */
  readonly baseUrl: string;
  /** Gateway registry (register, list, info, findByName, update, delete). */
  readonly gateways: GatewaysApi;
  /** Users (list, findByEmail, create, delete). */
  readonly users: UsersApi;
  /** Service principals / API keys (list, create, delete). */
  readonly servicePrincipals: ServicePrincipalsApi;
  /** RBAC groups, members and gateway roles. */
  readonly groups: GroupsApi;
  /** Approval workflows and vote decisions. */
  readonly workflows: WorkflowsApi;
  /** Policy pins. */
  readonly pins: PinsApi;
  /** Sandbox boot hooks. */
  readonly bootHooks: BootHooksApi;
  /** Sandboxes (read). */
  readonly sandboxes: SandboxesApi;
  /** GitOps export/apply. */
  readonly policies: PoliciesApi;
  /** Draft-policy approvals: pending chunks, votes, approve / reject / approve-all / edit / undo / clear, provenance. */
  readonly approvals: ApprovalsApi;
  readonly #transport: Transport;

  /** @throws ConfigError for invalid options or environment. */
  constructor(options: ShoreGuardClientOptions = {}) {
    this.#transport = new Transport(resolveConfig(options));
    this.baseUrl = this.#transport.baseUrl;
    this.gateways = new GatewaysApi(this.#transport);
    this.users = new UsersApi(this.#transport);
    this.servicePrincipals = new ServicePrincipalsApi(this.#transport);
    this.groups = new GroupsApi(this.#transport);
    this.workflows = new WorkflowsApi(this.#transport);
    this.pins = new PinsApi(this.#transport);
    this.bootHooks = new BootHooksApi(this.#transport);
    this.sandboxes = new SandboxesApi(this.#transport);
    this.policies = new PoliciesApi(this.#transport, this.pins, this.workflows);
    this.approvals = new ApprovalsApi(this.#transport, this.pins, this.workflows);
  }

  /** `GET /healthz` (no auth; not rate limited). Throws unless the server answers 2xx. */
  async health(): Promise<HealthStatus> {
    return this.#transport.call({ method: 'GET', path: '/healthz', idempotent: true }, healthSchema);
  }

  /** `GET /version` (no auth). */
  async version(): Promise<ServerVersion> {
    return this.#transport.call({ method: 'GET', path: '/version', idempotent: true }, versionSchema);
  }

  /** Closes the connection pool. An injected `dispatcher` is left open (its owner closes it). */
  async close(): Promise<void> {
    await this.#transport.close();
  }
}

/** Creates a {@link ShoreGuardClient}. @throws ConfigError for invalid options or environment. */
export function createClient(options: ShoreGuardClientOptions = {}): ShoreGuardClient {
  return new ShoreGuardClient(options);
}
