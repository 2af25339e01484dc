/**
 * The CDKTF half of "every front-end exposes exactly the attributes schema.json declares", and
 * the staleness check of the generated bindings.
 */
import { Testing, TerraformStack, TerraformResource, TerraformDataSource, TerraformProvider } from 'cdktf';
import schemaJson from '../../../schema.json';
import * as bindings from '../../../provider/cdktf';
import { staleBindings } from '../../../provider/cdktf/generate';

interface RawAttribute {
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
}
interface RawBlock {
  block: { attributes: Record<string, RawAttribute> };
}
const declared = (schemaJson as unknown as { provider_schemas: Record<string, { provider: RawBlock; resource_schemas: Record<string, RawBlock>; data_source_schemas: Record<string, RawBlock> }> }).provider_schemas[
  'registry.terraform.io/shoreguard/shoreguard'
]!;

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

type Constructor = { prototype: object; tfResourceType?: string };
const exported = (Object.values(bindings) as unknown[]).filter((value): value is Constructor => typeof value === 'function' && typeof (value as Constructor).tfResourceType === 'string');

function classFor(type: string, base: typeof TerraformResource | typeof TerraformDataSource): Constructor {
  const found = exported.filter((c) => c.tfResourceType === type && c.prototype instanceof base);
  expect(found).toHaveLength(1);
  return found[0] as Constructor;
}

/** Attribute getters a generated class defines itself (each attribute has one; inputs also get `<name>Input`). */
function attributeGetters(cls: Constructor): string[] {
  return Object.entries(Object.getOwnPropertyDescriptors(cls.prototype))
    .filter(([name, d]) => d.get !== undefined && !name.endsWith('Input'))
    .map(([name]) => name)
    .sort();
}
function inputGetters(cls: Constructor): string[] {
  return Object.keys(Object.getOwnPropertyDescriptors(cls.prototype))
    .filter((name) => name.endsWith('Input'))
    .map((name) => name.slice(0, -'Input'.length))
    .sort();
}
const names = (block: RawBlock, filter: (a: RawAttribute) => boolean) =>
  Object.entries(block.block.attributes)
    .filter(([, a]) => filter(a))
    .map(([n]) => camel(n))
    .sort();

describe('CDKTF bindings expose exactly schema.json', () => {
  test.each(Object.entries(declared.resource_schemas))('GIVEN resource %s THEN its class has a getter per attribute and an input per argument, nothing more', (type, block) => {
    const cls = classFor(type, TerraformResource);
    expect(attributeGetters(cls)).toEqual(names(block, () => true));
    expect(inputGetters(cls)).toEqual(names(block, (a) => a.required === true || a.optional === true));
  });

  test.each(Object.entries(declared.data_source_schemas))('GIVEN data source %s THEN its class has a getter per attribute and an input per argument', (type, block) => {
    const cls = classFor(type, TerraformDataSource);
    expect(attributeGetters(cls)).toEqual(names(block, () => true));
    expect(inputGetters(cls)).toEqual(names(block, (a) => a.required === true || a.optional === true));
  });

  test('GIVEN the provider block THEN the provider class takes exactly its arguments (plus alias)', () => {
    const providerClass = exported.find((c) => c.prototype instanceof TerraformProvider) as Constructor;
    expect(providerClass.tfResourceType).toBe('shoreguard');
    expect(inputGetters(providerClass)).toEqual([...names(declared.provider, () => true), 'alias'].sort());
  });

  test('GIVEN a provider WHEN synthesized THEN required_providers names the schema address and the package version', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'p');
    new bindings.ShoreguardProvider(stack, 'sg', { endpoint: 'https://sg.example.com' });
    const out = JSON.parse(Testing.synth(stack)) as { terraform: { required_providers: Record<string, unknown> } };
    expect(out.terraform.required_providers['shoreguard']).toEqual({ source: 'registry.terraform.io/shoreguard/shoreguard', version: '0.1.0' });
  });
});

describe('generated bindings', () => {
  test('GIVEN schema.json WHEN bindings are regenerated THEN provider/cdktf/gen is identical (run `npm run generate` if not)', async () => {
    expect(await staleBindings()).toEqual([]);
  }, 60_000);
});
