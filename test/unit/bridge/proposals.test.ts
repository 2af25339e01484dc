/** The offline parts of `proposals` and `pull`: rules by enforcement layer, a chunk as a document change, provenance. */
import { draftChunkSchema, type ChunkProvenance, type DraftChunk } from '../../../sdk/models/approvals';
import { canonicalize, canonicalizeText, parsePolicyDocument } from '../../../bridge/document/canonical';
import { mergeChunk } from '../../../bridge/proposals/merge';
import { joinProvenance } from '../../../bridge/proposals/provenance';
import { renderEndpoint, renderRule } from '../../../bridge/proposals/render';

function chunk(id: string, ruleName: string, endpoints: unknown[], binaries = ['/usr/bin/gh'], extra: Record<string, unknown> = {}): DraftChunk {
  return draftChunkSchema.parse({ id, status: 'pending', rule_name: ruleName, confidence: 0.75, proposed_rule: { name: ruleName, endpoints, binaries: binaries.map((path) => ({ path })) }, ...extra });
}

const FILE = `# managed-by: shoreguard-gitops
metadata:
  gateway: prod
  policy_hash: abc123
  sandbox: agent-1
  version: 4
policy:
  filesystem:
    read_only:
    - /usr
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
  version: 1
`;

describe('renderEndpoint', () => {
  it.each([
    [{ host: 'paste.example.net', port: 443 }, 'paste.example.net:443 [L4]'],
    [{ host: 'registry.npmjs.org', port: 443, protocol: 'rest', access: 'read-only' }, 'registry.npmjs.org:443 [L7 rest, access=read-only]'],
    [{ host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'PUT', path: '/repos/acme/docs/**' } }] }, 'api.github.com:443 [L7 rest, allow PUT /repos/acme/docs/**]'],
    [
      { host: 'db.internal', port: 5432, protocol: 'sql', rules: [{ allow: { command: 'SELECT' } }], enforcement: 'audit' },
      'db.internal:5432 [L7 sql, allow SELECT, enforcement=audit]',
    ],
    [{ host: 'api.example.com', port: 443, ports: [443, 8443], path: '/v1/**', allowed_ips: ['10.0.0.0/8'] }, 'api.example.com:443,8443 [L4, path=/v1/**, allowed_ips=10.0.0.0/8]'],
  ])('GIVEN endpoint %j WHEN rendered THEN it reads %s', (endpoint, expected) => {
    const [rendered] = renderRule(chunk('c', 'r', [endpoint]).rule);
    expect(rendered).toBe(expected);
  });

  it('GIVEN a chunk without a rule WHEN rendered THEN it says so instead of printing nothing', () => {
    expect(renderRule(null)).toEqual(['(no rule in the chunk)']);
    expect(renderEndpoint(chunk('c', 'r', [{ host: 'h', port: 1 }]).rule?.endpoints[0] ?? ({} as never))).toBe('h:1 [L4]');
  });
});

describe('mergeChunk', () => {
  const document = parsePolicyDocument(FILE).document;

  it('GIVEN a proposal for a new host WHEN merged THEN a rule is added under the chunk name, canonical, lock and other sections untouched', () => {
    const { document: merged, result } = mergeChunk(document, chunk('c1', 'pypi', [{ host: 'pypi.org', port: 443, protocol: 'rest', access: 'read-only' }], ['/usr/bin/pip']));
    expect(result).toEqual({ change: 'added', ruleKey: 'pypi' });
    const text = canonicalize(merged);
    expect(canonicalizeText(text)).toBe(text);
    expect(text.split('policy:\n')[0]).toBe(FILE.split('policy:\n')[0]);
    expect(merged.policy.network_policies?.['pypi']).toEqual({ name: 'pypi', endpoints: [{ host: 'pypi.org', port: 443, protocol: 'rest', access: 'read-only' }], binaries: [{ path: '/usr/bin/pip' }] });
    expect(merged.policy.network_policies?.['github']).toEqual(document.policy.network_policies?.['github']);
    expect(document.policy.network_policies?.['pypi']).toBeUndefined();
  });

  it('GIVEN a proposal on an endpoint an existing rule has WHEN merged THEN that rule is extended (the gateway folds it in), with the rule and the binary added once', () => {
    const proposal = chunk('c2', 'allow_api_github_com_443', [{ host: 'API.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'PUT', path: '/repos/acme/docs/**' } }] }]);
    const { document: merged, result } = mergeChunk(document, proposal);
    expect(result).toEqual({ change: 'extended', ruleKey: 'github' });
    const github = merged.policy.network_policies?.['github'];
    expect(github?.endpoints?.[0]?.rules?.map((r) => r.allow?.method)).toEqual(['GET', 'PUT']);
    expect(github?.binaries).toEqual([{ path: '/usr/bin/git' }, { path: '/usr/bin/gh' }]);
    expect(Object.keys(merged.policy.network_policies ?? {})).toEqual(['github']);
    // Merging the same chunk again changes nothing: the file already allows it.
    expect(mergeChunk(merged, proposal).result).toEqual({ change: 'in_file', ruleKey: 'github' });
  });

  it('GIVEN a chunk without endpoints WHEN merged THEN it refuses instead of writing an empty rule', () => {
    expect(() => mergeChunk(document, chunk('c3', 'nothing', []))).toThrow(TypeError);
  });
});

describe('joinProvenance', () => {
  const file = parsePolicyDocument(FILE).document.policy;
  const approved = (id: string, endpoints: unknown[], who: string | null): ChunkProvenance => {
    const c = chunk(id, 'pypi', endpoints, ['/usr/bin/pip']);
    return { chunkId: id, ruleName: c.ruleName, rule: c.rule, origin: 'agent', rationale: 'install deps', binary: '/usr/bin/pip', approvedAt: '2026-12-04T20:00:00.000Z', approvedBy: who, voters: who === null ? [] : [who], bulk: false, liveRuleKey: 'pypi' };
  };

  it('GIVEN a live policy with a rule from an approved chunk WHEN joined THEN the rule names the chunk, who approved it and when; other changes have no chunk', () => {
    const live = {
      ...file,
      network_policies: {
        ...file.network_policies,
        pypi: { name: 'pypi', endpoints: [{ host: 'pypi.org', port: 443, ports: [443] }], binaries: [{ path: '/usr/bin/pip' }] },
        manual: { name: 'manual', endpoints: [{ host: 'example.org', port: 80 }], binaries: [] },
      },
    };
    const joined = joinProvenance(file, live, [approved('p1', [{ host: 'pypi.org', port: 443 }], 'sp:ops'), approved('old', [{ host: 'other.org', port: 443 }], 'sp:ops')]);
    expect(joined).toEqual([
      { rule: 'manual', change: 'added', chunks: [] },
      { rule: 'pypi', change: 'added', chunks: [expect.objectContaining({ chunkId: 'p1', approvedBy: 'sp:ops', approvedAt: '2026-12-04T20:00:00.000Z', origin: 'agent', endpoints: ['pypi.org:443 [L4]'] })] },
    ]);
  });

  it('GIVEN a rule removed live WHEN joined THEN it is listed as removed', () => {
    expect(joinProvenance(file, { ...file, network_policies: {} }, [])).toEqual([{ rule: 'github', change: 'removed', chunks: [] }]);
  });
});
