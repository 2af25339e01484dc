/**
 * The policy gates in the built CLI (dist/), as CI runs them: plain Node loads the CEL library (an
 * ES module, through require) and OPA's wasm SDK without jest's module system in between, and a
 * Rego rule compiled by the real `opa build -t wasm` is evaluated next to CEL and built-in rules.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshBuild } from '../../support/e2e/build';
import { runChild } from '../../support/e2e/child';
import { buildWasmBundle, ensureOpa, OPA_BUILD_TIMEOUT_MS } from '../../support/opa/opa';
import { CLEAN, edit } from '../../support/gates/documents';

const REGO = `package org.gates

deny contains {"msg": sprintf("%s may not reach port 22", [key]), "path": ["policy", "network_policies", key]} if {
  some key, rule in input.policy.network_policies
  some endpoint in rule.endpoints
  22 in endpoint.ports
}
`;

const RULES = `builtin:
  SG002: off
rules:
- id: ORG-https-only
  scope: endpoint
  expression: endpoint.ports.all(p, p == 443)
  message: only HTTPS egress
rego:
- id: ORG-no-ssh
  wasm: no-ssh.tar.gz
  entrypoint: org/gates/deny
`;

describe('shoreguard-gitops --rules (built CLI)', () => {
  let dir: string;
  let cli: string;
  let opa: string;
  beforeAll(async () => {
    cli = freshBuild('dist/bridge/cli/main.js', ['bridge', 'sdk']);
    opa = await ensureOpa();
  }, OPA_BUILD_TIMEOUT_MS);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gates-e2e-'));
    await mkdir(join(dir, 'policies', 'gw'), { recursive: true });
    await writeFile(join(dir, 'no-ssh.rego'), REGO);
    await buildWasmBundle(opa, join(dir, 'no-ssh.rego'), 'org/gates/deny', join(dir, 'no-ssh.tar.gz'));
    await writeFile(join(dir, '.shoreguard-rules.yaml'), RULES);
  }, 120_000);
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const validate = (...args: string[]) =>
    runChild(process.execPath, [cli, 'validate', '--dir', 'policies', '--rules', '.shoreguard-rules.yaml', ...args], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, NO_COLOR: '1' },
      timeoutMs: 60_000,
    });

  it('GIVEN a compliant policy WHEN validated with built-in, CEL and Rego rules THEN exit 0 and every pack is named', async () => {
    await writeFile(join(dir, 'policies', 'gw', 'sb.yaml'), CLEAN);
    const run = await validate('--output', 'json');
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(run.stdout) as { targets: { gates: { packs: string[]; errors: number } }[] };
    expect(report.targets[0]?.gates).toMatchObject({ packs: [expect.stringMatching(/^builtin@/), '.shoreguard-rules.yaml'], errors: 0 });
  });

  it('GIVEN SSH egress from python WHEN validated THEN the Rego, CEL and built-in findings each name file and line, as text and SARIF', async () => {
    await writeFile(join(dir, 'policies', 'gw', 'sb.yaml'), edit('path: /usr/bin/git', 'path: /usr/bin/python3', edit('port: 443', 'port: 22')));
    const text = await validate();
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('policies/gw/sb.yaml:14:5: error gate_finding: ORG-no-ssh: github may not reach port 22');
    expect(text.stdout).toMatch(/policies\/gw\/sb\.yaml:18:\d+: error gate_finding: ORG-https-only: only HTTPS egress/);
    expect(text.stdout).toMatch(/policies\/gw\/sb\.yaml:16:\d+: error gate_finding: SG007 interpreter-egress/);
    const sarif = await validate('--output', 'sarif');
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] }).runs[0]!.results;
    // The fixture's own validation warnings (no policy_hash, …) are results too, under their codes.
    expect(results.map((r) => r.ruleId).filter((id) => /^(SG|ORG)/.test(id)).sort()).toEqual(['ORG-https-only', 'ORG-no-ssh', 'SG007']);
    expect(results.map((r) => r.ruleId)).toContain('missing_policy_hash');
    expect(new Set(results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri))).toEqual(new Set(['policies/gw/sb.yaml']));
  });
});
