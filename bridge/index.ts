/**
 * shoreguard-iac/gitops: the GitOps bridge as a typed library — the offline core (document
 * model, canonical YAML, validation, local diff and rendering, layout, vote ids) and the
 * networked export/plan/apply/sync that the `shoreguard-gitops` CLI runs, returning the same
 * versioned report objects the CLI prints.
 */
export * from './core/problems';
export * from './core/errors';
export * from './document/document';
export {
  MANAGED_BY_BANNER,
  canonicalize,
  canonicalizeText,
  fromExport,
  parsePolicyDocument,
  safeParsePolicyDocument,
  type CanonicalDocument,
  type ParseOptions,
  type ParsedPolicyDocument,
  type PolicyExport,
  type SafeParseResult,
} from './document/canonical';
export { SourceIndex, type SourcePosition } from './document/source';
export * from './document/validate';
export * from './document/diff';
export * from './report/diff-render';
export * from './targets/layout';
export * from './document/vote-id';
export * from './report/report';
export { DEFAULT_CONCURRENCY, mapConcurrent } from './core/concurrency';
export {
  loadPolicy,
  preparePolicyText,
  selectTreeSources,
  type LoadOptions,
  type LoadedPolicy,
  type PolicySource,
  type PreparedPolicy,
  type SourceList,
  type TreeSelection,
} from './targets/local';
export { validateSources, type ValidateRunOptions } from './targets/validate-files';
export { GitRevisionError, policyAtRevision, readFileAtRevision } from './targets/git';
export { exportPolicy, exportTarget, exportTree, type ExportTreeOptions, type ExportedPolicy } from './targets/export';
export { fromSdkDiff, readLivePolicy, type LivePolicy } from './targets/remote';
export { planTarget, type PlanOptions } from './targets/plan';
export { applyTarget, type ApplyMode, type ApplyOptions } from './targets/apply';
export { runPolicies, syncTree, type RunOptions, type SyncOptions } from './targets/run';
export { writeFilesAtomically, type FileWrite, type WriteOutcome } from './targets/files';
export { renderText, type TextRenderOptions } from './report/render-text';
export { GITHUB_COMMENT_LIMIT, renderMarkdown, type MarkdownRenderOptions } from './report/render-markdown';
export { ANNOTATIONS_PER_LEVEL, collectAnnotations, formatAnnotation, renderGithubAnnotations, type Annotation, type AnnotationLevel } from './report/render-github';
// Two-way GitOps (issue #10): proposals into Git, approvals back, settling covered proposals.
export { renderEndpoint, renderRule } from './proposals/render';
export { documentCoversRule, isMergeable, mergeChunk, type ProposalChange } from './proposals/merge';
export { describeProvenance, joinProvenance } from './proposals/provenance';
export { describeProposals, proposalsRun, type ProposalTarget, type ProposalsOptions } from './targets/proposals';
export { pullTree, type PullOptions } from './targets/pull';
export { settleCoveredProposals, settleReason, type SettleOptions, type Settlement } from './targets/settle';
export { GitStatusError, headCommit, uncommittedStatus } from './targets/git';
export {
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  RECEIPT_PREDICATE_TYPE,
  buildStatement,
  receiptPredicateSchema,
  receiptStatementSchema,
  type ReceiptPredicate,
  type ReceiptStatement,
} from './receipts/statement';
export { ReceiptKeyError, keyidOf, loadSigningKey, loadVerifyingKey, type KeyAlgorithm, type SigningKey, type VerifyingKey } from './receipts/keys';
export { decodeEnvelope, envelopeJsonSchema, signEnvelope, verifyEnvelope, type EnvelopeJson, type SignatureCheck } from './receipts/dsse';
export { ReceiptWriter, ciRecord, type LiveReadBack, type ReceiptWriterOptions } from './receipts/writer';
export { SourceInspector, fileAtCommit } from './receipts/source';
export { verifyReceiptText, type ReceiptVerification, type VerifyReceiptOptions } from './receipts/verify';
export type { SettledTarget } from './targets/run';
export * from './gates';
export { renderSarif, SARIF_SCHEMA, type SarifRuleInfo } from './report/render-sarif';
