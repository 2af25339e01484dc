/**
 * The evidence receipt of one target in one `apply`/`sync` run: an in-toto Statement v1 (the
 * envelope format SLSA provenance uses) whose subject is the policy file and whose predicate is
 * ours, versioned by its type URI. A minor change only adds optional fields; anything else gets a
 * new URI (`…/receipt/v2`).
 *
 * The in-toto Statement layer is modelled here with zod rather than taken from a library: the
 * npm `in-toto-attestation` bindings are protobuf classes without validation, and what the
 * verifier needs is exactly a schema that names the field that is wrong.
 */
import { z } from 'zod';
import { STATUS_ORDER, type TargetStatus } from '../report/report';

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** The DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Our predicate, version 1. */
export const RECEIPT_PREDICATE_TYPE = 'https://shoreguard-iac.dev/receipt/v1';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 digest is 64 lowercase hex digits');
const isoTime = z.iso.datetime({ offset: true });

export const hashAndVersionSchema = z.strictObject({
  /** ShoreGuard's policy hash (the optimistic-lock token); null when not known. */
  hash: z.string().nullable(),
  /** The OpenShell revision number; null when this run did not read it. */
  version: z.number().int().nullable(),
});

export const gatesRecordSchema = z.discriminatedUnion('evaluated', [
  z.strictObject({ evaluated: z.literal(false) }),
  z.strictObject({
    evaluated: z.literal(true),
    packs: z.array(z.string()),
    errors: z.number().int().min(0),
    warnings: z.number().int().min(0),
    suppressed: z.number().int().min(0),
    findings: z.array(
      z.strictObject({
        ruleId: z.string(),
        severity: z.enum(['error', 'warning', 'note']),
        message: z.string(),
        file: z.string().nullable(),
        line: z.number().int().optional(),
        path: z.string().optional(),
        suppressed: z.strictObject({ reason: z.string(), expires: z.string().optional() }).optional(),
      }),
    ),
  }),
]);

/** The predicate of `https://shoreguard-iac.dev/receipt/v1`. README.md shows a full example. */
export const receiptPredicateSchema = z.strictObject({
  tool: z.strictObject({ name: z.literal('shoreguard-gitops'), version: z.string() }),
  command: z.enum(['apply', 'sync']),
  dryRun: z.boolean(),
  /** Shared by the receipts of one run. */
  runId: z.string().min(1),
  target: z.strictObject({ gateway: z.string().nullable(), sandbox: z.string().nullable() }),
  /** The ShoreGuard base URL (never credentials). */
  server: z.strictObject({ url: z.string().nullable() }),
  /** Where the policy file came from. */
  source: z.strictObject({
    /** The file as the command was given it. */
    file: z.string(),
    /** Repository-relative path when the file is in a git work tree (the subject's name). */
    path: z.string(),
    /** `HEAD` of that repository; null outside git. */
    commit: z.string().nullable(),
    /**
     * `clean`: the file at `commit` holds exactly the bytes read; `modified`/`untracked`: it does
     * not (the receipt then does not claim the commit holds them); `no_repository`; `stdin`.
     */
    state: z.enum(['clean', 'modified', 'untracked', 'no_repository', 'stdin']),
  }),
  /** What the subject digest covers. */
  document: z.strictObject({
    /** `canonical`: the canonical bytes sent (or that would be sent); `file`: the file as read (it failed the checks). */
    digestOf: z.enum(['canonical', 'file']),
    sha256: sha256Hex,
    bytes: z.number().int().min(0),
    /** `policy.apply:<sha16>` of the canonical bytes: the vote pool these bytes land in. */
    voteChunkId: z.string().nullable(),
    /** The file's `metadata.policy_hash` and `metadata.version`. */
    policyHash: z.string().nullable(),
    version: z.number().int().nullable(),
  }),
  request: z.strictObject({
    /** Whether anything was sent for this target (false for invalid and skipped files). */
    sent: z.boolean(),
    mode: z.enum(['replace', 'merge']).nullable(),
    /** The optimistic lock sent (`metadata.policy_hash` or `--expected-version`). */
    expectedVersion: z.string().nullable(),
    /** `X-Request-ID`s of this target's requests that the run saw (the apply / dry run, a failure). */
    requestIds: z.array(z.string()),
  }),
  outcome: z.strictObject({
    status: z.enum(STATUS_ORDER as unknown as [TargetStatus, ...TargetStatus[]]),
    result: z.enum(['clean', 'changes', 'error']),
    summary: z.string(),
    rebased: z.boolean(),
    recovered: z.string().nullable(),
    error: z
      .strictObject({ code: z.string(), message: z.string(), status: z.number().int().optional(), requestId: z.string().optional() })
      .nullable(),
    /** Problem codes of the file (warnings included). */
    problems: z.array(z.string()),
  }),
  /** The live policy before and after. `after` of an `applied` target is read back from the server. */
  live: z.strictObject({ before: hashAndVersionSchema, after: hashAndVersionSchema }),
  votes: z
    .strictObject({
      chunkId: z.string(),
      cast: z.number().int().nullable(),
      needed: z.number().int(),
      voters: z.array(z.string()).optional(),
    })
    .nullable(),
  pin: z
    .strictObject({
      pinnedBy: z.string().nullable(),
      reason: z.string().nullable(),
      expiresAt: z.string().nullable(),
      pinnedAt: z.string().nullable(),
      pinnedVersion: z.number().int().nullable(),
    })
    .nullable(),
  /** The rule-pack results (`--rules`), or `{evaluated: false}`. */
  gates: gatesRecordSchema,
  timestamps: z.strictObject({ startedAt: isoTime, finishedAt: isoTime }),
  /** The CI job that ran the command (non-secret variables of GitHub Actions or GitLab CI); null elsewhere. */
  ci: z
    .strictObject({
      provider: z.enum(['github', 'gitlab']),
      runUrl: z.string().nullable(),
      repository: z.string().nullable(),
      ref: z.string().nullable(),
      commit: z.string().nullable(),
      actor: z.string().nullable(),
      workflow: z.string().nullable(),
    })
    .nullable(),
});

export const receiptStatementSchema = z.strictObject({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z.array(z.strictObject({ name: z.string().min(1), digest: z.strictObject({ sha256: sha256Hex }) })).length(1),
  predicateType: z.literal(RECEIPT_PREDICATE_TYPE),
  predicate: receiptPredicateSchema,
});

export type ReceiptPredicate = z.infer<typeof receiptPredicateSchema>;
export type ReceiptStatement = z.infer<typeof receiptStatementSchema>;

/** The statement around a predicate: the subject is the policy file and the digest of its bytes. */
export function buildStatement(predicate: ReceiptPredicate): ReceiptStatement {
  return receiptStatementSchema.parse({
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: predicate.source.path, digest: { sha256: predicate.document.sha256 } }],
    predicateType: RECEIPT_PREDICATE_TYPE,
    predicate,
  });
}
