/**
 * The GitOps bridge over a tree of N targets, against the in-process emulator: wall time and
 * requests per target for `export --all`, `plan` (in sync, then all drifted) and `sync` (apply).
 * The request counts are the bridge's documented budget
 * (bridge/README.md); the times are figures, not assertions. Prints a markdown table and writes
 * bench/results/gitops.md.
 *
 *   npm run build && node dist/bench/gitops.js [--targets 100] [--concurrency 8]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { exportTree, syncTree, type RunReport } from '../bridge';
import { startEmulator, type Emulator } from '../emulator';
import { createClient, type ShoreGuardClient } from '../sdk';
import { environmentLine, formatNumber, markdownTable, writeResult } from './lib/report';

const POLICY = {
  version: 1,
  filesystem: { include_workdir: true, read_only: ['/usr', '/etc'], read_write: ['/tmp'] },
  landlock: { compatibility: 'best_effort' },
  process: { run_as_user: 'sandbox', run_as_group: 'sandbox' },
  network_policies: {
    github: { name: 'github', endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest' }], binaries: [{ path: '/usr/bin/git' }] },
  },
};

interface Row {
  readonly step: string;
  readonly result: string;
  readonly ms: number;
  readonly requests: number;
}

async function measure(emulator: Emulator, step: string, run: () => Promise<RunReport>): Promise<Row> {
  emulator.resetStats();
  const started = performance.now();
  const report = await run();
  const ms = performance.now() - started;
  const counts = Object.entries(report.counts).map(([status, count]) => `${count} ${status}`).join(', ');
  return { step, result: `${counts} (exit ${report.exitCode})`, ms, requests: emulator.stats().requests };
}

async function editAll(dir: string, targets: number): Promise<void> {
  for (let i = 0; i < targets; i++) {
    const file = join(dir, 'bench', `sb-${i}.yaml`);
    await writeFile(file, (await readFile(file, 'utf8')).replace('  - /etc\n', '  - /etc\n    - /opt\n'));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { targets: { type: 'string', default: '100' }, concurrency: { type: 'string', default: '8' } } });
  const targets = Number(values.targets);
  const concurrency = Number(values.concurrency);
  const emulator = await startEmulator({ port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'bench-gitops-'));
  let client: ShoreGuardClient | undefined;
  try {
    emulator.state.registerGateway({ name: 'bench' });
    for (let i = 0; i < targets; i++) emulator.state.seedSandbox('bench', `sb-${i}`, POLICY);
    client = createClient({ url: emulator.url, token: emulator.keys.operator });
    const operator = client;
    const rows: Row[] = [];
    rows.push(await measure(emulator, 'export --all', () => exportTree(operator, { dir, gateway: 'bench', concurrency })));
    rows.push(await measure(emulator, 'plan, all in sync', () => syncTree(operator, { root: dir, dryRun: true, concurrency })));
    await editAll(dir, targets);
    rows.push(await measure(emulator, 'plan, all drifted', () => syncTree(operator, { root: dir, dryRun: true, concurrency })));
    rows.push(await measure(emulator, 'sync (apply), all drifted', () => syncTree(operator, { root: dir, dryRun: false, concurrency })));

    const table = markdownTable(
      ['step', 'outcome', 'wall ms', 'ms/target', 'requests', 'requests/target'],
      rows.map((row) => [row.step, row.result, formatNumber(row.ms, 0), formatNumber(row.ms / targets, 2), row.requests, formatNumber(row.requests / targets, 2)]),
      ['left', 'left', 'right', 'right', 'right', 'right'],
    );
    const markdown = [
      '# GitOps bridge over a policy tree',
      '',
      `${targets} targets, concurrency ${concurrency}, one keep-alive pool; emulator in-process (its time is included). ${environmentLine()}. ${new Date().toISOString()}.`,
      '',
      table,
      '',
      'Requests per target are the budget in bridge/README.md: plan 1 (+1 for the vote pool when drifted), apply 1, export 1 (+ listing).',
    ].join('\n');
    process.stdout.write(`${markdown}\n`);
    process.stdout.write(`wrote ${writeResult('gitops', markdown)}\n`);
  } finally {
    await client?.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
