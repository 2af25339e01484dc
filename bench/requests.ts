/**
 * Requests per command (issue #7), counted by the emulator per route: a plan may cost one request
 * per target, an apply at most two, an export one (plus the listings `export --all` cannot avoid).
 * Every command runs as a CLI process against a small fleet; anything beyond the allowance is
 * reported with the route that sent it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bench, BenchContext, BenchOutcome, TargetCheck } from './lib/bench';
import { EmulatorControl, type RequestCounts } from './lib/emulator-control';
import { startEmulatorProcess } from './lib/emulator-process';
import { requestExcess, type RequestExcess } from './lib/figures';
import { exportFleetTrees, fleetTargets, reseedFleet, seedFleet, type FleetTarget, type FleetTrees } from './lib/fleet';
import { type ExpectedOutcome, IAC_CLI, runGitops, runGitopsJson, type Server } from './lib/gitops-cli';
import { fleetPolicy } from './lib/policies';
import { expectExit } from './lib/process';
import { formatNumber, markdownTable } from './lib/report';

/** Route keys as the emulator counts them (`METHOD template`). */
export const ROUTES = {
  apply: 'POST /api/gateways/{gw}/sandboxes/{name}/policy/apply',
  export: 'GET /api/gateways/{gw}/sandboxes/{name}/policy/export',
  listSandboxes: 'GET /api/gateways/{gw}/sandboxes',
  listGateways: 'GET /api/gateway/list',
  decisions: 'GET /api/gateways/{gw}/sandboxes/{name}/approvals/{chunk_id}/decisions',
  pin: 'GET /api/gateways/{gw}/sandboxes/{name}/policy/pin',
  pending: 'GET /api/gateways/{gw}/sandboxes/{name}/approvals/pending',
  draft: 'GET /api/gateways/{gw}/sandboxes/{name}/approvals',
  audit: 'GET /api/audit',
} as const;

/** Who sends an extra request on a route, and what would remove it (read from bridge/ and sdk/). */
const EXCESS_SOURCES: Readonly<Record<string, string>> = {
  [ROUTES.pending]:
    '`applyTarget` (bridge/targets/apply.ts) follows every `applied` with `settleCoveredProposals` (bridge/targets/settle.ts): ' +
    '`GET …/approvals/pending`, to reject the pending proposals the applied document already covers (issue #10 step 5: a proposal applied from Git must not stay pending or land twice). ' +
    'By design, only after an `applied` that added or changed network rules (never on plans, up-to-date or filesystem-only applies); `--no-close-proposals` removes it.',
  [ROUTES.decisions]:
    '`planTarget` (bridge/targets/plan.ts) calls `readVotes` (bridge/targets/remote.ts) for every target with drift, ' +
    '`GET …/approvals/policy.apply:<sha16>/decisions`, to show whether an approval workflow applies and how many votes the document already has. ' +
    'By design (issue #6 asks plan to show the votes an apply will need); `plan --no-votes` skips the read and keeps one request per target. ' +
    'The bridge cannot tell which targets have a workflow without asking.',
  [ROUTES.pin]:
    'the SDK (`sdk/api/policies.ts`, `#readPin`) follows every 423 with `GET …/policy/pin` for the reason and expiry. ' +
    'By design: issue #6 asks a 423 to be reported with the pin\'s reason, owner and expiry, and the 423 detail carries only owner and version. It happens only on a pinned sandbox.',
  [ROUTES.export]:
    '`conflictReport` (bridge/targets/remote.ts) answers a 409 by reading the live policy (`GET …/policy/export`) for the live-vs-file diff and `--rebase`. ' +
    'By design: issue #6 asks a 409 to be reported with a live-vs-file diff. An apply stays within two requests; a plan goes one beyond, only on a stale lock.',
};

type CommandClass = 'export' | 'plan' | 'apply' | 'proposals' | 'pull';

interface Case {
  readonly command: CommandClass;
  readonly label: string;
  readonly targets: number;
  /** The requests issue #7 allows, per route. */
  readonly allowed: Readonly<Record<string, number>>;
  /** An overall cap instead of exact routes (apply: two per target, on any route). */
  readonly allowedTotal?: number;
  /** Runs the command (stats were reset just before). */
  run(): Promise<void>;
  /** Puts the server back afterwards. */
  restore?(): Promise<void>;
  /** Prepares the case before the counts are reset (its requests are not counted). */
  setup?(): Promise<void>;
}

interface Measured {
  readonly case: Case;
  readonly counts: RequestCounts;
  readonly excess: RequestExcess;
}

export const requestsBench: Bench = {
  name: 'requests',
  title: 'Requests per command (counted by the emulator)',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const n = context.options.requestTargets;
    const emulator = await startEmulatorProcess(IAC_CLI);
    const control = new EmulatorControl(emulator.url, emulator.keys.admin);
    const server: Server = { url: emulator.url, token: emulator.keys.operator };
    const scratch = mkdtempSync(join(tmpdir(), 'sg-bench-requests-'));
    const measured: Measured[] = [];
    try {
      const targets = fleetTargets(n, 'req');
      await seedFleet(control, targets);
      const trees = await exportFleetTrees(server, n);
      try {
        for (const item of [...cases(targets, trees, control, server, scratch), ...proposalCases(targets, control, server, scratch)]) {
          context.log(`requests: ${item.label}`);
          await item.setup?.();
          await control.resetStats();
          await item.run();
          const counts = await control.stats();
          measured.push({ case: item, counts, excess: requestExcess(counts.byRoute, item.allowed, item.allowedTotal) });
          await item.restore?.();
        }
      } finally {
        trees.remove();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await emulator.close();
    }
    return { markdown: render(n, measured), checks: checks(measured) };
  },
};

function cases(targets: readonly FleetTarget[], trees: FleetTrees, control: EmulatorControl, server: Server, scratch: string): Case[] {
  const n = targets.length;
  const [first, second] = targets as [FleetTarget, FleetTarget];
  const gateway = first.gateway;
  const fileOf = (dir: string, target: FleetTarget) => join(dir, target.gateway, `${target.sandbox}.yaml`);
  const json = (args: string[], expected: ExpectedOutcome) => async () => {
    await runGitopsJson(args, server, expected);
  };
  const reseed = () => reseedFleet(control, targets);
  const single = (target: FleetTarget, dir: string) => ['-g', target.gateway, '-s', target.sandbox, '-f', fileOf(dir, target)];
  let exportDir = 0;
  const freshDir = () => join(scratch, `export-${exportDir++}`);
  // Pin and conflict cases use their own targets and come last: a pin outlives a re-seed.
  const pinned = first;
  const stale = second;

  return [
    {
      command: 'export',
      label: '`export -g -s` (one sandbox, to stdout)',
      targets: 1,
      allowed: { [ROUTES.export]: 1 },
      run: async () => {
        expectExit('shoreguard-gitops export', await runGitops(['export', '-g', gateway, '-s', first.sandbox], server), [0]);
      },
    },
    {
      command: 'export',
      label: '`export --all -g <gw> --dir`',
      targets: n,
      allowed: { [ROUTES.export]: n, [ROUTES.listSandboxes]: 1 },
      run: json(['export', '--all', '-g', gateway, '--dir', freshDir()], { exitCodes: [0], counts: { exported: n } }),
    },
    {
      command: 'export',
      label: '`export --all --dir` (every gateway)',
      targets: n,
      allowed: { [ROUTES.export]: n, [ROUTES.listGateways]: 1, [ROUTES.listSandboxes]: 1 },
      run: json(['export', '--all', '--dir', freshDir()], { exitCodes: [0], counts: { exported: n } }),
    },
    {
      command: 'plan',
      label: '`plan --dir`, all in sync',
      targets: n,
      allowed: { [ROUTES.apply]: n },
      run: json(['plan', '--dir', trees.inSync], { exitCodes: [0], counts: { in_sync: n } }),
    },
    {
      command: 'plan',
      label: '`plan --dir`, every file drifted',
      targets: n,
      allowed: { [ROUTES.apply]: n },
      run: json(['plan', '--dir', trees.drifted], { exitCodes: [1], counts: { drift: n } }),
    },
    {
      command: 'plan',
      label: '`plan --dir --no-votes`, every file drifted',
      targets: n,
      allowed: { [ROUTES.apply]: n },
      run: json(['plan', '--dir', trees.drifted, '--no-votes'], { exitCodes: [1], counts: { drift: n } }),
    },
    {
      command: 'apply',
      label: '`sync --dir`, every file drifted (applied)',
      targets: n,
      allowed: { [ROUTES.apply]: n },
      allowedTotal: 2 * n,
      run: json(['sync', '--dir', trees.drifted], { exitCodes: [0], counts: { applied: n } }),
      restore: reseed,
    },
    {
      command: 'apply',
      label: '`sync --dir`, all in sync (up to date)',
      targets: n,
      allowed: { [ROUTES.apply]: n },
      allowedTotal: 2 * n,
      run: json(['sync', '--dir', trees.inSync], { exitCodes: [0], counts: { up_to_date: n } }),
    },
    {
      command: 'apply',
      label: '`sync --dir --mode auto`, every file drifted',
      targets: n,
      allowed: { [ROUTES.apply]: n, [ROUTES.export]: n },
      allowedTotal: 2 * n,
      run: json(['sync', '--dir', trees.drifted, '--mode', 'auto'], { exitCodes: [0], counts: { applied: n } }),
      restore: reseed,
    },
    {
      command: 'apply',
      label: '`apply -g -s -f`, one drifted file',
      targets: 1,
      allowed: { [ROUTES.apply]: 1 },
      allowedTotal: 2,
      run: json(['apply', ...single(first, trees.drifted)], { exitCodes: [0], counts: { applied: 1 } }),
      restore: reseed,
    },
    {
      command: 'plan',
      label: '`plan -g -s -f`, one drifted file, sandbox pinned (423)',
      targets: 1,
      allowed: { [ROUTES.apply]: 1 },
      run: async () => {
        await control.pin(pinned.gateway, pinned.sandbox, 'bench: change freeze');
        await runGitopsJson(['plan', ...single(pinned, trees.drifted)], server, { exitCodes: [2], counts: { pinned: 1 } });
      },
    },
    {
      command: 'apply',
      label: '`apply -g -s -f`, one drifted file, sandbox pinned (423)',
      targets: 1,
      allowed: { [ROUTES.apply]: 1 },
      allowedTotal: 2,
      run: json(['apply', ...single(pinned, trees.drifted)], { exitCodes: [2], counts: { pinned: 1 } }),
    },
    {
      command: 'plan',
      label: '`plan -g -s -f`, lock stale (409, edited behind ShoreGuard)',
      targets: 1,
      allowed: { [ROUTES.apply]: 1 },
      run: async () => {
        await control.editOutOfBand(stale.gateway, stale.sandbox, { ...fleetPolicy(stale.index), process: { run_as_user: 'root', run_as_group: 'root' } });
        await runGitopsJson(['plan', ...single(stale, trees.drifted)], server, { exitCodes: [2], counts: { conflict: 1 } });
      },
    },
    {
      command: 'apply',
      label: '`apply -g -s -f`, lock stale (409)',
      targets: 1,
      allowed: { [ROUTES.apply]: 1 },
      allowedTotal: 2,
      run: json(['apply', ...single(stale, trees.drifted)], { exitCodes: [2], counts: { conflict: 1 } }),
    },
  ];
}

const BENCH_PROPOSAL = {
  ruleName: 'bench_docs_put',
  rule: {
    name: 'bench_docs_put',
    endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'PUT', path: '/repos/o/r/contents/docs/**' } }] }],
    binaries: [{ path: '/usr/bin/gh' }],
  },
  rationale: 'bench: update the docs through the contents API',
  confidence: 0.75,
};

/**
 * `proposals` and `pull` (issue #10) over a git work tree exported fresh for each case. The first
 * target stays out of the proposals cases: an earlier case left it pinned, and `--write` refuses a
 * pinned target.
 */
function proposalCases(targets: readonly FleetTarget[], control: EmulatorControl, server: Server, scratch: string): Case[] {
  const n = targets.length;
  const others = targets.slice(1);
  const m = others.length;
  let tree = '';
  let count = 0;
  const freshTree = async () => {
    await reseedFleet(control, targets);
    tree = join(scratch, `git-tree-${count++}`);
    await runGitopsJson(['export', '--all', '--dir', tree], server, { exitCodes: [0], counts: { exported: n } });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', '-c', 'commit.gpgsign=false', ...args], { cwd: tree, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'export');
  };
  const files = () => others.map((t) => join(tree, t.gateway, `${t.sandbox}.yaml`));
  return [
    {
      command: 'proposals',
      label: '`proposals --dir`, nothing pending',
      targets: m,
      allowed: { [ROUTES.pending]: m },
      setup: freshTree,
      run: async () => runGitopsJson(['proposals', '--dir', tree, ...files()], server, { exitCodes: [0], counts: { no_proposals: m } }).then(() => undefined),
    },
    {
      command: 'proposals',
      label: '`proposals --dir`, one agent proposal per target',
      targets: m,
      allowed: { [ROUTES.pending]: m, [ROUTES.pin]: m, [ROUTES.decisions]: m },
      setup: async () => {
        for (const t of others) await control.submitProposal(t.gateway, t.sandbox, BENCH_PROPOSAL);
      },
      run: async () => runGitopsJson(['proposals', '--dir', tree, ...files()], server, { exitCodes: [1], counts: { proposal_pending: m } }).then(() => undefined),
    },
    {
      command: 'proposals',
      label: '`proposals --dir --write`, one agent proposal per target',
      targets: m,
      allowed: { [ROUTES.pending]: m, [ROUTES.pin]: m, [ROUTES.decisions]: m },
      run: async () => runGitopsJson(['proposals', '--dir', tree, '--write', ...files()], server, { exitCodes: [1], counts: { proposal_written: m } }).then(() => undefined),
    },
    {
      command: 'apply',
      label: '`sync --dir` of the written proposals (applied, proposals closed)',
      targets: m,
      allowed: { [ROUTES.apply]: m, [ROUTES.pending]: m },
      allowedTotal: 3 * m,
      run: async () => runGitopsJson(['sync', '--dir', tree, ...files()], server, { exitCodes: [0], counts: { applied: m } }).then(() => undefined),
    },
    {
      command: 'pull',
      label: '`pull --dir`, nothing moved',
      targets: n,
      allowed: { [ROUTES.export]: n },
      setup: freshTree,
      run: async () => runGitopsJson(['pull', '--dir', tree], server, { exitCodes: [0], counts: { unchanged: n } }).then(() => undefined),
    },
    {
      command: 'pull',
      label: '`pull --dir`, every target moved (edited in ShoreGuard, no approved chunk)',
      targets: n,
      allowed: { [ROUTES.export]: n, [ROUTES.draft]: n },
      setup: async () => {
        for (const t of targets) await control.editOutOfBand(t.gateway, t.sandbox, { ...fleetPolicy(t.index), process: { run_as_user: 'root', run_as_group: 'root' } });
      },
      run: async () => runGitopsJson(['pull', '--dir', tree], server, { exitCodes: [1], counts: { pulled: n } }).then(() => undefined),
    },
  ];
}

function allowance(item: Case): string {
  return item.allowedTotal === undefined ? formatNumber(Object.values(item.allowed).reduce((a, b) => a + b, 0)) : `≤ ${item.allowedTotal}`;
}

function extras(excess: RequestExcess): string {
  return excess.excess === 0 ? '' : excess.extraRoutes.map((entry) => `+${entry.extra} \`${entry.route}\``).join(', ');
}

function render(n: number, measured: readonly Measured[]): string {
  const table = markdownTable(
    ['command', 'case', 'targets', 'requests', 'allowed', 'excess', 'per target', 'extra requests (route)'],
    measured.map((m) => [m.case.command, m.case.label, m.case.targets, m.counts.requests, allowance(m.case), m.excess.excess, formatNumber(m.counts.requests / m.case.targets, 2), extras(m.excess)]),
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
  );
  return [
    `A fleet of ${n} sandboxes on one gateway of the emulator; each case is one CLI process, the emulator counts every request it receives per route ` +
      '(control calls are not counted). Allowed, from issue #7: a plan one request per target, an apply at most two, an export one, plus the listings ' +
      '`export --all` needs (one gateway list, one sandbox page of up to 1 000 per gateway).',
    '',
    table,
    '',
    ...explanations(measured),
  ].join('\n');
}

/** One bullet per route that went over its allowance in this run, naming the code that sends it. */
function explanations(measured: readonly Measured[]): string[] {
  const routes = new Map<string, string[]>();
  for (const m of measured) for (const entry of m.excess.extraRoutes) routes.set(entry.route, [...(routes.get(entry.route) ?? []), m.case.label]);
  if (routes.size === 0) return ['No command sent a request beyond its allowance.'];
  return [
    'Where the excess comes from:',
    '',
    ...[...routes.entries()].map(([route, cases]) => `- \`${route}\` (${cases.join('; ')}): ${EXCESS_SOURCES[route] ?? 'not traced yet: find the caller in bridge/ or sdk/.'}`),
  ];
}

function checks(measured: readonly Measured[]): TargetCheck[] {
  const classes: readonly { command: CommandClass; target: string }[] = [
    { command: 'plan', target: 'plan: one request per target' },
    { command: 'apply', target: 'apply: at most two requests per target' },
    { command: 'export', target: 'export: one request per target (plus listings)' },
    { command: 'proposals', target: 'proposals: one request per target, three with a pending proposal (README)' },
    { command: 'pull', target: 'pull: one request per target, two when it moved (six with approved chunks, README)' },
  ];
  return classes.map(({ command, target }) => {
    const rows = measured.filter((m) => m.case.command === command);
    const over = rows.filter((m) => m.excess.excess > 0);
    return {
      target,
      measured:
        over.length === 0
          ? `no excess in ${rows.length} case(s)`
          : over.map((m) => `${m.case.label}: ${formatNumber(m.counts.requests / m.case.targets, 2)}/target (${extras(m.excess).replace(/`/g, '')})`).join('; '),
      met: over.length === 0,
      ...(over.length === 0 ? {} : { note: 'reads that only enrich the report; see the request-count section for the exact fix' }),
    };
  });
}
