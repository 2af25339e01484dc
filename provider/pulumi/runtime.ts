/**
 * The code the serialized dynamic providers call inside the Pulumi provider process. It is never
 * serialized itself: each provider method `require`s this package at call time and lands here.
 * Here live the client (built lazily, from stack config or the environment), the camelCase ↔
 * snake_case mapping, `adopt`, Pulumi's unknown-value sentinel, and the translation between
 * Pulumi's provider interface and provider/resources' handlers.
 */
import type * as dynamic from '@pulumi/pulumi/dynamic';
import { type ShoreGuardClient, type ShoreGuardClientOptions, createClient } from '../../sdk';
import { type Attributes, type ResourceContext, type ResourceHandler, inputAttributes, invalidInput, lookups, resourceHandler, resourceSchema } from '../resources';
import { renameKeys, toCamel, toSnake } from './names';
import { type ConfigReader, clientOptionsFromConfig } from './settings';

/** What Pulumi passes for a value it does not know yet (preview), even in non-string fields. */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** The Pulumi-only input that takes over an existing object instead of failing (see README). */
export const ADOPT = 'adopt';

type PulumiProps = Record<string, unknown>;

let clientOptions: ShoreGuardClientOptions = {};
let clientKey: string | undefined;
let client: ShoreGuardClient | undefined;

function optionsKey(options: ShoreGuardClientOptions): string {
  // Only compared in memory to see whether the settings changed; never logged or stored.
  return JSON.stringify(options, (_key, value: unknown) => (value === undefined ? null : value));
}

/**
 * Takes the stack config (called by each provider's `configure`, once per provider process).
 * Unset keys fall back to the SDK's environment variables when the client is built.
 */
export function configure(read: ConfigReader): void {
  const options = clientOptionsFromConfig(read);
  const key = optionsKey(options);
  if (key === clientKey) return;
  void client?.close();
  client = undefined;
  clientOptions = options;
  clientKey = key;
}

/** The client, built on first use (so a provider that only diffs never opens a connection). */
export function currentClient(): ShoreGuardClient {
  client ??= createClient(clientOptions);
  return client;
}

/** Closes the client and forgets the config (tests; a long-lived process switching servers). */
export async function reset(): Promise<void> {
  const open = client;
  client = undefined;
  clientOptions = {};
  clientKey = undefined;
  await open?.close();
}

let clock: (() => Date) | undefined;

/** Replaces the clock of expiry decisions (tests only). */
export function setClock(now: (() => Date) | undefined): void {
  clock = now;
}

function context(): ResourceContext {
  return { client: currentClient(), ...(clock ? { now: clock } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Property mapping
// ---------------------------------------------------------------------------------------------

function isUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(isUnknown);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(isUnknown);
  return false;
}

/** Pulumi properties → schema attributes: reserved keys (`__provider`) and `adopt` dropped, names snake_cased. */
function toAttributes(props: PulumiProps | undefined): Attributes {
  const kept = Object.entries(props ?? {}).filter(([key]) => !key.startsWith('__') && key !== ADOPT && key !== 'id');
  return renameKeys(Object.fromEntries(kept), toSnake) as Attributes;
}

/** Schema attributes → Pulumi properties: camelCased, `null` (unset) and `id` left out, `adopt` kept when set. */
function toProps(attributes: Attributes, adopt: boolean): PulumiProps {
  const kept = Object.entries(attributes).filter(([key, value]) => key !== 'id' && value !== null && value !== undefined);
  return { ...renameKeys(Object.fromEntries(kept), toCamel), ...(adopt ? { [ADOPT]: true } : {}) };
}

function adoptOf(props: PulumiProps | undefined): boolean {
  return props?.[ADOPT] === true;
}

function isEmpty(props: PulumiProps | undefined): boolean {
  return Object.keys(toAttributes(props)).length === 0;
}

function validated<I extends Attributes>(handler: ResourceHandler<I>, raw: Attributes, prior?: Attributes): I {
  const result = handler.check(raw, prior);
  if (!result.ok) throw invalidInput(handler.type, result.problems.map((p) => ({ ...p, attribute: toCamel(p.attribute) })));
  return result.inputs;
}

// ---------------------------------------------------------------------------------------------
// The dynamic provider operations
// ---------------------------------------------------------------------------------------------

/**
 * Validates and normalises inputs. Attributes that are unknown (preview) are validated as their
 * prior value, then passed through unknown; problems that concern only unknown attributes wait
 * until the values are known.
 */
export async function check(type: string, olds: PulumiProps, news: PulumiProps): Promise<dynamic.CheckResult> {
  const handler = resourceHandler(type);
  const raw = toAttributes(news);
  const prior = isEmpty(olds) ? undefined : toAttributes(olds);
  const unknown = Object.keys(raw).filter((name) => isUnknown(raw[name]));
  const adopt = news[ADOPT];
  if (adopt !== undefined && adopt !== UNKNOWN && typeof adopt !== 'boolean') {
    return { inputs: news, failures: [{ property: ADOPT, reason: 'must be true or false' }] };
  }
  const adoptInput = adopt === undefined ? {} : { [ADOPT]: adopt };
  const substituted = { ...raw, ...Object.fromEntries(unknown.map((name) => [name, prior?.[name]])) };
  const result = handler.check(substituted, prior);
  if (result.ok) {
    const unknowns = Object.fromEntries(unknown.map((name) => [toCamel(name), raw[name]]));
    return { inputs: { ...toProps(result.inputs, false), ...unknowns, ...adoptInput } };
  }
  const failures = result.problems.filter((p) => !unknown.includes(p.attribute)).map((p) => ({ property: toCamel(p.attribute), reason: p.message }));
  const passThrough = Object.fromEntries(Object.entries(news).filter(([key, value]) => !key.startsWith('__') && value !== null && value !== undefined));
  return failures.length > 0 ? { inputs: passThrough, failures } : { inputs: passThrough };
}

/**
 * Compares prior outputs with new inputs. An unknown attribute counts as changed; if it is an
 * identity attribute the resource may be replaced, planned conservatively (delete first where the
 * resource type can need it). `adopt` never causes a change.
 */
export async function diff(type: string, id: string, olds: PulumiProps, news: PulumiProps): Promise<dynamic.DiffResult> {
  const handler = resourceHandler(type);
  const prior = toAttributes(olds);
  const raw = toAttributes(news);
  const declared = new Set(inputAttributes(resourceSchema(type)).map((a) => a.name));
  const unknown = Object.keys(raw).filter((name) => declared.has(name) && isUnknown(raw[name]));
  const substituted = { ...raw, ...Object.fromEntries(unknown.map((name) => [name, prior[name]])) };
  const inputs = validated(handler, substituted, prior);
  const known = handler.diff({ ...prior, id }, inputs);
  const changed = [...new Set([...known.changed, ...unknown])];
  const replaces = changed.filter((name) => handler.replaceOn.includes(name));
  const unknownReplace = unknown.some((name) => handler.replaceOn.includes(name));
  return {
    changes: changed.length > 0,
    replaces: replaces.map(toCamel),
    deleteBeforeReplace: replaces.length > 0 && (known.deleteBeforeReplace || (unknownReplace && handler.deleteBeforeReplace)),
  };
}

export async function create(type: string, inputs: PulumiProps): Promise<dynamic.CreateResult> {
  const handler = resourceHandler(type);
  const adopt = adoptOf(inputs);
  const state = await handler.create(context(), validated(handler, toAttributes(inputs)), { adopt });
  return { id: state.id, outs: toProps(state, adopt) };
}

/** Refresh. A gone object returns no id, which removes it from state (refresh shows the drift). */
export async function read(type: string, id: string, props: PulumiProps | undefined): Promise<dynamic.ReadResult> {
  const handler = resourceHandler(type);
  const state = await handler.read(context(), id, { ...toAttributes(props), id });
  if (!state) return {};
  return { id: state.id, props: toProps(state, adoptOf(props)) };
}

export async function update(type: string, id: string, olds: PulumiProps, news: PulumiProps): Promise<dynamic.UpdateResult> {
  const handler = resourceHandler(type);
  const prior = { ...toAttributes(olds), id };
  const state = await handler.update(context(), id, prior, validated(handler, toAttributes(news), prior));
  return { outs: toProps(state, adoptOf(news)) };
}

async function remove(type: string, id: string, props: PulumiProps): Promise<void> {
  await resourceHandler(type).delete(context(), id, { ...toAttributes(props), id });
}
export { remove as delete };

/** Runs a lookup (`getUser`, `getGateway`) with its own short-lived client. */
export async function lookup(type: string, args: PulumiProps, options: ShoreGuardClientOptions): Promise<PulumiProps> {
  const handler = lookups[type];
  if (!handler) throw new Error(`unknown ShoreGuard lookup ${type}`);
  const query = handler.check(toAttributes(args));
  if (!query.ok) throw invalidInput(type, query.problems.map((p) => ({ ...p, attribute: toCamel(p.attribute) })));
  const lookupClient = createClient(options);
  try {
    const result = await handler.lookup({ client: lookupClient }, query.inputs);
    return renameKeys(Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined)), toCamel);
  } finally {
    await lookupClient.close();
  }
}
