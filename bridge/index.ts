/**
 * shoreguard-iac/gitops: the GitOps bridge as a typed library — the offline core (document
 * model, canonical YAML, validation, local diff and rendering, layout, vote ids) and the
 * networked export/plan/apply/sync that the `shoreguard-gitops` CLI runs, returning the same
 * versioned report objects the CLI prints.
 */
export * from './problems';
export * from './errors';
export * from './document';
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
} from './canonical';
export { SourceIndex, type SourcePosition } from './source';
export * from './validate';
export * from './diff';
export * from './diff-render';
export * from './layout';
export * from './vote-id';
export * from './report';
export { DEFAULT_CONCURRENCY, mapConcurrent } from './concurrency';
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
} from './local';
export { validateSources, type ValidateRunOptions } from './validate-files';
export { GitRevisionError, policyAtRevision, readFileAtRevision } from './git';
export { exportPolicy, exportTarget, exportTree, type ExportTreeOptions, type ExportedPolicy } from './export';
export { fromSdkDiff, readLivePolicy, type LivePolicy } from './remote';
export { planTarget, type PlanOptions } from './plan';
export { applyTarget, type ApplyMode, type ApplyOptions } from './apply';
export { runPolicies, syncTree, type RunOptions, type SyncOptions } from './run';
export { writeFilesAtomically, type FileWrite, type WriteOutcome } from './files';
export { renderText, type TextRenderOptions } from './render-text';
export { GITHUB_COMMENT_LIMIT, renderMarkdown, type MarkdownRenderOptions } from './render-markdown';
export { ANNOTATIONS_PER_LEVEL, collectAnnotations, formatAnnotation, renderGithubAnnotations, type Annotation, type AnnotationLevel } from './render-github';
