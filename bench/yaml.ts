/**
 * Canonical YAML at size (issue #7): parse + canonical write of a ~5 MB policy of thousands of
 * network rules — time and peak memory. Each mode runs in a fresh Node process (this file with
 * `--worker`), so its peak RSS is its own: the baseline is taken after the text is read and the
 * code is loaded, the peak after the first parse + write. For scale, the same text through the
 * `yaml` library's own parse + stringify.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Bench, BenchContext, BenchOutcome } from './lib/bench';
import { formatRatio } from './lib/figures';
import { median } from './lib/measure';
import { largePolicyDocument } from './lib/policies';
import { expectExit, runProcess } from './lib/process';
import { formatNumber, markdownTable } from './lib/report';

const MODES = {
  canonical: 'bridge `parsePolicyDocument` + `canonicalize`',
  validate: 'bridge `validatePolicyText` + `canonicalize` (what plan/apply do per file)',
  'yaml-lib': '`yaml` library `parse` + `stringify` (reference)',
} as const;
type Mode = keyof typeof MODES;

const WorkerResultSchema = z.object({
  mode: z.enum(Object.keys(MODES) as [Mode, ...Mode[]]),
  inputBytes: z.number(),
  outputBytes: z.number(),
  parseMs: z.array(z.number()),
  writeMs: z.array(z.number()),
  baselineRssKb: z.number(),
  peakRssKb: z.number(),
  retainedHeapBytes: z.number(),
  /** Canonical modes: writing the canonical text's own parse gives the same bytes. */
  idempotent: z.boolean().nullable(),
});
type WorkerResult = z.infer<typeof WorkerResultSchema>;

export const yamlBench: Bench = {
  name: 'yaml',
  title: 'Canonical YAML: parse + canonical write of a large policy',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const { yamlBytes, yamlIterations } = context.options;
    const scratch = mkdtempSync(join(tmpdir(), 'sg-bench-yaml-'));
    try {
      const { text, rules } = largePolicyDocument(yamlBytes);
      const file = join(scratch, 'large-policy.yaml');
      writeFileSync(file, text);
      const results: WorkerResult[] = [];
      for (const mode of Object.keys(MODES) as Mode[]) {
        context.log(`yaml: ${mode}, ${yamlIterations} iteration(s) on ${formatNumber(Buffer.byteLength(text) / 1024 / 1024, 1)} MiB`);
        const run = expectExit(`yaml worker ${mode}`, await runProcess(process.execPath, ['--expose-gc', __filename, '--worker', file, mode, String(yamlIterations)], { rusage: false }), [0]);
        results.push(WorkerResultSchema.parse(JSON.parse(run.stdout)));
      }
      const failures = results.filter((r) => r.idempotent === false).map((r) => `${MODES[r.mode]}: canonicalizing the canonical output changed it (not a fixed point)`);
      return { markdown: render(results, rules, yamlIterations), checks: [], failures };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

function render(results: readonly WorkerResult[], rules: number, iterations: number): string {
  const reference = results.find((r) => r.mode === 'yaml-lib');
  const input = results[0]?.inputBytes ?? 0;
  const rows = results.map((r) => {
    const total = median(r.parseMs.map((parse, i) => parse + (r.writeMs[i] ?? 0)));
    const referenceTotal = reference === undefined ? Number.NaN : median(reference.parseMs.map((parse, i) => parse + (reference.writeMs[i] ?? 0)));
    return [
      MODES[r.mode],
      formatNumber(median(r.parseMs)),
      formatNumber(median(r.writeMs)),
      formatNumber(total),
      formatNumber(input / 1024 / 1024 / (total / 1000), 1),
      formatNumber((r.peakRssKb - r.baselineRssKb) / 1024, 1),
      formatNumber(r.peakRssKb / 1024, 1),
      formatNumber(r.retainedHeapBytes / 1024 / 1024, 1),
      formatNumber(r.outputBytes / 1024 / 1024, 2),
      r.mode === 'yaml-lib' ? '1×' : formatRatio(total, referenceTotal),
    ];
  });
  return [
    `Input: ${formatNumber(input / 1024 / 1024, 2)} MiB of YAML, ${formatNumber(rules)} network rules of two endpoints each, written by the \`yaml\` library in reverse key order ` +
      `(so the canonical writer must sort every mapping). Each mode in a fresh \`node --expose-gc\` process; medians of ${iterations} iteration(s) (each column on its own), garbage collected between them.`,
    '',
    markdownTable(
      ['what', 'parse ms', 'write ms', 'parse + write ms', 'MiB/s', 'peak RSS added MiB', 'peak RSS MiB', 'heap held by the parse MiB', 'output MiB', 'time ÷ `yaml` lib time'],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    '- **peak RSS added**: the process\'s peak resident set after the first parse + write, minus the one right before it (text read, code loaded): the memory the operation needs at its peak.',
    '- **heap held by the parse**: V8 heap still used after a forced GC while the parsed document is alive (the document model plus the source index for error positions).',
    '- The canonical output is checked to be a fixed point: canonicalizing it again gives the same bytes.',
  ].join('\n');
}

// ─── worker (a fresh process per mode) ──────────────────────────────────────

interface Operation {
  parse(text: string): unknown;
  write(parsed: unknown): string;
  idempotent?(output: string): boolean;
}

function operation(mode: Mode): Operation {
  // Loaded here so the parent process never loads the bridge or the yaml library's document model.
  if (mode === 'yaml-lib') {
    const yaml = require('yaml') as typeof import('yaml');
    return { parse: (text) => yaml.parse(text, { maxAliasCount: -1 }), write: (parsed) => yaml.stringify(parsed) };
  }
  const canonical = require('../bridge/document/canonical') as typeof import('../bridge/document/canonical');
  const idempotent = (output: string) => canonical.canonicalizeText(output) === output;
  if (mode === 'canonical') {
    return {
      parse: (text) => canonical.parsePolicyDocument(text, { file: 'large-policy.yaml' }),
      write: (parsed) => canonical.canonicalize((parsed as ReturnType<typeof canonical.parsePolicyDocument>).document),
      idempotent,
    };
  }
  const { validatePolicyText } = require('../bridge/document/validate') as typeof import('../bridge/document/validate');
  return {
    parse: (text) => {
      const result = validatePolicyText(text, { file: 'large-policy.yaml' });
      if (result.parsed === undefined) throw new Error(`the large policy does not validate: ${JSON.stringify(result.problems.slice(0, 3))}`);
      return result.parsed;
    },
    write: (parsed) => canonical.canonicalize((parsed as ReturnType<typeof canonical.parsePolicyDocument>).document),
    idempotent,
  };
}

function runWorker(file: string, mode: Mode, iterations: number): WorkerResult {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const text = readFileSync(file, 'utf8');
  const op = operation(mode);
  op.write(op.parse('metadata: {}\npolicy: {}\n')); // load every lazily required module before the baseline
  gc();
  const baselineRssKb = process.resourceUsage().maxRSS;
  const heapBefore = process.memoryUsage().heapUsed;
  const parseMs: number[] = [];
  const writeMs: number[] = [];
  let peakRssKb = 0;
  let retainedHeapBytes = 0;
  let output = '';
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    const parsed = op.parse(text);
    const parsedAt = performance.now();
    output = op.write(parsed);
    writeMs.push(performance.now() - parsedAt);
    parseMs.push(parsedAt - started);
    if (i === 0) {
      peakRssKb = process.resourceUsage().maxRSS;
      gc();
      retainedHeapBytes = process.memoryUsage().heapUsed - heapBefore;
    }
    // Keep `parsed` alive until the heap was measured.
    if (parsed === undefined) throw new Error('parse returned nothing');
    gc();
  }
  return {
    mode,
    inputBytes: Buffer.byteLength(text),
    outputBytes: Buffer.byteLength(output),
    parseMs,
    writeMs,
    baselineRssKb,
    peakRssKb,
    retainedHeapBytes,
    idempotent: op.idempotent === undefined ? null : op.idempotent(output),
  };
}

if (require.main === module && process.argv[2] === '--worker') {
  const [file, mode, iterations] = process.argv.slice(3);
  const parsedMode = z.enum(Object.keys(MODES) as [Mode, ...Mode[]]).parse(mode);
  process.stdout.write(`${JSON.stringify(runWorker(file ?? '', parsedMode, Number(iterations ?? 1)))}\n`);
}
