/**
 * Golden vectors produced by ShoreGuard's own Python helpers and PyYAML 6.0.3; see
 * fixtures/generate_vectors.py for how they were made.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PyValue } from '../../../emulator/core/python';

export interface Vectors {
  render: Array<{
    name: string;
    policy: { [key: string]: PyValue };
    gateway: string;
    sandbox: string;
    version: number;
    policy_hash: string;
    exported_at: string;
    yaml: string;
  }>;
  load: Array<{ text: string; value: PyValue }>;
  diff: Array<{ name: string; old: PyValue; new: PyValue; diff: PyValue; is_empty: boolean }>;
  merge: Array<{ name: string; current: PyValue; target: PyValue; operations?: PyValue; error?: string; detail?: string }>;
  vote_ids: Record<string, string>;
  repr: Array<{ value: PyValue; repr: string }>;
}

export const vectors = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pyyaml-vectors.json'), 'utf8')) as Vectors;
