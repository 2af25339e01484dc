import { inspect } from 'node:util';

/** The text that replaces every secret in messages, JSON and inspect output. */
export const REDACTED = '[REDACTED]';

/**
 * A secret string (API key, private key) that never prints itself: `String()`, `JSON.stringify`
 * and `util.inspect` all show `[REDACTED]`. Call {@link SecretValue.reveal} only where the value
 * must leave the process (the `Authorization` header, the TLS handshake).
 */
export class SecretValue {
  // An ES private field: util.inspect and JSON.stringify cannot see it.
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plain secret. Do not log it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `SecretValue(${REDACTED})`;
  }
}

/** Replaces secrets in a piece of text. */
export type Redactor = (text: string) => string;

// ShoreGuard service-principal keys are "sg_" + 43 url-safe characters. Redacting the shape as well
// as the configured key also hides keys the server echoes back (e.g. from another principal).
// Simple character classes with no nested quantifiers: linear time, no ReDoS.
const SERVICE_PRINCIPAL_KEY = /sg_[A-Za-z0-9_-]{16,}/g;
const BEARER_CREDENTIAL = /(bearer\s+)[^\s"',;]+/gi;

/** Builds a redactor for the given secrets plus any ShoreGuard key or Bearer credential. */
export function createRedactor(secrets: readonly (string | SecretValue | undefined)[]): Redactor {
  const plain = secrets
    .map((secret) => (secret instanceof SecretValue ? secret.reveal() : secret))
    .filter((secret): secret is string => typeof secret === 'string' && secret.length > 0)
    // Longest first, so a secret that contains another one is replaced whole.
    .sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let result = text;
    for (const secret of plain) result = result.split(secret).join(REDACTED);
    return result.replace(SERVICE_PRINCIPAL_KEY, REDACTED).replace(BEARER_CREDENTIAL, `$1${REDACTED}`);
  };
}

/** Applies a redactor to every string inside a JSON-like value (objects, arrays, keys left as is). */
export function redactDeep(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, redact);
    return out;
  }
  return value;
}
