/**
 * Read access to schema.json, the one declaration of every resource and attribute. The handlers
 * take their attribute lists from here (which attributes are inputs, which are computed, which are
 * secrets) instead of repeating them, so a new attribute in schema.json reaches both front-ends.
 */
import schemaJson from '../../schema.json';

/** The subset of a schema.json attribute the provider uses. */
export interface AttributeSpec {
  readonly name: string;
  /** A cty type in its JSON form: `"string"`, `"number"`, `"bool"`, `["map","string"]`, `["list","string"]`. */
  readonly type: string | readonly unknown[];
  readonly description: string;
  readonly required: boolean;
  readonly optional: boolean;
  readonly computed: boolean;
  readonly sensitive: boolean;
}

/** A resource or data source block. */
export interface BlockSpec {
  readonly type: string;
  readonly description: string;
  readonly attributes: readonly AttributeSpec[];
}

/** The fully qualified provider address schema.json is keyed by. */
export const PROVIDER_ADDRESS = 'registry.terraform.io/shoreguard/shoreguard';

interface RawAttribute {
  type?: string | unknown[];
  description?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
}
interface RawBlock {
  block: { attributes: Record<string, RawAttribute>; description?: string };
}
interface RawProvider {
  resource_schemas: Record<string, RawBlock>;
  data_source_schemas: Record<string, RawBlock>;
}

const provider = (schemaJson as unknown as { provider_schemas: Record<string, RawProvider> }).provider_schemas[PROVIDER_ADDRESS];
if (!provider) throw new Error(`schema.json has no provider ${PROVIDER_ADDRESS}`);

function toBlock(type: string, raw: RawBlock): BlockSpec {
  const attributes = Object.entries(raw.block.attributes).map(([name, a]) => ({
    name,
    type: a.type ?? 'string',
    description: a.description ?? '',
    required: a.required === true,
    optional: a.optional === true,
    computed: a.computed === true,
    sensitive: a.sensitive === true,
  }));
  return { type, description: raw.block.description ?? '', attributes };
}

function lookupBlock(kind: 'resource_schemas' | 'data_source_schemas', type: string): BlockSpec {
  const raw = provider?.[kind][type];
  if (!raw) throw new Error(`schema.json declares no ${kind === 'resource_schemas' ? 'resource' : 'data source'} ${type}`);
  return toBlock(type, raw);
}

/** The schema.json block of a resource type, e.g. `shoreguard_gateway`. */
export function resourceSchema(type: string): BlockSpec {
  return lookupBlock('resource_schemas', type);
}

/** The schema.json block of a data source type, e.g. `shoreguard_user`. */
export function dataSourceSchema(type: string): BlockSpec {
  return lookupBlock('data_source_schemas', type);
}

/** Every resource type schema.json declares. */
export function resourceTypes(): readonly string[] {
  return Object.keys(provider?.resource_schemas ?? {});
}

/** Every data source type schema.json declares. */
export function dataSourceTypes(): readonly string[] {
  return Object.keys(provider?.data_source_schemas ?? {});
}

/** Attributes a user may set (required or optional), in schema order. */
export function inputAttributes(block: BlockSpec): readonly AttributeSpec[] {
  return block.attributes.filter((a) => a.required || a.optional);
}

/** Attributes only the server sets (computed and not optional), `id` included. */
export function computedOnlyAttributes(block: BlockSpec): readonly AttributeSpec[] {
  return block.attributes.filter((a) => a.computed && !a.optional && !a.required);
}

/** Names of the sensitive attributes (certificates, keys). */
export function sensitiveAttributes(block: BlockSpec): readonly string[] {
  return block.attributes.filter((a) => a.sensitive).map((a) => a.name);
}
