/**
 * schema.json as the Terraform provider serves it: validated with zod, turned into tfplugin6
 * `Schema` messages for GetProviderSchema, and into cty object types for the wire codec.
 */
import { z } from 'zod';
import schemaJson from '../../schema.json';
import { type CtyType, parseCtyType } from './cty';

const attributeSchema = z
  .object({
    type: z.unknown(),
    description: z.string().optional(),
    description_kind: z.enum(['plain', 'markdown']).optional(),
    required: z.boolean().optional(),
    optional: z.boolean().optional(),
    computed: z.boolean().optional(),
    sensitive: z.boolean().optional(),
    deprecated: z.boolean().optional(),
  })
  // nested_type / block_types are not modelled: fail here rather than serve half a schema.
  .strict();

const blockSchema = z
  .object({
    attributes: z.record(z.string(), attributeSchema),
    description: z.string().optional(),
    description_kind: z.enum(['plain', 'markdown']).optional(),
    deprecated: z.boolean().optional(),
  })
  .strict();

const typeSchema = z.object({ version: z.number().int().min(0), block: blockSchema }).strict();

const providerSchemasSchema = z.object({
  format_version: z.string().regex(/^1\./, 'schema.json format_version must be 1.x'),
  provider_schemas: z.record(
    z.string(),
    z.object({
      provider: typeSchema,
      resource_schemas: z.record(z.string(), typeSchema),
      data_source_schemas: z.record(z.string(), typeSchema),
    }),
  ),
});

export type SchemaJson = z.infer<typeof providerSchemasSchema>;
type RawTypeSchema = z.infer<typeof typeSchema>;

/** One attribute with its parsed type. */
export interface AttributeInfo {
  readonly name: string;
  readonly type: CtyType;
  /** The cty type in JSON form, as schema.json and the wire carry it. */
  readonly typeJson: unknown;
  readonly required: boolean;
  readonly optional: boolean;
  readonly computed: boolean;
  readonly sensitive: boolean;
  /** Set in configuration (required or optional), as opposed to computed-only. */
  readonly isInput: boolean;
}

/** A provider, resource or data source block. */
export interface BlockInfo {
  readonly typeName: string;
  readonly version: number;
  readonly attributes: readonly AttributeInfo[];
  readonly byName: ReadonlyMap<string, AttributeInfo>;
  /** The block as one cty object type (what DynamicValues of this block decode to). */
  readonly objectType: CtyType;
  readonly raw: RawTypeSchema;
}

export interface ProviderSchema {
  /** Fully qualified provider address, e.g. `registry.terraform.io/shoreguard/shoreguard`. */
  readonly address: string;
  readonly provider: BlockInfo;
  readonly resources: ReadonlyMap<string, BlockInfo>;
  readonly dataSources: ReadonlyMap<string, BlockInfo>;
}

function toBlockInfo(typeName: string, raw: RawTypeSchema): BlockInfo {
  const attributes = Object.entries(raw.block.attributes).map(([name, a]): AttributeInfo => {
    const required = a.required === true;
    const optional = a.optional === true;
    const computed = a.computed === true;
    if (!required && !optional && !computed) throw new Error(`schema.json: ${typeName}.${name} is neither required, optional nor computed`);
    return { name, type: parseCtyType(a.type), typeJson: a.type, required, optional, computed, sensitive: a.sensitive === true, isInput: required || optional };
  });
  const objectAttributes: Record<string, CtyType> = {};
  for (const a of attributes) objectAttributes[a.name] = a.type;
  return {
    typeName,
    version: raw.version,
    attributes,
    byName: new Map(attributes.map((a) => [a.name, a])),
    objectType: { kind: 'object', attributes: objectAttributes },
    raw,
  };
}

/** Parses a schema.json document holding exactly one provider. */
export function parseProviderSchema(json: unknown): ProviderSchema {
  const parsed = providerSchemasSchema.parse(json);
  const entries = Object.entries(parsed.provider_schemas);
  const [first] = entries;
  if (!first || entries.length !== 1) throw new Error(`schema.json must declare exactly one provider, found ${entries.length}`);
  const [address, p] = first;
  return {
    address,
    provider: toBlockInfo('provider', p.provider),
    resources: new Map(Object.entries(p.resource_schemas).map(([name, s]) => [name, toBlockInfo(name, s)])),
    dataSources: new Map(Object.entries(p.data_source_schemas).map(([name, s]) => [name, toBlockInfo(name, s)])),
  };
}

let loaded: ProviderSchema | undefined;

/** The project's schema.json, parsed once. */
export function loadProviderSchema(): ProviderSchema {
  loaded ??= parseProviderSchema(schemaJson);
  return loaded;
}

/** The tfplugin6 `Schema` message of a block (the plain object proto-loader serializes). */
export interface SchemaMessage {
  version: number;
  block: {
    version: number;
    attributes: {
      name: string;
      type: Buffer;
      description: string;
      description_kind: 'PLAIN' | 'MARKDOWN';
      required: boolean;
      optional: boolean;
      computed: boolean;
      sensitive: boolean;
      deprecated: boolean;
    }[];
    block_types: never[];
    description: string;
    description_kind: 'PLAIN' | 'MARKDOWN';
    deprecated: boolean;
  };
}

const kind = (k: 'plain' | 'markdown' | undefined): 'PLAIN' | 'MARKDOWN' => (k === 'markdown' ? 'MARKDOWN' : 'PLAIN');

/** Converts a block to its tfplugin6 message. Attribute order is schema.json's. */
export function toSchemaMessage(info: BlockInfo): SchemaMessage {
  const { block } = info.raw;
  return {
    version: info.version,
    block: {
      version: info.version,
      attributes: Object.entries(block.attributes).map(([name, a]) => ({
        name,
        type: Buffer.from(JSON.stringify(a.type)),
        description: a.description ?? '',
        description_kind: kind(a.description_kind),
        required: a.required === true,
        optional: a.optional === true,
        computed: a.computed === true,
        sensitive: a.sensitive === true,
        deprecated: a.deprecated === true,
      })),
      block_types: [],
      description: block.description ?? '',
      description_kind: kind(block.description_kind),
      deprecated: block.deprecated === true,
    },
  };
}
