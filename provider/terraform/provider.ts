/**
 * The tfplugin6 `Provider` service: schema, validation, plan, apply, read, import, state upgrade
 * and stop, on top of the resource handlers in provider/resources. Each method takes the decoded
 * protobuf request (plain object, snake_case) and returns the response object; server.ts puts it
 * on gRPC. The plan/apply rules follow Terraform's contract for providers:
 *
 * - plan: non-computed attributes are planned exactly as configured; an attribute whose config is
 *   equivalent to the prior value (per the handler's diff) keeps the prior value; computed
 *   attributes are unknown when they may change, prior values otherwise; `requires_replace` lists
 *   the identity attributes that really change;
 * - apply: the new state equals every known planned value; only planned unknowns take the
 *   server's answer;
 * - read: a deleted object yields a null state (Terraform then drops it); values the server
 *   reports in another but equivalent form keep the form in state, so no spurious diff appears.
 */
import type { ShoreGuardClientOptions } from '../../sdk/config';
import { ShoreGuardClient } from '../../sdk/client';
import { createRedactor, type Redactor } from '../../sdk/secret';
import type { AttributeProblem, AttributeValue, Attributes, LookupHandler, ResourceContext, ResourceHandler } from '../resources/types';
import { clientOptions, parseProviderConfig, unknownAttributes, validateProviderConfig } from './config';
import { type CtyObject, type CtyValue, conform, ctyEqual, decodeJson, decodeMsgpack, encodeMsgpack, isWhollyKnown, UNKNOWN } from './cty';
import {
  type AttributePathMessage,
  type DiagnosticMessage,
  errorDiagnostic,
  errorDiagnostics,
  hasErrors,
  parseAttributePath,
  problemDiagnostics,
} from './diagnostics';
import type { ProviderLogger } from './logger';
import { ProviderMetrics } from './metrics';
import { type BlockInfo, loadProviderSchema, type ProviderSchema, type SchemaMessage, toSchemaMessage } from './schema';

// ---- wire shapes (what proto-loader hands us / accepts) ----

export interface DynamicValueMessage {
  msgpack?: Uint8Array | null;
  json?: Uint8Array | null;
}

type Dv = DynamicValueMessage | null | undefined;

interface Diagnosed {
  diagnostics: DiagnosticMessage[];
}

export interface ServerCapabilitiesMessage {
  plan_destroy: boolean;
  get_provider_schema_optional: boolean;
}

export interface GetProviderSchemaResponse extends Diagnosed {
  provider: SchemaMessage;
  resource_schemas: Record<string, SchemaMessage>;
  data_source_schemas: Record<string, SchemaMessage>;
  server_capabilities: ServerCapabilitiesMessage;
}

export interface GetMetadataResponse extends Diagnosed {
  server_capabilities: ServerCapabilitiesMessage;
  resources: { type_name: string }[];
  data_sources: { type_name: string }[];
}

export interface PlanResponse extends Diagnosed {
  planned_state: DynamicValueMessage | null;
  requires_replace: AttributePathMessage[];
  planned_private: Uint8Array;
}

export interface ApplyResponse extends Diagnosed {
  new_state: DynamicValueMessage | null;
  private: Uint8Array;
}

export interface ReadResponse extends Diagnosed {
  new_state: DynamicValueMessage | null;
  private: Uint8Array;
}

export interface ImportResponse extends Diagnosed {
  imported_resources: { type_name: string; state: DynamicValueMessage; private: Uint8Array }[];
}

export interface ProviderServiceOptions {
  /** Resource handlers by schema type (provider/resources `resources`). */
  readonly resources: Readonly<Record<string, ResourceHandler>>;
  /** Data source handlers by schema type (provider/resources `lookups`). */
  readonly lookups: Readonly<Record<string, LookupHandler>>;
  readonly logger: ProviderLogger;
  /** @default loadProviderSchema() (schema.json) */
  readonly schema?: ProviderSchema;
  /** @default `new ShoreGuardClient(options)` */
  readonly createClient?: (options: ShoreGuardClientOptions) => ShoreGuardClient;
  /** Environment for SHOREGUARD_* fallbacks. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock handed to the handlers. @default the real clock */
  readonly now?: () => Date;
  /** @default a fresh ProviderMetrics */
  readonly metrics?: ProviderMetrics;
}

const CAPABILITIES: ServerCapabilitiesMessage = { plan_destroy: false, get_provider_schema_optional: false };
const EMPTY = new Uint8Array(0);

/** Why an RPC cannot go on; carries the diagnostics to return. */
class RpcFailure extends Error {
  constructor(readonly diagnostics: DiagnosticMessage[]) {
    super(diagnostics.map((d) => d.summary).join('; '));
  }
}

type HandlerState = Attributes & { id: string };

export class ProviderService {
  readonly schema: ProviderSchema;
  readonly metrics: ProviderMetrics;
  readonly #options: ProviderServiceOptions;
  readonly #log: ProviderLogger;
  #client: ShoreGuardClient | undefined;
  #redact: Redactor = createRedactor([]);
  #stopping = false;
  #schemaResponse: GetProviderSchemaResponse | undefined;

  constructor(options: ProviderServiceOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.schema = options.schema ?? loadProviderSchema();
    this.metrics = options.metrics ?? new ProviderMetrics();
  }

  // ---- schema ----

  getMetadata(): GetMetadataResponse {
    return {
      server_capabilities: CAPABILITIES,
      resources: [...this.schema.resources.keys()].map((type_name) => ({ type_name })),
      data_sources: [...this.schema.dataSources.keys()].map((type_name) => ({ type_name })),
      diagnostics: [],
    };
  }

  getProviderSchema(): GetProviderSchemaResponse {
    this.#schemaResponse ??= {
      provider: toSchemaMessage(this.schema.provider),
      resource_schemas: Object.fromEntries([...this.schema.resources].map(([name, block]) => [name, toSchemaMessage(block)])),
      data_source_schemas: Object.fromEntries([...this.schema.dataSources].map(([name, block]) => [name, toSchemaMessage(block)])),
      server_capabilities: CAPABILITIES,
      diagnostics: [],
    };
    return this.#schemaResponse;
  }

  // ---- provider configuration ----

  validateProviderConfig(req: { config?: Dv }): Diagnosed {
    return this.#guard(() => ({ diagnostics: validateProviderConfig(this.#decodeObject(this.schema.provider, req.config) ?? {}) }));
  }

  async configureProvider(req: { config?: Dv; terraform_version?: string }): Promise<Diagnosed> {
    return this.#guardAsync(async () => {
      const config = this.#decodeObject(this.schema.provider, req.config) ?? {};
      const unknown = unknownAttributes(config);
      if (unknown.length > 0) {
        return {
          diagnostics: unknown.map((name) =>
            errorDiagnostic(
              'Provider configuration is not known yet',
              `provider "shoreguard" ${name} depends on a value known only after apply. Set it from a variable or a value known at plan time.`,
              name,
            ),
          ),
        };
      }
      const diagnostics = validateProviderConfig(config);
      if (hasErrors(diagnostics)) return { diagnostics };
      const parsed = parseProviderConfig(config);
      const env = this.#options.env ?? process.env;
      const secrets = [parsed.api_key, parsed.client_key, parsed.client_cert, env['SHOREGUARD_TOKEN'], env['SHOREGUARD_API_KEY']];
      this.#log.addSecrets(secrets);
      this.#redact = createRedactor(secrets);
      const sdkLogger = { warn: (message: string) => this.#log.warn(message), debug: (message: string) => this.#log.debug(message) };
      const create = this.#options.createClient ?? ((options: ShoreGuardClientOptions) => new ShoreGuardClient(options));
      const previous = this.#client;
      this.#client = create(clientOptions(parsed, sdkLogger, env));
      await previous?.close();
      this.#log.info('provider configured', { endpoint: this.#client.baseUrl, terraform_version: req.terraform_version ?? '' });
      return { diagnostics };
    }, 'configure provider');
  }

  // ---- validation ----

  validateResourceConfig(req: { type_name: string; config?: Dv }): Diagnosed {
    return this.#guard(() => {
      const block = this.#resourceBlock(req.type_name);
      const handler = this.#resourceHandler(req.type_name);
      const config = this.#decodeObject(block, req.config) ?? {};
      const unknown = unknownInputs(block, config);
      const checked = handler.check(knownInputs(block, config));
      return { diagnostics: checked.ok ? [] : problemDiagnostics(req.type_name, withoutUnknown(checked.problems, unknown), this.#redact) };
    });
  }

  validateDataResourceConfig(req: { type_name: string; config?: Dv }): Diagnosed {
    return this.#guard(() => {
      const block = this.#dataSourceBlock(req.type_name);
      const lookup = this.#lookupHandler(req.type_name);
      const config = this.#decodeObject(block, req.config) ?? {};
      const checked = lookup.check(knownInputs(block, config));
      return { diagnostics: checked.ok ? [] : problemDiagnostics(req.type_name, withoutUnknown(checked.problems, unknownInputs(block, config)), this.#redact) };
    });
  }

  // ---- state upgrade ----

  upgradeResourceState(req: { type_name: string; version?: number; raw_state?: { json?: Uint8Array | null; flatmap?: Record<string, string> } | null }): {
    upgraded_state: DynamicValueMessage | null;
    diagnostics: DiagnosticMessage[];
  } {
    const failed = (diagnostics: DiagnosticMessage[]) => ({ upgraded_state: null, diagnostics });
    try {
      const block = this.#resourceBlock(req.type_name);
      const version = req.version ?? 0;
      if (version > block.version) {
        return failed([
          errorDiagnostic(
            'State written by a newer provider',
            `${req.type_name} state has schema version ${version}, but this provider knows version ${block.version}. Upgrade terraform-provider-shoreguard.`,
          ),
        ]);
      }
      const json = req.raw_state?.json;
      if (!json || json.length === 0) {
        if (req.raw_state?.flatmap && Object.keys(req.raw_state.flatmap).length > 0) {
          return failed([errorDiagnostic('Unsupported legacy state', `${req.type_name} state is in the pre-0.12 flatmap format, which this provider never wrote.`)]);
        }
        return { upgraded_state: { msgpack: encodeMsgpack(block.objectType, null) }, diagnostics: [] };
      }
      const raw = JSON.parse(Buffer.from(json).toString('utf8')) as unknown;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${req.type_name} state is not a JSON object`);
      // Version 0 is the only schema version so far: upgrading means dropping attributes that a
      // different build may have written and filling new ones with null.
      const kept: Record<string, unknown> = {};
      const dropped: string[] = [];
      for (const [name, value] of Object.entries(raw)) {
        if (block.byName.has(name)) kept[name] = value;
        else dropped.push(name);
      }
      if (dropped.length > 0) this.#log.info('dropping attributes unknown to the schema from state', { type: req.type_name, attributes: dropped });
      return { upgraded_state: { msgpack: encodeMsgpack(block.objectType, conform(block.objectType, kept)) }, diagnostics: [] };
    } catch (error) {
      return failed(this.#errors(`${req.type_name}: upgrade state`, error, req.type_name));
    }
  }

  // ---- plan ----

  async planResourceChange(req: { type_name: string; prior_state?: Dv; proposed_new_state?: Dv; config?: Dv }): Promise<PlanResponse> {
    const failed = (diagnostics: DiagnosticMessage[]): PlanResponse => ({ planned_state: null, requires_replace: [], planned_private: EMPTY, diagnostics });
    try {
      const block = this.#resourceBlock(req.type_name);
      const handler = this.#resourceHandler(req.type_name);
      const prior = this.#decodeObject(block, req.prior_state);
      const proposed = this.#decodeObject(block, req.proposed_new_state);
      if (proposed === null) {
        return { planned_state: { msgpack: encodeMsgpack(block.objectType, null) }, requires_replace: [], planned_private: EMPTY, diagnostics: [] };
      }
      const config = this.#decodeObject(block, req.config) ?? proposed;
      const unknown = unknownInputs(block, config);
      const priorState = prior ? toHandlerState(block, prior) : undefined;
      const checked = handler.check(knownInputs(block, config), priorState);
      if (!checked.ok) {
        const problems = withoutUnknown(checked.problems, unknown);
        if (problems.length > 0) return failed(problemDiagnostics(req.type_name, problems, this.#redact));
      }
      const inputs = checked.ok ? (checked.inputs as Attributes) : undefined;
      const plan = prior && priorState ? planUpdate(block, handler, prior, priorState, config, inputs, unknown) : { planned: planCreate(block, config, inputs), replace: [] };
      return {
        planned_state: { msgpack: encodeMsgpack(block.objectType, plan.planned) },
        requires_replace: plan.replace.map((name) => parseAttributePath(name)),
        planned_private: EMPTY,
        diagnostics: [],
      };
    } catch (error) {
      return failed(this.#errors(`${req.type_name}: plan`, error, req.type_name));
    }
  }

  // ---- apply ----

  async applyResourceChange(req: { type_name: string; prior_state?: Dv; planned_state?: Dv; config?: Dv }): Promise<ApplyResponse> {
    let block: BlockInfo | undefined;
    let prior: CtyObject | null = null;
    // On failure Terraform keeps whatever state we return: the prior object (update/delete) or nothing (create).
    const failed = (diagnostics: DiagnosticMessage[]): ApplyResponse => ({
      new_state: block ? { msgpack: encodeMsgpack(block.objectType, prior) } : null,
      private: EMPTY,
      diagnostics,
    });
    try {
      block = this.#resourceBlock(req.type_name);
      const handler = this.#resourceHandler(req.type_name);
      prior = this.#decodeObject(block, req.prior_state);
      const planned = this.#decodeObject(block, req.planned_state);
      const ctx = this.#context();
      const priorState = prior ? toHandlerState(block, prior) : undefined;

      if (planned === null) {
        if (priorState) await this.metrics.api('delete', () => handler.delete(ctx, priorState.id, priorState));
        this.#log.debug('deleted', { type: req.type_name, id: priorState?.id ?? '' });
        return { new_state: { msgpack: encodeMsgpack(block.objectType, null) }, private: EMPTY, diagnostics: [] };
      }

      const checked = handler.check(knownInputs(block, planned), priorState);
      if (!checked.ok) return failed(problemDiagnostics(req.type_name, checked.problems, this.#redact));
      let result: HandlerState;
      if (!priorState) {
        result = await this.metrics.api('create', () => handler.create(ctx, checked.inputs));
        this.#log.debug('created', { type: req.type_name, id: result.id });
      } else if (handler.diff(priorState, checked.inputs).changed.length > 0) {
        result = await this.metrics.api('update', () => handler.update(ctx, priorState.id, priorState, checked.inputs));
        this.#log.debug('updated', { type: req.type_name, id: result.id });
      } else {
        // Only equivalent spellings changed (planned from config): nothing to send.
        result = priorState;
      }
      // Inputs the server holds differently in substance (not just spelling) than planned.
      const differing = new Set(handler.diff(result, checked.inputs).changed);
      const newState = this.#settle(block, planned, fromHandlerState(block, result), differing);
      return { new_state: { msgpack: encodeMsgpack(block.objectType, newState) }, private: EMPTY, diagnostics: [] };
    } catch (error) {
      return failed(this.#errors(`${req.type_name}: apply`, error, req.type_name));
    }
  }

  // ---- read / import ----

  async readResource(req: { type_name: string; current_state?: Dv }): Promise<ReadResponse> {
    let block: BlockInfo | undefined;
    let current: CtyObject | null = null;
    try {
      block = this.#resourceBlock(req.type_name);
      const handler = this.#resourceHandler(req.type_name);
      current = this.#decodeObject(block, req.current_state);
      if (current === null) return { new_state: { msgpack: encodeMsgpack(block.objectType, null) }, private: EMPTY, diagnostics: [] };
      const priorState = toHandlerState(block, current);
      const ctx = this.#context();
      const live = await this.metrics.api('read', () => handler.read(ctx, priorState.id, priorState));
      if (live === null) {
        this.#log.info('object no longer exists; removing it from state', { type: req.type_name, id: priorState.id });
        return { new_state: { msgpack: encodeMsgpack(block.objectType, null) }, private: EMPTY, diagnostics: [] };
      }
      const state = keepEquivalentInputs(block, handler, current, fromHandlerState(block, live));
      return { new_state: { msgpack: encodeMsgpack(block.objectType, state) }, private: EMPTY, diagnostics: [] };
    } catch (error) {
      const keep = block ? { msgpack: encodeMsgpack(block.objectType, current) } : null;
      return { new_state: keep, private: EMPTY, diagnostics: this.#errors(`${req.type_name}: read`, error, req.type_name) };
    }
  }

  async importResourceState(req: { type_name: string; id: string }): Promise<ImportResponse> {
    try {
      const block = this.#resourceBlock(req.type_name);
      const handler = this.#resourceHandler(req.type_name);
      const ctx = this.#context();
      const found = await this.metrics.api('import', () => handler.importState(ctx, req.id));
      if (found === null) {
        return {
          imported_resources: [],
          diagnostics: [errorDiagnostic('Cannot import non-existent remote object', `${req.type_name} ${JSON.stringify(req.id)} does not exist in ShoreGuard.`)],
        };
      }
      const state = fromHandlerState(block, found);
      return {
        imported_resources: [{ type_name: req.type_name, state: { msgpack: encodeMsgpack(block.objectType, state) }, private: EMPTY }],
        diagnostics: [],
      };
    } catch (error) {
      return { imported_resources: [], diagnostics: this.#errors(`${req.type_name}: import ${JSON.stringify(req.id)}`, error, req.type_name) };
    }
  }

  // ---- data sources ----

  async readDataSource(req: { type_name: string; config?: Dv }): Promise<{ state: DynamicValueMessage | null; diagnostics: DiagnosticMessage[] }> {
    try {
      const block = this.#dataSourceBlock(req.type_name);
      const lookup = this.#lookupHandler(req.type_name);
      const config = this.#decodeObject(block, req.config) ?? {};
      const checked = lookup.check(knownInputs(block, config));
      if (!checked.ok) return { state: null, diagnostics: problemDiagnostics(req.type_name, checked.problems, this.#redact) };
      const ctx = this.#context();
      const found = await this.metrics.api('lookup', () => lookup.lookup(ctx, checked.inputs));
      const result = fromHandlerState(block, found);
      // Configured arguments come back exactly as written; the rest is what ShoreGuard reports.
      const state: Record<string, CtyValue> = {};
      for (const a of block.attributes) state[a.name] = a.isInput && !a.computed ? (config[a.name] ?? null) : (result[a.name] ?? null);
      return { state: { msgpack: encodeMsgpack(block.objectType, state) }, diagnostics: [] };
    } catch (error) {
      return { state: null, diagnostics: this.#errors(`data.${req.type_name}: read`, error, req.type_name) };
    }
  }

  // ---- lifecycle ----

  /** StopProvider: refuse new work; calls in flight finish (each is a bounded HTTP request). */
  stopProvider(): { Error: string } {
    this.#stopping = true;
    this.#log.info('stop requested');
    return { Error: '' };
  }

  /** Closes the ShoreGuard connection pool. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
  }

  /** Redacts configured secrets and key-shaped strings from a text (for the transport layer). */
  redact(text: string): string {
    return this.#redact(text);
  }

  // ---- helpers ----

  #context(): ResourceContext {
    if (this.#stopping) throw new RpcFailure([errorDiagnostic('Provider is stopping', 'Terraform asked the provider to stop; no new ShoreGuard requests are started.')]);
    if (!this.#client) throw new RpcFailure([errorDiagnostic('Provider not configured', 'ConfigureProvider was not called before this operation.')]);
    return { client: this.#client, ...(this.#options.now ? { now: this.#options.now } : {}) };
  }

  /**
   * Every known planned value wins (Terraform rejects an apply result that differs from a known
   * planned value); planned unknowns take the server's value. A real difference is logged, and the
   * next refresh shows it as drift.
   */
  #settle(block: BlockInfo, planned: CtyObject, result: CtyObject, differingInputs: ReadonlySet<string>): CtyObject {
    const state: Record<string, CtyValue> = {};
    for (const a of block.attributes) {
      const plannedValue = planned[a.name] ?? null;
      const actual = result[a.name] ?? null;
      if (isWhollyKnown(plannedValue)) {
        state[a.name] = plannedValue;
        if (a.isInput ? differingInputs.has(a.name) : !ctyEqual(plannedValue, actual)) {
          this.#log.warn('ShoreGuard returned a different value than planned; keeping the planned value until the next refresh', {
            type: block.typeName,
            attribute: a.name,
          });
        }
      } else {
        state[a.name] = actual;
      }
    }
    return state;
  }

  #decodeObject(block: BlockInfo, value: Dv): CtyObject | null {
    if (!value) return null;
    const decoded = value.msgpack && value.msgpack.length > 0 ? decodeMsgpack(block.objectType, value.msgpack) : value.json && value.json.length > 0 ? decodeJson(block.objectType, value.json) : null;
    return decoded as CtyObject | null;
  }

  #resourceBlock(type: string): BlockInfo {
    const block = this.schema.resources.get(type);
    if (!block) throw new RpcFailure([errorDiagnostic('Unknown resource type', `This provider has no resource type ${JSON.stringify(type)}.`)]);
    return block;
  }

  #dataSourceBlock(type: string): BlockInfo {
    const block = this.schema.dataSources.get(type);
    if (!block) throw new RpcFailure([errorDiagnostic('Unknown data source', `This provider has no data source ${JSON.stringify(type)}.`)]);
    return block;
  }

  #resourceHandler(type: string): ResourceHandler {
    const handler = this.#options.resources[type];
    if (!handler) throw new RpcFailure([errorDiagnostic('Resource type not implemented', `${type} is declared in schema.json but has no handler in provider/resources.`)]);
    return handler;
  }

  #lookupHandler(type: string): LookupHandler {
    const lookup = this.#options.lookups[type];
    if (!lookup) throw new RpcFailure([errorDiagnostic('Data source not implemented', `${type} is declared in schema.json but has no lookup in provider/resources.`)]);
    return lookup;
  }

  #errors(what: string, error: unknown, type: string): DiagnosticMessage[] {
    if (error instanceof RpcFailure) return error.diagnostics;
    const block = this.schema.resources.get(type) ?? this.schema.dataSources.get(type);
    const diagnostics = errorDiagnostics(what, error, new Set(block?.byName.keys() ?? []), this.#redact);
    this.#log.error(`${what} failed`, { error: diagnostics.map((d) => d.detail || d.summary).join('\n') });
    return diagnostics;
  }

  #guard(run: () => Diagnosed): Diagnosed {
    try {
      return run();
    } catch (error) {
      return { diagnostics: this.#errors('validate', error, '') };
    }
  }

  async #guardAsync(run: () => Promise<Diagnosed>, what: string): Promise<Diagnosed> {
    try {
      return await run();
    } catch (error) {
      return { diagnostics: this.#errors(what, error, '') };
    }
  }
}

// ---- planning (pure functions) ----

/** Input attributes (required/optional) whose config value is not wholly known yet. */
function unknownInputs(block: BlockInfo, config: CtyObject): Set<string> {
  return new Set(block.attributes.filter((a) => a.isInput && !isWhollyKnown(config[a.name] ?? null)).map((a) => a.name));
}

/** The known, non-null input attributes, as handler attributes. */
function knownInputs(block: BlockInfo, object: CtyObject): Attributes {
  const out: Attributes = {};
  for (const a of block.attributes) {
    const value = object[a.name] ?? null;
    if (a.isInput && value !== null && isWhollyKnown(value)) out[a.name] = value as AttributeValue;
  }
  return out;
}

function withoutUnknown(problems: readonly AttributeProblem[], unknown: ReadonlySet<string>): AttributeProblem[] {
  return problems.filter((p) => {
    const first = parseAttributePath(p.attribute).steps[0];
    return !(first && 'attribute_name' in first && unknown.has(first.attribute_name));
  });
}

/** A state object as a handler sees it: every known attribute, `id` a string. */
function toHandlerState(block: BlockInfo, state: CtyObject): HandlerState {
  const out: Attributes = {};
  for (const a of block.attributes) {
    const value = state[a.name] ?? null;
    out[a.name] = isWhollyKnown(value) ? (value as AttributeValue) : null;
  }
  const id = out['id'];
  if (typeof id !== 'string' || id === '') throw new Error(`${block.typeName} state has no id`);
  return { ...out, id };
}

/** A handler's object as a state object of the schema (attributes the schema lacks are left out). */
function fromHandlerState(block: BlockInfo, state: Attributes): CtyObject {
  const picked: Record<string, unknown> = {};
  for (const a of block.attributes) picked[a.name] = state[a.name];
  return conform(block.objectType, picked) as CtyObject;
}

function defaultFor(block: BlockInfo, name: string, inputs: Attributes | undefined): CtyValue {
  const value = inputs?.[name];
  const attribute = block.byName.get(name);
  if (value === undefined || value === null || !attribute) return UNKNOWN;
  return conform(attribute.type, value);
}

function planCreate(block: BlockInfo, config: CtyObject, inputs: Attributes | undefined): CtyObject {
  const planned: Record<string, CtyValue> = {};
  for (const a of block.attributes) {
    const configured = config[a.name] ?? null;
    if (!a.isInput) planned[a.name] = UNKNOWN;
    else if (configured !== null) planned[a.name] = configured;
    else planned[a.name] = a.computed ? defaultFor(block, a.name, inputs) : null;
  }
  return planned;
}

function planUpdate(
  block: BlockInfo,
  handler: ResourceHandler,
  prior: CtyObject,
  priorState: HandlerState,
  config: CtyObject,
  inputs: Attributes | undefined,
  unknown: ReadonlySet<string>,
): { planned: CtyObject; replace: string[] } {
  const diff = inputs ? handler.diff(priorState, inputs) : fallbackDiff(block, handler, prior, config);
  const changed = new Set([...diff.changed, ...unknown]);
  const replaceable = new Set([...diff.replaces, ...handler.replaceOn.filter((name) => unknown.has(name))]);

  const planned: Record<string, CtyValue> = {};
  for (const a of block.attributes.filter((x) => x.isInput)) {
    const configured = config[a.name] ?? null;
    const before = prior[a.name] ?? null;
    if (!isWhollyKnown(configured)) planned[a.name] = configured;
    // Equivalent to the prior value: keep the prior spelling (Terraform allows exactly this).
    else if (configured !== null) planned[a.name] = !changed.has(a.name) && before !== null ? before : configured;
    else if (a.computed) planned[a.name] = before !== null ? before : defaultFor(block, a.name, inputs);
    else planned[a.name] = null;
  }
  const effective = block.attributes.filter((a) => a.isInput && !ctyEqual(planned[a.name], prior[a.name] ?? null)).map((a) => a.name);
  const replace = effective.filter((name) => replaceable.has(name));
  for (const a of block.attributes.filter((x) => !x.isInput)) {
    const before = prior[a.name] ?? null;
    if (effective.length === 0) planned[a.name] = before;
    else if (a.name === 'id' && replace.length === 0) planned[a.name] = before;
    else planned[a.name] = UNKNOWN;
  }
  return { planned, replace };
}

/** When inputs cannot be validated yet (unknowns), every differing input counts as changed. */
function fallbackDiff(block: BlockInfo, handler: ResourceHandler, prior: CtyObject, config: CtyObject): { changed: string[]; replaces: string[] } {
  const changed = block.attributes.filter((a) => a.isInput && (config[a.name] ?? null) !== null && !ctyEqual(config[a.name], prior[a.name] ?? null)).map((a) => a.name);
  return { changed, replaces: changed.filter((name) => handler.replaceOn.includes(name)) };
}

/**
 * After a read, an input the server reports in another spelling (sorted roles, a normalised
 * timestamp, `{}` for an unset map) keeps its prior value when the handler's own diff finds them
 * equivalent, so the next plan shows no change.
 */
function keepEquivalentInputs(block: BlockInfo, handler: ResourceHandler, prior: CtyObject, live: CtyObject): CtyObject {
  const liveState = toHandlerState(block, { ...live, id: live['id'] ?? prior['id'] ?? null });
  const checked = handler.check(knownInputs(block, prior), liveState);
  if (!checked.ok) return live;
  const changed = new Set(handler.diff(liveState, checked.inputs).changed);
  const state: Record<string, CtyValue> = { ...live };
  for (const a of block.attributes) {
    if (a.isInput && !changed.has(a.name) && !ctyEqual(live[a.name] ?? null, prior[a.name] ?? null)) state[a.name] = prior[a.name] ?? null;
  }
  return state;
}
