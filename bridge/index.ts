/**
 * shoreguard-iac/gitops: the GitOps bridge. This barrel exports the offline core (document
 * model, canonical YAML, validation, local diff and rendering, layout, vote ids); the
 * networked plan/apply/sync builds on it.
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
