/**
 * Content hashes. ShoreGuard never computes `policy_hash` itself; it passes through the gateway's
 * opaque string (§10.4). The emulator stands in for the gateway with a SHA-256 over a canonical
 * JSON form of the stored policy: the same content gives the same hash, any edit changes it.
 */
import { createHash } from 'node:crypto';
import { compareCodePoints, isPyDict, type PyValue } from '../core/python';

function canonicalJson(value: PyValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPyDict(value)) {
    const keys = Object.keys(value).sort(compareCodePoints);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as PyValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 64 lowercase hex characters, like OpenShell's `deterministic_policy_hash`. */
export function policyHash(policy: { [key: string]: PyValue }): string {
  return createHash('sha256').update(canonicalJson(policy), 'utf8').digest('hex');
}

/** `yaml_fingerprint` (§10.7): first 16 hex chars of SHA-256 over the `yaml` string as UTF-8. */
export function yamlFingerprint(yamlText: string): string {
  return createHash('sha256').update(yamlText, 'utf8').digest('hex').slice(0, 16);
}

/** The synthetic approval chunk id a GitOps apply votes on (§10.7). */
export function applyChunkId(yamlText: string): string {
  return `policy.apply:${yamlFingerprint(yamlText)}`;
}
