/** Shared documents for the bridge tests. */

/** Reference §10.3: the output of ShoreGuard's own `render_yaml`, verified by running it. */
export const SHOREGUARD_EXPORT = `# managed-by: shoreguard-gitops
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

/** The same export without its `exported_at` line: the canonical form. */
export const CANONICAL_EXPORT = SHOREGUARD_EXPORT.replace("  exported_at: '2026-04-20T12:00:00.123456+00:00'\n", '');

/** The policy block of SHOREGUARD_EXPORT as the JSON dict ShoreGuard holds. */
export function exportPolicy(): Record<string, unknown> {
  return {
    filesystem: { include_workdir: true, read_only: ['/usr', '/etc'], read_write: [] },
    landlock: { compatibility: 'best_effort' },
    network_policies: {
      anthropic: { binaries: [], endpoints: [], name: 'anthropic' },
      github: {
        binaries: [{ path: '/usr/bin/git' }],
        endpoints: [
          { host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { command: '', method: 'GET', path: '/repos/**' } }] },
        ],
        name: 'github',
      },
    },
    process: { run_as_group: 'sandbox', run_as_user: 'sandbox' },
    version: 1,
  };
}

/** A complete, warning-free hand-written document (for validation tests to mutate). */
export const CLEAN_DOCUMENT = `# managed-by: shoreguard-gitops
metadata:
  gateway: prod-gw
  policy_hash: a1b2c3
  sandbox: agent-1
  version: 7
policy:
  filesystem:
    include_workdir: true
    read_only:
    - /usr
    read_write:
    - /tmp
  network_policies:
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

/** A large policy: `count` network rules with 3 endpoints of 4 L7 rules each (~1.5 kB per rule). */
export function largePolicyYaml(count: number): string {
  const lines = ['metadata:', '  gateway: g', '  policy_hash: abc', '  sandbox: s', '  version: 3', 'policy:', '  network_policies:'];
  for (let i = 0; i < count; i++) {
    lines.push(`    rule${i}:`, `      name: rule${i}`, '      binaries:', `      - path: /usr/bin/tool${i}`, '      endpoints:');
    for (let e = 0; e < 3; e++) {
      lines.push(`      - host: api${e}.example${i}.com`, '        port: 443', '        protocol: rest', '        rules:');
      for (let r = 0; r < 4; r++) {
        lines.push('        - allow:', `            path: /v${r}/**`, '            method: GET', "            command: ''");
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
