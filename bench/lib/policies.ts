/**
 * Policy fixtures for benchmarks, in ShoreGuard's dict form (reference §10.1): a small realistic
 * policy per sandbox for fleet runs, a one-line drift to plan or apply, and a policy of thousands
 * of network rules sized to a byte budget for the canonical-YAML figures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument, stringify } from 'yaml';

export type PolicyDict = Record<string, unknown>;

/** One network rule with `endpointCount` endpoints, each with a few L7 rules (distinct by `index`). */
export function networkRule(name: string, index: number, endpointCount = 1): PolicyDict {
  return {
    name,
    endpoints: Array.from({ length: endpointCount }, (_, e) => ({
      host: `svc-${index}-${e}.internal.example.com`,
      port: 443 + (e % 3),
      protocol: 'rest',
      rules: [
        { allow: { method: 'GET', path: `/v1/items/${index}/**`, command: '' } },
        { allow: { method: 'POST', path: `/v1/items/${index}/actions/${e}`, command: '' } },
      ],
    })),
    binaries: [{ path: '/usr/bin/curl' }, { path: `/opt/agent/bin/worker-${index % 7}` }],
  };
}

/** A realistic per-sandbox policy: filesystem, process, landlock and three network rules. */
export function fleetPolicy(index: number): PolicyDict {
  return {
    version: 1,
    filesystem: { include_workdir: true, read_only: ['/usr', '/lib', '/etc'], read_write: ['/tmp', `/srv/sandbox-${index}`] },
    process: { run_as_user: 'sandbox', run_as_group: 'sandbox' },
    landlock: { compatibility: 'best_effort' },
    network_policies: {
      github: {
        name: 'github',
        endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'GET', path: '/repos/**', command: '' } }] }],
        binaries: [{ path: '/usr/bin/git' }],
      },
      pypi: { name: 'pypi', endpoints: [{ host: 'pypi.org', port: 443 }], binaries: [{ path: '/usr/bin/pip' }] },
      [`svc-${index}`]: networkRule(`svc-${index}`, index),
    },
  };
}

/** The path a drifted file adds: ShoreGuard's diff reports it as one `read_only_added`. */
export const DRIFT_PATH = '/opt/bench-drift';

/**
 * Makes a policy file drift from the live policy by adding {@link DRIFT_PATH} to
 * `filesystem.read_only`, keeping everything else (metadata, lock) as it is.
 */
export function addDriftToFile(file: string): void {
  const document = parseDocument(readFileSync(file, 'utf8'));
  const readOnly = document.getIn(['policy', 'filesystem', 'read_only']);
  if (readOnly === undefined) document.setIn(['policy', 'filesystem', 'read_only'], [DRIFT_PATH]);
  else document.addIn(['policy', 'filesystem', 'read_only'], DRIFT_PATH);
  writeFileSync(file, String(document));
}

/**
 * A policy document (`metadata` + `policy`) whose YAML text is at least `targetBytes` long, made of
 * thousands of network rules. Written with the `yaml` library's defaults (insertion order, its own
 * quoting), so the canonical writer has real work to do. Returns the text and the rule count.
 */
export function largePolicyDocument(targetBytes: number): { readonly text: string; readonly rules: number } {
  const head = { metadata: { gateway: 'bench-gw', sandbox: 'large', policy_hash: 'bench-large', version: 1 } };
  // Size grows (almost) linearly with the rule count: fit a line on two small documents, then
  // top up until the real text is big enough.
  const sizeOf = (count: number) => Buffer.byteLength(stringify({ ...head, policy: largePolicy(count) }));
  const [small, large] = [500, 1000];
  const perRule = (sizeOf(large) - sizeOf(small)) / (large - small);
  let rules = Math.max(1, Math.ceil((targetBytes - sizeOf(small)) / perRule) + small);
  let text = stringify({ ...head, policy: largePolicy(rules) });
  while (Buffer.byteLength(text) < targetBytes) {
    rules += Math.max(1, Math.ceil(rules / 200));
    text = stringify({ ...head, policy: largePolicy(rules) });
  }
  return { text, rules };
}

function largePolicy(rules: number): PolicyDict {
  const network: PolicyDict = {};
  // Reverse insertion order: the canonical writer must sort every mapping.
  for (let i = rules - 1; i >= 0; i--) {
    const name = `rule-${String(i).padStart(6, '0')}`;
    network[name] = networkRule(name, i, 2);
  }
  return { ...fleetPolicy(0), network_policies: network };
}
