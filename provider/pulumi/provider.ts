/**
 * The dynamic provider objects, one per resource type. Pulumi serializes each object's code into
 * every resource's state and evaluates it in the provider process, so they are kept tiny and
 * capture nothing but their type name: each method `require`s this package's public entry at call
 * time (the only path the package's `exports` map allows, and the one a consumer's node_modules
 * resolves) and delegates to its `providerRuntime`. No client, config or credential is ever
 * captured; the client is built in the provider process from stack config or the environment.
 */
import type * as dynamic from '@pulumi/pulumi/dynamic';

/**
 * The package entry the provider process loads; must stay in package.json's `exports`. Not
 * exported: tsc would turn references into `exports.RUNTIME_ENTRY`, and the closure would then
 * capture this module (a `require` of a path the `exports` map forbids in an installed package).
 */
const RUNTIME_ENTRY = 'shoreguard-iac/pulumi';

type Runtime = typeof import('./runtime');

/** Builds the provider object of one schema.json resource type. */
export function dynamicProvider(schemaType: string): dynamic.ResourceProvider {
  // Resolved in the provider process from the program's directory, like any dependency of it.
  const runtime = (): Runtime => (require(RUNTIME_ENTRY) as { providerRuntime: Runtime }).providerRuntime;
  return {
    configure: async (req) => runtime().configure((key) => req.config.get(key)),
    check: (olds, news) => runtime().check(schemaType, olds, news),
    diff: (id, olds, news) => runtime().diff(schemaType, id, olds, news),
    create: (inputs) => runtime().create(schemaType, inputs),
    read: (id, props) => runtime().read(schemaType, id, props),
    update: (id, olds, news) => runtime().update(schemaType, id, olds, news),
    delete: (id, props) => runtime().delete(schemaType, id, props),
  };
}

const cache = new Map<string, dynamic.ResourceProvider>();

/**
 * The singleton provider of a type. One object per type lets Pulumi serialize it once (its cache
 * is keyed by the object) instead of once per resource.
 */
export function providerFor(schemaType: string): dynamic.ResourceProvider {
  let provider = cache.get(schemaType);
  if (!provider) {
    provider = dynamicProvider(schemaType);
    cache.set(schemaType, provider);
  }
  return provider;
}
