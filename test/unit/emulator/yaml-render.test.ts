import { renderPolicyDocument } from '../../../emulator/policy/document';
import { pyYamlSafeDump, resolvePlainScalarTag } from '../../../emulator/policy/yaml-render';
import { vectors } from './vectors';

/** §10.3, verified by running ShoreGuard's render_yaml (copied verbatim from the contract). */
const SECTION_10_3_EXAMPLE = `# managed-by: shoreguard-gitops
metadata:
  exported_at: '2026-04-20T12:00:00.123456+00:00'
  gateway: prod-gw
  policy_hash: a1b2c3
  sandbox: agent-1
  version: 7
policy:
  filesystem:
    include_workdir: true
    read_only:
    - /usr
    - /etc
    read_write: []
  landlock:
    compatibility: best_effort
  network_policies:
    anthropic:
      binaries: []
      endpoints: []
      name: anthropic
    github:
      binaries:
      - path: /usr/bin/git
      endpoints:
      - host: api.github.com
        port: 443
        protocol: rest
        rules:
        - allow:
            command: ''
            method: GET
            path: /repos/**
      name: github
  process:
    run_as_group: sandbox
    run_as_user: sandbox
  version: 1
`;

const EMPTY_POLICY_VECTOR =
  "# managed-by: shoreguard-gitops\nmetadata:\n  exported_at: '2026-04-20T12:00:00+00:00'\n  gateway: g\n  sandbox: s\n  version: 0\npolicy: {}\n";

function render(name: string): string {
  const vector = vectors.render.find((candidate) => candidate.name === name);
  if (!vector) throw new Error(`no render vector ${name}`);
  return renderPolicyDocument(vector.policy, {
    gateway: vector.gateway,
    sandbox: vector.sandbox,
    version: vector.version,
    policyHash: vector.policy_hash,
    exportedAt: vector.exported_at,
  });
}

describe('PyYAML safe_dump port (§10.3)', () => {
  it('GIVEN the §10.3 example policy WHEN rendered THEN the bytes equal the contract verbatim', () => {
    expect(render('section-10.3-example')).toBe(SECTION_10_3_EXAMPLE);
  });

  it('GIVEN an empty policy and an empty hash WHEN rendered THEN it matches the verified empty-policy vector', () => {
    expect(render('empty-policy')).toBe(EMPTY_POLICY_VECTOR);
  });

  it.each(vectors.render.map((vector) => [vector.name, vector] as const))(
    'GIVEN the %s vector WHEN rendered THEN the output equals ShoreGuard render_yaml byte for byte',
    (_name, vector) => {
      expect(render(vector.name)).toBe(vector.yaml);
    },
  );

  it('GIVEN strings that YAML 1.1 reads as other types WHEN resolved THEN they are not plain strings', () => {
    expect(['yes', 'Off', '012', '0x1F', '1:20', '1.5', 'null', '~', '', '2026-04-20', '<<', '='].map(resolvePlainScalarTag)).not.toContain('str');
    expect(['y', 'n', '1e5', '0o17', '0123456789', 'api.github.com'].map(resolvePlainScalarTag)).toEqual(['str', 'str', 'str', 'str', 'str', 'str']);
  });

  it('GIVEN a top-level list WHEN dumped THEN sequences use block style without indentation', () => {
    expect(pyYamlSafeDump([1, 'a', [], {}])).toBe("- 1\n- a\n- []\n- {}\n");
  });
});
