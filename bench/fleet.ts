/**
 * Fleet plan/apply (issue #7): `shoreguard-gitops plan --dir` and `sync --dir` over 10, 100 and
 * 500 sandboxes against the emulator (a child process) with 0 ms and 25 ms of latency injected
 * into every request, each command a fresh CLI process as in CI. The floor is
 * ⌈targets / concurrency⌉ × latency: what the run would take if the CLI cost nothing and each
 * target needed one request.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_CONCURRENCY } from '../bridge/core/concurrency';
import { EmulatorControl } from './lib/emulator-control';
import type { Bench, BenchContext, BenchOutcome, TargetCheck } from './lib/bench';
import { startEmulatorProcess } from './lib/emulator-process';
import { fleetFloorMs, formatRatio } from './lib/figures';
import { exportFleetTrees, fleetTargets, reseedFleet, seedFleet, type FleetTrees } from './lib/fleet';
import { type ExpectedOutcome, IAC_CLI, runGitopsJson, type Server } from './lib/gitops-cli';
import { median } from './lib/measure';
import { formatNumber, markdownTable } from './lib/report';

interface Scenario {
  readonly label: string;
  readonly isPlan: boolean;
  args(trees: FleetTrees): string[];
  expected(targets: number): ExpectedOutcome;
  /** Changes live policies: the fleet is re-seeded after each run. */
  readonly mutates: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  {
    label: '`plan --dir`, all in sync',
    isPlan: true,
    args: (trees) => ['plan', '--dir', trees.inSync],
    expected: (n) => ({ exitCodes: [0], counts: { in_sync: n } }),
    mutates: false,
  },
  {
    label: '`plan --dir`, every file drifted',
    isPlan: true,
    args: (trees) => ['plan', '--dir', trees.drifted],
    expected: (n) => ({ exitCodes: [1], counts: { drift: n } }),
    mutates: false,
  },
  {
    label: '`plan --dir --no-votes`, every file drifted',
    isPlan: true,
    args: (trees) => ['plan', '--dir', trees.drifted, '--no-votes'],
    expected: (n) => ({ exitCodes: [1], counts: { drift: n } }),
    mutates: false,
  },
  {
    label: '`sync --dir` (apply), every file drifted',
    isPlan: false,
    args: (trees) => ['sync', '--dir', trees.drifted],
    expected: (n) => ({ exitCodes: [0], counts: { applied: n } }),
    mutates: true,
  },
  {
    label: '`sync --dir --receipt-dir --signing-key` (apply, Ed25519-signed receipts), every file drifted',
    isPlan: false,
    args: (trees) => ['sync', '--dir', trees.drifted, ...receiptArgs(trees)],
    expected: (n) => ({ exitCodes: [0], counts: { applied: n } }),
    mutates: true,
  },
];

let receiptRuns = 0;

/** A fresh receipt directory per run and one Ed25519 key per fleet, both inside the fleet's temporary root. */
function receiptArgs(trees: FleetTrees): string[] {
  const root = dirname(trees.drifted);
  const key = join(root, 'receipt-key.pem');
  if (!existsSync(key)) writeFileSync(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return ['--receipt-dir', join(root, 'receipts', String(++receiptRuns)), '--signing-key', key];
}

interface Row {
  readonly targets: number;
  readonly latencyMs: number;
  readonly concurrency: number;
  readonly scenario: Scenario;
  readonly wallMs: number;
  readonly minWallMs: number;
  readonly cpuMs: number;
  readonly floorMs: number;
  readonly requestsPerTarget: number;
}

export const fleetBench: Bench = {
  name: 'fleet',
  title: 'Fleet plan and apply against the emulator',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const { fleetSizes, latenciesMs, concurrencies, rounds } = context.options;
    const emulator = await startEmulatorProcess(IAC_CLI);
    const control = new EmulatorControl(emulator.url, emulator.keys.admin);
    const server: Server = { url: emulator.url, token: emulator.keys.operator };
    const rows: Row[] = [];
    try {
      for (const size of fleetSizes) {
        await control.reset();
        await control.setLatency(0);
        const targets = fleetTargets(size);
        await seedFleet(control, targets);
        const trees = await exportFleetTrees(server, size);
        try {
          for (const latencyMs of latenciesMs) {
            await control.setLatency(latencyMs);
            for (const concurrency of concurrencies) {
              for (const scenario of SCENARIOS) {
                context.log(`fleet: ${size} targets, ${latencyMs} ms, concurrency ${concurrency}: ${scenario.label}`);
                const walls: number[] = [];
                const cpus: number[] = [];
                let requests = 0;
                for (let round = 0; round < rounds; round++) {
                  await control.resetStats();
                  const { run } = await runGitopsJson([...scenario.args(trees), '--concurrency', String(concurrency)], server, scenario.expected(size));
                  walls.push(run.wallMs);
                  if (run.cpuMs !== undefined) cpus.push(run.cpuMs);
                  requests = (await control.stats()).requests;
                  if (scenario.mutates) await reseedFleet(control, targets);
                }
                rows.push({
                  targets: size,
                  latencyMs,
                  concurrency,
                  scenario,
                  wallMs: median(walls),
                  minWallMs: Math.min(...walls),
                  cpuMs: median(cpus),
                  floorMs: fleetFloorMs(size, concurrency, latencyMs),
                  requestsPerTarget: requests / size,
                });
              }
            }
          }
        } finally {
          trees.remove();
        }
      }
    } finally {
      await emulator.close();
    }
    return { markdown: render(context, rows), checks: checks(rows) };
  },
};

function render(context: BenchContext, rows: readonly Row[]): string {
  const table = markdownTable(
    ['targets', 'latency', 'concurrency', 'command', 'wall ms (median)', 'floor ms', 'wall / floor', 'ms per target', 'requests per target', 'CLI CPU ms'],
    rows.map((row) => [
      row.targets,
      `${row.latencyMs} ms`,
      row.concurrency,
      row.scenario.label,
      formatNumber(row.wallMs),
      formatNumber(row.floorMs),
      formatRatio(row.wallMs, row.floorMs),
      formatNumber(row.wallMs / row.targets, 2),
      formatNumber(row.requestsPerTarget, 2),
      formatNumber(row.cpuMs),
    ]),
    ['right', 'right', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  return [
    `Each command is a fresh \`shoreguard-gitops\` process (\`--output json\`, checked: every target must end in the expected status) against the emulator in another process; ` +
      `latency is injected by the emulator into every request. ${context.options.rounds} round(s) per row, median wall time. ` +
      `Sandboxes are spread over gateways of 100; every file was exported by \`export --all\` first, the drifted copy adds one read-only path per file. ` +
      'The sync rows re-seed the fleet between rounds.',
    '',
    table,
    '',
    '- **floor** = ⌈targets / concurrency⌉ × latency, issue #7\'s lower bound for one request per target; the wall time includes starting Node, reading and validating every file, and the report.',
    '- The receipt row writes one signed in-toto receipt per target (git lookups, the signature, one file each) and reads each applied policy back for the receipt\'s `live.after` (+1 request per target).',
    '- **requests per target** is counted by the emulator. A drifted plan reads the vote pool of each drifted document too, to show the votes an apply needs (see the request-count section); `--no-votes` keeps it at one request per target.',
    '- **CLI CPU ms** is user + system time of the CLI process (GNU time): the part of the wall time the client itself spends. ' +
      'It does not shrink with concurrency, so at high concurrency (small floor) it dominates and the ratio to the floor grows.',
    `- The target check uses the CLI's default concurrency (${DEFAULT_CONCURRENCY}); other concurrencies are shown for comparison.`,
  ].join('\n');
}

/**
 * Issue #7: a plan over 500 sandboxes at 25 ms within 2× the floor — at the largest size and
 * latency of this run, with the CLI's default concurrency (what a pipeline gets without tuning).
 */
function checks(rows: readonly Row[]): TargetCheck[] {
  const largest = Math.max(...rows.map((row) => row.targets));
  const slowest = Math.max(...rows.map((row) => row.latencyMs));
  const concurrency = rows.some((row) => row.concurrency === DEFAULT_CONCURRENCY) ? DEFAULT_CONCURRENCY : Math.min(...rows.map((row) => row.concurrency));
  return rows
    .filter((row) => row.scenario.isPlan && row.targets === largest && row.latencyMs === slowest && slowest > 0 && row.concurrency === concurrency)
    .map((row) => {
      const ratio = row.wallMs / row.floorMs;
      const met = ratio <= 2;
      const extraRequests = row.requestsPerTarget > 1;
      return {
        target: `${row.scenario.label}: ${row.targets} sandboxes at ${row.latencyMs} ms, concurrency ${row.concurrency}, within 2× the floor`,
        measured: `${formatRatio(row.wallMs, row.floorMs)} (${formatNumber(row.wallMs)} ms vs floor ${formatNumber(row.floorMs)} ms)`,
        met,
        ...(met
          ? {}
          : {
              note: extraRequests
                ? `${formatNumber(row.requestsPerTarget, 2)} requests per target: each drifted target also reads its vote pool, doubling the network time`
                : `client time on top of the floor: Node start-up and reading, validating and canonicalizing ${row.targets} files (CLI CPU ${formatNumber(row.cpuMs)} ms)`,
            }),
      };
    });
}
