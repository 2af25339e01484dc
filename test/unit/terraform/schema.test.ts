import schemaJson from '../../../schema.json';
import { createLogger } from '../../../provider/terraform/logger';
import { ProviderService } from '../../../provider/terraform/provider';
import { parseProviderSchema, type SchemaMessage } from '../../../provider/terraform/schema';

/** Turns a served tfplugin6 Schema back into the JSON shape of `terraform providers schema -json`. */
function toJsonShape(message: SchemaMessage): unknown {
  const attributes: Record<string, unknown> = {};
  for (const a of message.block.attributes) {
    attributes[a.name] = {
      type: JSON.parse(a.type.toString('utf8')) as unknown,
      ...(a.description ? { description: a.description } : {}),
      description_kind: a.description_kind.toLowerCase(),
      ...(a.required ? { required: true } : {}),
      ...(a.optional ? { optional: true } : {}),
      ...(a.computed ? { computed: true } : {}),
      ...(a.sensitive ? { sensitive: true } : {}),
      ...(a.deprecated ? { deprecated: true } : {}),
    };
  }
  return {
    version: message.version,
    block: { attributes, ...(message.block.description ? { description: message.block.description } : {}), description_kind: message.block.description_kind.toLowerCase() },
  };
}

const silent = createLogger({ write: () => undefined });

describe('GetProviderSchema serves schema.json', () => {
  const service = new ProviderService({ resources: {}, lookups: {}, logger: silent });
  const served = service.getProviderSchema();
  const declared = (schemaJson as { provider_schemas: Record<string, { provider: unknown; resource_schemas: Record<string, unknown>; data_source_schemas: Record<string, unknown> }> })
    .provider_schemas['registry.terraform.io/shoreguard/shoreguard'];

  test('GIVEN schema.json WHEN the provider block is served THEN it declares exactly the same attributes', () => {
    expect(toJsonShape(served.provider)).toEqual(declared?.provider);
  });

  test('GIVEN schema.json WHEN resource schemas are served THEN every resource has exactly the declared attributes', () => {
    expect(Object.keys(served.resource_schemas).sort()).toEqual(Object.keys(declared?.resource_schemas ?? {}).sort());
    for (const [name, message] of Object.entries(served.resource_schemas)) expect([name, toJsonShape(message)]).toEqual([name, declared?.resource_schemas[name]]);
  });

  test('GIVEN schema.json WHEN data source schemas are served THEN every data source has exactly the declared attributes', () => {
    expect(Object.keys(served.data_source_schemas).sort()).toEqual(Object.keys(declared?.data_source_schemas ?? {}).sort());
    for (const [name, message] of Object.entries(served.data_source_schemas)) expect([name, toJsonShape(message)]).toEqual([name, declared?.data_source_schemas[name]]);
  });

  test('GIVEN schema.json WHEN metadata is asked THEN it lists every resource and data source type', () => {
    const metadata = service.getMetadata();
    expect(metadata.resources.map((r) => r.type_name).sort()).toEqual(Object.keys(declared?.resource_schemas ?? {}).sort());
    expect(metadata.data_sources.map((r) => r.type_name).sort()).toEqual(Object.keys(declared?.data_source_schemas ?? {}).sort());
  });

  test('GIVEN sensitive attributes in schema.json WHEN served THEN they are marked sensitive', () => {
    const sensitive = (message: SchemaMessage) => message.block.attributes.filter((a) => a.sensitive).map((a) => a.name);
    expect(sensitive(served.provider)).toEqual(['api_key', 'client_cert', 'client_key']);
    expect(sensitive(served.resource_schemas['shoreguard_gateway'] as SchemaMessage)).toEqual(['ca_cert', 'client_cert', 'client_key']);
  });
});

describe('parseProviderSchema', () => {
  const minimal = (block: unknown) => ({
    format_version: '1.0',
    provider_schemas: { 'example.com/a/b': { provider: { version: 0, block: { attributes: {} } }, resource_schemas: { b_thing: { version: 0, block } }, data_source_schemas: {} } },
  });

  test('GIVEN nested block types WHEN parsed THEN it refuses rather than serve half a schema', () => {
    expect(() => parseProviderSchema(minimal({ attributes: {}, block_types: { timeouts: {} } }))).toThrow(/block_types/);
  });

  test('GIVEN an attribute that is neither required, optional nor computed WHEN parsed THEN it names the attribute', () => {
    expect(() => parseProviderSchema(minimal({ attributes: { x: { type: 'string' } } }))).toThrow('schema.json: b_thing.x is neither required, optional nor computed');
  });

  test('GIVEN a format_version 2.x WHEN parsed THEN it is rejected', () => {
    expect(() => parseProviderSchema({ ...minimal({ attributes: {} }), format_version: '2.0' })).toThrow(/format_version/);
  });
});
