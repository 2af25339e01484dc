/**
 * The GitOps YAML document (§10.3 / §10.5 step 4): `render_yaml` and `parse_yaml` from
 * ShoreGuard's `policy_yaml.py`.
 */
import { isPyDict, pyTruthy, type PyValue } from '../core/python';
import { EXPORT_BANNER } from '../quirks';
import { MalformedYamlError, pySafeLoad } from './yaml-parse';
import { pyYamlSafeDump } from './yaml-render';

/** A 400 `VALIDATION_ERROR` whose message is the exact `detail` ShoreGuard sends. */
export class PolicyYamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyYamlError';
  }
}

export interface RenderOptions {
  gateway: string;
  sandbox: string;
  version: number;
  policyHash: string;
  /** `datetime.now(UTC).isoformat()`, e.g. `2026-04-20T12:00:00.123456+00:00`. */
  exportedAt: string;
}

export function renderPolicyDocument(policy: { [key: string]: PyValue }, options: RenderOptions): string {
  const metadata: { [key: string]: PyValue } = { gateway: options.gateway, sandbox: options.sandbox, version: options.version };
  if (options.policyHash) metadata['policy_hash'] = options.policyHash;
  metadata['exported_at'] = options.exportedAt;
  return EXPORT_BANNER + pyYamlSafeDump({ metadata, policy });
}

export interface ParsedPolicyDocument {
  policy: { [key: string]: PyValue };
  metadata: { [key: string]: PyValue };
}

export function parsePolicyDocument(text: string): ParsedPolicyDocument {
  let loaded: PyValue;
  try {
    loaded = pySafeLoad(text);
  } catch (error) {
    if (error instanceof MalformedYamlError) throw new PolicyYamlError(`Malformed YAML: ${error.message}`);
    throw error;
  }
  if (!isPyDict(loaded)) throw new PolicyYamlError('Top-level YAML must be a mapping');
  if (!('policy' in loaded)) throw new PolicyYamlError("Missing required 'policy' key");
  const policy = loaded['policy'] as PyValue;
  if (!isPyDict(policy)) throw new PolicyYamlError("'policy' must be a mapping");
  const rawMetadata = (loaded['metadata'] as PyValue | undefined) ?? null;
  // `loaded.get("metadata") or {}`: null, '' and [] all count as "no metadata".
  const metadata = pyTruthy(rawMetadata) ? rawMetadata : {};
  if (!isPyDict(metadata)) throw new PolicyYamlError("'metadata' must be a mapping");
  return { policy, metadata };
}
