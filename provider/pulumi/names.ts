/**
 * Pulumi property names are schema.json's attribute names in camelCase, mechanically
 * (`sandbox_name` ↔ `sandboxName`). Only top-level names are converted: keys inside maps (labels,
 * env, metadata) are user data and stay as written.
 */

/** `sandbox_name` → `sandboxName`. */
export function toCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, next: string) => next.toUpperCase());
}

/** `sandboxName` → `sandbox_name`. */
export function toSnake(name: string): string {
  return name.replace(/[A-Z]/g, (upper) => `_${upper.toLowerCase()}`);
}

/** Copies an object with its top-level keys renamed. */
export function renameKeys(values: Readonly<Record<string, unknown>>, rename: (name: string) => string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [rename(key), value]));
}

/** schema.json resource type → Pulumi type name: `shoreguard_group_gateway_role` → `GroupGatewayRole`. */
export function pulumiTypeName(schemaType: string): string {
  const camel = toCamel(schemaType.replace(/^shoreguard_/, ''));
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}
