import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleResults, loadResult, storeResult, type StoredResult } from '../../../bench/lib/bench';
import { lastJsonObject } from '../../../bench/engines';
import { sameCounts } from '../../../bench/lib/gitops-cli';
import { demoteHeadings } from '../../../bench/scripts';

function result(overrides: Partial<StoredResult> & Pick<StoredResult, 'name'>): StoredResult {
  return {
    title: `${overrides.name} title`,
    generatedAt: '2026-01-01T00:00:00.000Z',
    environment: 'Node 24, test machine',
    markdown: `figures of ${overrides.name}`,
    checks: [],
    failures: [],
    ...overrides,
  };
}

describe('RESULTS.md assembly', () => {
  const order = [
    { name: 'fleet', title: 'Fleet' },
    { name: 'peer', title: 'Peer' },
    { name: 'yaml', title: 'YAML' },
  ];

  test('GIVEN a met and a missed target WHEN assembled THEN the missed one is listed first with its note and the count says 1 of 2', () => {
    const stored = new Map([
      ['fleet', result({ name: 'fleet', checks: [{ target: 'plan ≤ 2× floor', measured: '1.5×', met: true }] })],
      ['peer', result({ name: 'peer', checks: [{ target: '≥ 30× the Python loop', measured: '17×', met: false, note: 'bound by the server' }] })],
    ]);
    const markdown = assembleResults(order, stored);
    expect(markdown).toContain('1 of 2 met.');
    const missed = markdown.indexOf('≥ 30× the Python loop');
    const met = markdown.indexOf('plan ≤ 2× floor');
    expect(missed).toBeGreaterThan(0);
    expect(missed).toBeLessThan(met);
    expect(markdown).toContain('| peer title | ≥ 30× the Python loop | 17× | ❌ | bound by the server |');
  });

  test('GIVEN a bench without a stored result WHEN assembled THEN it is named as not run and has no section', () => {
    const markdown = assembleResults(order, new Map([['fleet', result({ name: 'fleet' })]]));
    expect(markdown).toContain('Not run yet: `peer` (Peer), `yaml` (YAML).');
    expect(markdown).toContain('## fleet title');
    expect(markdown).not.toContain('## peer title');
  });

  test('GIVEN a bench that threw and one with a hard failure WHEN assembled THEN both count as missed targets', () => {
    const stored = new Map([
      ['fleet', result({ name: 'fleet', error: 'emulator exited early\nstack…', markdown: '' })],
      ['peer', result({ name: 'peer', failures: ['plan loaded node_modules/@grpc/grpc-js'] })],
    ]);
    const markdown = assembleResults(order, stored);
    expect(markdown).toContain('0 of 2 met.');
    expect(markdown).toContain('failed: emulator exited early |');
    expect(markdown).toContain('plan loaded node_modules/@grpc/grpc-js');
    expect(markdown).toContain('**The bench failed:** emulator exited early');
  });

  test('GIVEN another script’s markdown WHEN assembled THEN it is appended under its own title', () => {
    const markdown = assembleResults(order, new Map(), [{ name: 'SDK client overhead', markdown: 'table' }]);
    expect(markdown).toMatch(/## SDK client overhead\n\n_Not run by this runner[^\n]*\n\ntable/);
  });
});

describe('stored results', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-results-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('GIVEN a stored result WHEN loaded THEN it round-trips', () => {
    const stored = result({ name: 'yaml', checks: [{ target: 't', measured: 'm', met: true }] });
    storeResult(dir, stored);
    expect(loadResult(dir, 'yaml')).toEqual(stored);
  });

  test('GIVEN no file or a file of another shape WHEN loaded THEN the result is undefined', () => {
    expect(loadResult(dir, 'fleet')).toBeUndefined();
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify({ name: 'fleet' }));
    expect(loadResult(dir, 'fleet')).toBeUndefined();
  });
});

describe('markdown and output helpers', () => {
  test('GIVEN a script’s markdown WHEN demoted THEN the title line goes and headings outside code fences go one level down', () => {
    const markdown = '# SDK overhead\n\ntext\n\n## Detail\n\n```\n# not a heading\n```\n';
    expect(demoteHeadings(markdown)).toBe('text\n\n### Detail\n\n```\n# not a heading\n```');
  });

  test('GIVEN log lines before a pretty-printed JSON object WHEN the last object is read THEN the logs are skipped', () => {
    expect(lastJsonObject('progress {not json}\n{\n  "resources": 5,\n  "nested": {\n    "a": 1\n  }\n}\n')).toEqual({ resources: 5, nested: { a: 1 } });
  });

  test('GIVEN output without any JSON object WHEN read THEN it throws', () => {
    expect(() => lastJsonObject('only logs\n')).toThrow('the bench printed no JSON object');
  });

  test('GIVEN status counts WHEN compared THEN missing statuses count as 0 and any difference fails', () => {
    expect(sameCounts({ in_sync: 9, drift: 1 }, { drift: 1, in_sync: 9 })).toBe(true);
    expect(sameCounts({ in_sync: 10 }, { in_sync: 10, drift: 0 })).toBe(true);
    expect(sameCounts({ in_sync: 9, error: 1 }, { in_sync: 10 })).toBe(false);
  });
});
