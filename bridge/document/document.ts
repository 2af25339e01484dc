/**
 * The policy document model: `{metadata?, policy}` as ShoreGuard exports it (reference §10.1,
 * §10.3), in zod.
 *
 * Decisions (see bridge/README.md for the full table):
 * - Types are strict: ShoreGuard hands these values to protobuf, which rejects a number where a
 *   string belongs (HTTP 500) — so `run_as_user: 1000` is an error here, with a "quote it" hint.
 * - Every object is *loose* at this level (unknown keys are kept, not stripped). Whether an
 *   unknown key is an error or a warning is decided by validate.ts: unknown `policy` sections and
 *   unknown keys in `filesystem`/`process`/`landlock` are errors (ShoreGuard drops them
 *   silently); unknown keys in network rules, endpoints, L7 rules and binaries are warnings,
 *   because newer ShoreGuard/OpenShell versions add fields there (GraphQL L7 fields in 0.35).
 *   Keeping them loose means a newer server's export round-trips through the canonical form.
 * - Keys the export always writes (`binaries: []`, `command: ''`, …) are optional here and
 *   reported as warnings when missing (trap 9), since ShoreGuard fills in defaults.
 */
import { z } from 'zod';

const port = z.int().min(0).max(65535);
const uint32 = z.int().min(0).max(4_294_967_295);

/** `query: {<param>: {glob?, any?}}` inside an L7 allow or deny rule. */
export const QueryMatcherSchema = z.looseObject({
  glob: z.string().optional(),
  any: z.array(z.string()).optional(),
});

/** The match of an L7 rule: `rules[].allow` and each `deny_rules[]` entry share this shape. */
export const L7MatchSchema = z.looseObject({
  method: z.string().optional(),
  path: z.string().optional(),
  command: z.string().optional(),
  query: z.record(z.string(), QueryMatcherSchema).optional(),
});

export const L7RuleSchema = z.looseObject({
  allow: L7MatchSchema.optional(),
});

export const NetworkEndpointSchema = z.looseObject({
  host: z.string().optional(),
  port: port.optional(),
  protocol: z.string().optional(),
  tls: z.string().optional(),
  enforcement: z.string().optional(),
  access: z.string().optional(),
  allow_encoded_slash: z.boolean().optional(),
  rules: z.array(L7RuleSchema).optional(),
  deny_rules: z.array(L7MatchSchema).optional(),
  allowed_ips: z.array(z.string()).optional(),
  ports: z.array(port).optional(),
});

export const NetworkBinarySchema = z.looseObject({
  path: z.string().optional(),
});

export const NetworkPolicyRuleSchema = z.looseObject({
  name: z.string().optional(),
  endpoints: z.array(NetworkEndpointSchema).optional(),
  binaries: z.array(NetworkBinarySchema).optional(),
});

export const FilesystemSchema = z.looseObject({
  include_workdir: z.boolean().optional(),
  read_only: z.array(z.string()).optional(),
  read_write: z.array(z.string()).optional(),
});

export const ProcessSchema = z.looseObject({
  run_as_user: z.string().optional(),
  run_as_group: z.string().optional(),
});

export const LandlockSchema = z.looseObject({
  compatibility: z.string().optional(),
});

export const PolicySchema = z.looseObject({
  /** The SandboxPolicy *schema* version (trap 7), not the revision number. */
  version: uint32.optional(),
  filesystem: FilesystemSchema.optional(),
  process: ProcessSchema.optional(),
  landlock: LandlockSchema.optional(),
  network_policies: z.record(z.string(), NetworkPolicyRuleSchema).optional(),
});

export const MetadataSchema = z.looseObject({
  gateway: z.string().optional(),
  sandbox: z.string().optional(),
  /** The OpenShell policy revision at export time; ignored by ShoreGuard on apply. */
  version: z.int().min(0).optional(),
  /** The optimistic-lock etag: always a string (trap 21), compared by exact equality. */
  policy_hash: z.string().optional(),
  exported_at: z.string().optional(),
});

export const PolicyDocumentSchema = z.looseObject({
  metadata: MetadataSchema.optional(),
  policy: PolicySchema,
});

export type QueryMatcher = z.infer<typeof QueryMatcherSchema>;
export type L7Match = z.infer<typeof L7MatchSchema>;
export type L7Rule = z.infer<typeof L7RuleSchema>;
export type NetworkEndpoint = z.infer<typeof NetworkEndpointSchema>;
export type NetworkBinary = z.infer<typeof NetworkBinarySchema>;
export type NetworkPolicyRule = z.infer<typeof NetworkPolicyRuleSchema>;
export type FilesystemPolicy = z.infer<typeof FilesystemSchema>;
export type ProcessPolicy = z.infer<typeof ProcessSchema>;
export type LandlockPolicy = z.infer<typeof LandlockSchema>;
export type Policy = z.infer<typeof PolicySchema>;
export type PolicyMetadata = z.infer<typeof MetadataSchema>;
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;

/** The keys each object of the model declares; anything else is "unknown" to validate.ts. */
export const KNOWN_KEYS = {
  document: keysOf(PolicyDocumentSchema),
  metadata: keysOf(MetadataSchema),
  policy: keysOf(PolicySchema),
  filesystem: keysOf(FilesystemSchema),
  process: keysOf(ProcessSchema),
  landlock: keysOf(LandlockSchema),
  networkRule: keysOf(NetworkPolicyRuleSchema),
  endpoint: keysOf(NetworkEndpointSchema),
  l7Rule: keysOf(L7RuleSchema),
  l7Match: keysOf(L7MatchSchema),
  queryMatcher: keysOf(QueryMatcherSchema),
  binary: keysOf(NetworkBinarySchema),
} as const;

function keysOf(schema: { shape: Record<string, unknown> }): ReadonlySet<string> {
  return new Set(Object.keys(schema.shape));
}

/** The `policy` sections ShoreGuard's diff compares; `landlock` and `version` it ignores (§10.6). */
export const DIFFED_SECTIONS = ['filesystem', 'process', 'network_policies'] as const;
