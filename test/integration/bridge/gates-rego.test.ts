/**
 * Rego rules (conftest/OPA policies) through OPA's real WebAssembly build: the tests build OPA from
 * the Go module proxy (scripts/engines/build-opa.sh, cached), compile Rego with `opa build -t wasm`
 * as users do, and the bridge evaluates the wasm in-process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleSet } from '../../../bridge/gates/ruleset';
import { buildWasmBundle, ensureOpa, OPA_BUILD_TIMEOUT_MS } from '../../support/opa/opa';
import { CLEAN, edit, evaluateText } from '../../support/gates/documents';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gates-rego-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ruleFile(text: string, name = 'rules.yaml'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const TODAY = '2026-06-15';

describe('Rego rules through OPA wasm', () => {
  const REGO = `package shoreguard.ssh

# conftest style: a set of messages; objects may carry the path of the offending node.
deny contains violation if {
  some key, rule in input.policy.network_policies
  some i, endpoint in rule.endpoints
  22 in endpoint.ports
  violation := {"msg": sprintf("rule %s opens SSH to %s", [key, endpoint.host]), "path": ["policy", "network_policies", key, "endpoints", i]}
}

deny contains "no egress may run as root" if input.policy.process.run_as_user == "root"
`;
  let opa: string;
  beforeAll(async () => {
    opa = await ensureOpa();
  }, OPA_BUILD_TIMEOUT_MS);

  it('GIVEN a bundle built by `opa build -t wasm` WHEN checked THEN its violations are findings at their paths', async () => {
    await writeFile(join(dir, 'ssh.rego'), REGO);
    await buildWasmBundle(opa, join(dir, 'ssh.rego'), 'shoreguard/ssh/deny', join(dir, 'bundle.tar.gz'));
    const rules = await loadRuleSet([await ruleFile('rego:\n- id: ORG-ssh\n  wasm: bundle.tar.gz\n  entrypoint: shoreguard/ssh/deny\n')], { today: TODAY });
    expect(evaluateText(rules, CLEAN).summary.findings).toEqual([]);
    const text = edit('port: 443', 'port: 22').replace('run_as_user: sandbox', 'run_as_user: root');
    const result = evaluateText(rules, text);
    expect(result.summary.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleId: 'ORG-ssh', severity: 'error', message: 'rule github opens SSH to api.github.com', path: 'policy.network_policies.github.endpoints[0]', line: 18 }),
        expect.objectContaining({ ruleId: 'ORG-ssh', message: 'no egress may run as root' }),
      ]),
    );
    expect(result.summary.errors).toBe(2);
  });

  it('GIVEN a .rego source and the opa binary WHEN loaded THEN it is compiled at run time', async () => {
    await writeFile(join(dir, 'ssh.rego'), REGO);
    const file = await ruleFile('rego:\n- id: ORG-ssh\n  rego: ssh.rego\n  entrypoint: shoreguard/ssh/deny\n  severity: warning\n');
    const rules = await loadRuleSet([file], { today: TODAY, env: { SHOREGUARD_OPA: opa } });
    expect(evaluateText(rules, edit('port: 443', 'port: 22')).summary).toMatchObject({ warnings: 1, errors: 0 });
  });

  it('GIVEN a conftest-style pre-1.0 policy (package main, deny[msg]) WHEN loaded with v0Compatible THEN it runs', async () => {
    await writeFile(join(dir, 'legacy.rego'), 'package main\n\ndeny[msg] {\n  input.policy.process.run_as_user == "root"\n  msg := "no root"\n}\n');
    const file = await ruleFile('rego:\n- id: LEGACY\n  rego: legacy.rego\n  entrypoint: main/deny\n  v0Compatible: true\n');
    const rules = await loadRuleSet([file], { today: TODAY, env: { SHOREGUARD_OPA: opa } });
    expect(evaluateText(rules, edit('run_as_user: sandbox', 'run_as_user: root')).summary.findings).toEqual([expect.objectContaining({ ruleId: 'LEGACY', message: 'no root' })]);
    const strict = await ruleFile('rego:\n- id: LEGACY\n  rego: legacy.rego\n  entrypoint: main/deny\n', 'strict.yaml');
    await expect(loadRuleSet([strict], { env: { SHOREGUARD_OPA: opa } })).rejects.toThrow(/rego\[0\]: opa build failed: .*legacy\.rego/s);
  });

  it('GIVEN a .rego source and no opa binary WHEN loaded THEN the error says how to fix it', async () => {
    await writeFile(join(dir, 'ssh.rego'), REGO);
    const file = await ruleFile('rego:\n- id: ORG-ssh\n  rego: ssh.rego\n  entrypoint: shoreguard/ssh/deny\n');
    await expect(loadRuleSet([file], { env: { SHOREGUARD_OPA: join(dir, 'no-opa') } })).rejects.toThrow(/needs the opa binary .*opa build -t wasm -e shoreguard\/ssh\/deny/);
  });

  it('GIVEN a wrong entrypoint WHEN loaded THEN the error lists the ones the module has', async () => {
    await writeFile(join(dir, 'ssh.rego'), REGO);
    await buildWasmBundle(opa, join(dir, 'ssh.rego'), 'shoreguard/ssh/deny', join(dir, 'bundle.tar.gz'));
    const file = await ruleFile('rego:\n- id: ORG-ssh\n  wasm: bundle.tar.gz\n  entrypoint: shoreguard/ssh/warn\n');
    await expect(loadRuleSet([file])).rejects.toThrow(/no entrypoint "shoreguard\/ssh\/warn" \(it has: shoreguard\/ssh\/deny\)/);
  });
});
