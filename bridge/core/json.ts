/** Type guards for the JSON-like values documents are made of (internal; not exported by index.ts). */

/** A YAML mapping / JSON object (not null, not a list). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
