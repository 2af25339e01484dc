import { createHash } from 'node:crypto';

/** Prefix of the synthetic approval chunk id ShoreGuard gives a GitOps apply (§10.7). */
export const VOTE_CHUNK_PREFIX = 'policy.apply:';

/**
 * The approval chunk id ShoreGuard records votes under for a `POST …/policy/apply` with this
 * `yaml` string: `policy.apply:` + the first 16 hex digits of SHA-256 over its UTF-8 bytes.
 * There is no normalisation — a CRLF, a trailing newline or a reordered key is another vote
 * pool — which is why the bridge always sends the canonical form.
 */
export function voteChunkId(yaml: string): string {
  return VOTE_CHUNK_PREFIX + createHash('sha256').update(yaml, 'utf8').digest('hex').slice(0, 16);
}
