import { diffPolicy } from '../../../bridge/document/diff';
import { targetDiff } from '../../../bridge/targets/remote';
import { formatAnnotation, renderGithubAnnotations } from '../../../bridge/report/render-github';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from '../../../bridge/report/render-markdown';
import { renderText } from '../../../bridge/report/render-text';
import { buildRunReport, targetReport, type TargetReport } from '../../../bridge/report/report';

function drift(sandbox: string, paths: number): TargetReport {
  const read_only = Array.from({ length: paths }, (_, i) => `/data/${sandbox}/${'x'.repeat(40)}/${i}`);
  const raw = diffPolicy({}, { filesystem: { read_only } });
  return targetReport({ gateway: 'gw', sandbox, file: `policies/gw/${sandbox}.yaml`, status: 'drift', summary: `${paths} changes`, diff: targetDiff(raw) });
}

describe('markdown report (PR comment)', () => {
  it('GIVEN 3000 targets with large diffs WHEN rendered THEN it stays under the GitHub limit and says what was left out', () => {
    const report = buildRunReport({ command: 'plan', dryRun: true, targets: Array.from({ length: 3000 }, (_, i) => drift(`sb-${i}`, 50)) });
    const markdown = renderMarkdown(report);
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain('<!-- shoreguard-gitops:plan -->');
    expect(markdown).toMatch(/\d+ more target\(s\); see the JSON report/);
    expect(markdown.trimEnd().endsWith('report format 1.1</sub>')).toBe(true);
  });

  it('GIVEN a few targets WHEN rendered THEN a table row each and a collapsed section with the diff for the changed one', () => {
    const clean = targetReport({ gateway: 'gw', sandbox: 'ok', file: 'policies/gw/ok.yaml', status: 'in_sync', summary: 'in sync' });
    const markdown = renderMarkdown(buildRunReport({ command: 'plan', dryRun: true, targets: [drift('sb', 2), clean] }));
    expect(markdown).toContain('| 🟡 | `gw/sb` | drift | 2 changes |');
    expect(markdown).toContain('| 🟢 | `gw/ok` | in_sync | in sync |');
    expect(markdown).toContain('<details><summary>🟡 <code>gw/sb</code>: drift</summary>');
    expect(markdown).toContain('```diff\n+ filesystem.read_only: /data/sb/');
    expect(markdown).not.toContain('<code>gw/ok</code>');
  });

  it('GIVEN user text with pipes, HTML and a code span WHEN rendered THEN the table survives and the code span is kept', () => {
    const target = targetReport({
      gateway: 'gw',
      sandbox: 'sb',
      file: null,
      status: 'pinned',
      summary: 'pinned (reason: "a | b <script>")',
      next: 'run `shoreguard-gitops plan -f my_file.yaml` after *unpinning*',
    });
    const markdown = renderMarkdown(buildRunReport({ command: 'plan', targets: [target] }));
    expect(markdown).toContain('| pinned (reason: "a \\| b &lt;script&gt;") |');
    expect(markdown).toContain('**Next:** run `shoreguard-gitops plan -f my_file.yaml` after \\*unpinning\\*');
    expect(markdown).not.toContain('<script>');
  });

  it('GIVEN a diff value containing backticks WHEN rendered THEN the code fence is longer than any backtick run', () => {
    const raw = diffPolicy({}, { filesystem: { read_only: ['/tmp/```evil'] } });
    const target = targetReport({ gateway: 'gw', sandbox: 'sb', file: null, status: 'drift', summary: 'x', diff: targetDiff(raw) });
    expect(renderMarkdown(buildRunReport({ command: 'plan', targets: [target] }))).toContain('````diff\n+ filesystem.read_only: /tmp/```evil\n````');
  });
});

describe('GitHub annotations', () => {
  it('GIVEN message and properties with separators WHEN formatted THEN escaped like @actions/core', () => {
    expect(formatAnnotation({ level: 'error', message: '100% broken\nline two', file: 'a,b:c.yaml', line: 3, title: 'x: y' })).toBe(
      '::error file=a%2Cb%3Ac.yaml,line=3,title=x%3A y::100%25 broken%0Aline two',
    );
  });

  it('GIVEN 25 failing targets WHEN annotated THEN 10 error lines, the last saying how many were left out', () => {
    const targets = Array.from({ length: 25 }, (_, i) =>
      targetReport({ gateway: 'gw', sandbox: `sb${i}`, file: `p/sb${i}.yaml`, status: 'conflict', summary: 'version conflict' }),
    );
    const lines = renderGithubAnnotations(buildRunReport({ command: 'apply', targets }));
    expect(lines).toHaveLength(10);
    expect(lines[9]).toBe('::error::16 more error annotation(s) not shown (GitHub displays 10 per step); see the step summary');
  });

  it('GIVEN a validation problem WHEN annotated THEN it points at the line and column', () => {
    const target = targetReport({
      gateway: 'gw',
      sandbox: 'sb',
      file: 'p/sb.yaml',
      status: 'invalid',
      summary: 'x',
      problems: [{ file: 'p/sb.yaml', line: 4, column: 7, path: 'policy.process.run_as_user', code: 'invalid_type', message: 'expected a string', severity: 'error' }],
    });
    expect(renderGithubAnnotations(buildRunReport({ command: 'validate', targets: [target] }))).toEqual([
      '::error file=p/sb.yaml,line=4,col=7,title=shoreguard-gitops validate%3A gw/sb::invalid_type: expected a string (at policy.process.run_as_user)',
    ]);
  });
});

describe('text report', () => {
  it('GIVEN a drift WHEN rendered without colour THEN headline, diff lines and a footer with the exit code', () => {
    const text = renderText(buildRunReport({ command: 'plan', dryRun: true, targets: [drift('sb', 1)] }));
    expect(text).toBe(
      'gw/sb (policies/gw/sb.yaml): drift — 1 changes\n' +
        `    + filesystem.read_only: /data/sb/${'x'.repeat(40)}/0\n` +
        'plan: 1 target — 1 drift → changes (exit 1)\n',
    );
  });
});
