// Turns a raw HTTP reply into a normalised observation that two servers can be compared on:
// status, content-type family, the headers clients act on, and the body with everything that
// legitimately varies between runs and servers (timestamps, hashes, ids, keys, request ids, the
// names of the principals and gateway endpoints each target uses) replaced by placeholders.
// Everything else (codes, titles, details, status strings, key sets, key ORDER, array lengths,
// versions, vote counts, YAML text) is kept verbatim, so any other difference is a real one.

export type ContentFamily = 'problem+json' | 'json' | 'empty' | `other:${string}`;

export interface Reply {
  status: number;
  contentType: string;
  headers: Headers;
  /** Raw body text ('' when empty). */
  text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  body: unknown;
}

export interface StepObservation {
  step: string;
  status: number;
  content: ContentFamily;
  /** Only headers whose presence/value clients rely on. */
  headers: Record<string, string>;
  body: unknown;
}

/** A derived fact a case computed from replies (e.g. "chunk id = sha256(yaml)[:16]"), compared too. */
export interface FactObservation {
  fact: string;
  value: unknown;
}

export type Observation = StepObservation | FactObservation;

export function contentFamily(reply: Pick<Reply, 'contentType' | 'text'>): ContentFamily {
  if (reply.text === '') return 'empty';
  const mediaType = reply.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/problem+json') return 'problem+json';
  if (mediaType === 'application/json') return 'json';
  return `other:${mediaType}`;
}

/**
 * Target-specific strings (principal names, endpoints, upstream gateway version) and their
 * placeholders. Longest first, so `emulator-operator-2` is replaced before `emulator-operator`.
 */
export class Aliases {
  #entries: Array<[string, string]> = [];

  add(value: string, placeholder: string): this {
    if (value && !this.#entries.some(([existing]) => existing === value)) {
      this.#entries.push([value, placeholder]);
      this.#entries.sort(([a], [b]) => b.length - a.length);
    }
    return this;
  }

  apply(text: string): string {
    let result = text;
    for (const [value, placeholder] of this.#entries) result = result.split(value).join(placeholder);
    return result;
  }

  clone(): Aliases {
    const copy = new Aliases();
    for (const [value, placeholder] of this.#entries) copy.add(value, placeholder);
    return copy;
  }
}

// Python isoformat(): microseconds only when non-zero, offset only on some values (finding D3).
// The offset is kept in the placeholder because whether it is present is part of the contract.
const ISO_DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(\+00:00|Z)?/g;
const SHA256_HEX = /\b[0-9a-f]{64}\b/g;
const CHUNK_ID = /policy\.apply:[0-9a-f]{16}\b/g;
const API_KEY = /\bsg_[A-Za-z0-9_-]{43}\b/g;

export function normaliseString(text: string, aliases: Aliases): string {
  return aliases
    .apply(text)
    .replace(API_KEY, '<api-key>')
    .replace(CHUNK_ID, 'policy.apply:<sha16>')
    .replace(SHA256_HEX, '<sha256>')
    .replace(ISO_DATETIME, (_match, offset: string | undefined) => (offset ? `<datetime${offset}>` : '<datetime>'));
}

/** Keys whose values are per-server identities or secrets: only their type is compared. */
const OPAQUE_KEYS = new Set([
  'id',
  'request_id',
  'key',
  'key_prefix',
  'invite_token',
  'secret',
  'user_id',
  'group_id',
  'sp_id',
  'hook_id',
  'hook_ids',
  'created_at_ms',
  'loaded_at_ms',
  'resource_version',
]);

function typeTag(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function opaque(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(opaque);
  if (value === null) return null;
  // A 16-hex request id is still checked for its form.
  if (typeof value === 'string' && /^[0-9a-f]{16}$/.test(value)) return '<hex16>';
  return `<${typeTag(value)}>`;
}

/**
 * Epoch-millisecond stamps of draft chunks and their history (`decided_at_ms`, `timestamp_ms`…)
 * vary per run; whether one is set (0 = never) is part of the contract and kept.
 */
function epochMillis(value: unknown): unknown {
  return typeof value === 'number' && value !== 0 ? '<epoch-ms>' : value;
}

export function normaliseBody(value: unknown, aliases: Aliases, extraOpaqueKeys: ReadonlySet<string>, key?: string): unknown {
  if (key !== undefined && (OPAQUE_KEYS.has(key) || extraOpaqueKeys.has(key))) return opaque(value);
  if (key !== undefined && key.endsWith('_ms')) return epochMillis(value);
  if (typeof value === 'string') return normaliseString(value, aliases);
  if (Array.isArray(value)) return value.map((item) => normaliseBody(item, aliases, extraOpaqueKeys));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [childKey, child] of Object.entries(value as Record<string, unknown>)) {
      result[childKey] = normaliseBody(child, aliases, extraOpaqueKeys, childKey);
    }
    return result;
  }
  return value;
}

/** Headers worth comparing: the 401 challenge, and whether a request id is echoed. */
function observedHeaders(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  const challenge = headers.get('www-authenticate');
  if (challenge !== null) result['www-authenticate'] = challenge;
  const requestId = headers.get('x-request-id');
  result['x-request-id'] = requestId === null ? '<absent>' : /^[0-9a-f]{16}$/.test(requestId) ? '<hex16>' : '<other>';
  return result;
}

export function observeReply(
  step: string,
  reply: Reply,
  aliases: Aliases,
  options: { select?: (body: unknown) => unknown; extraOpaqueKeys?: ReadonlySet<string> } = {},
): StepObservation {
  const content = contentFamily(reply);
  const select = options.select ?? ((body: unknown) => body);
  let body: unknown;
  if (reply.body !== undefined) body = normaliseBody(select(reply.body), aliases, options.extraOpaqueKeys ?? new Set());
  else if (reply.text !== '') body = `<unparsed:${normaliseString(reply.text, aliases)}>`;
  else body = null;
  return { step, status: reply.status, content, headers: observedHeaders(reply.headers), body };
}

/** One canonical text per observation list: key order kept, so reordered keys show as a difference. */
export function renderObservations(observations: readonly Observation[]): string {
  return observations.map((observation) => JSON.stringify(observation, null, 2)).join('\n');
}
