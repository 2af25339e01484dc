/**
 * Side by side with ShoreGuard's own CLI (issue #7): the same targets planned against the same
 * real ShoreGuard 0.40.0, once by looping `shoreguard policy diff` (one Python process per sandbox,
 * as a pipeline must run it) and once by one `shoreguard-gitops plan --dir`. Both read the same
 * files; a share of them drift. Nothing is subtracted from either side.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { mapConcurrent } from '../bridge/core/concurrency';
import type { Bench, BenchContext, BenchOutcome, TargetCheck } from './lib/bench';
import { formatRatio } from './lib/figures';
import { policyFiles } from './lib/fleet';
import { runGitops, runGitopsJson, type Server } from './lib/gitops-cli';
import { median } from './lib/measure';
import { addDriftToFile, fleetPolicy } from './lib/policies';
import { expectExit, type ProcessRun, summarizeRuns } from './lib/process';
import type { RealPeer } from './lib/real-peer';
import { formatNumber, markdownTable } from './lib/report';

/** Our rounds of the one-process plan (cheap, so the median is worth having). */
const OWN_ROUNDS = 3;
const TARGET_RATIO = 30;

export interface PeerTree {
  readonly hostDir: string;
  readonly rootDir: string;
  readonly targets: readonly { readonly sandbox: string; readonly drift: boolean }[];
}

/**
 * Seeds `count` sandboxes named `<prefix>-<nnn>` on the peer, exports them with our CLI into a
 * directory both CLIs can read, and makes the first `driftCount` files drift.
 */
export async function preparePeerTree(peer: RealPeer, prefix: string, count: number, driftCount: number): Promise<PeerTree> {
  const targets = Array.from({ length: count }, (_, i) => ({ sandbox: `${prefix}-${String(i).padStart(3, '0')}`, drift: i < driftCount }));
  targets.forEach((target, i) => peer.seedSandbox(target.sandbox, fleetPolicy(i)));
  const dir = peer.sharedDir(`${prefix}-tree`);
  const server = peerServer(peer);
  // Export only these sandboxes: the gateway may hold others' too.
  for (const target of targets) {
    expectExit(
      'shoreguard-gitops export',
      await runGitops(['export', '-g', peer.gateway, '-s', target.sandbox, '-o', `${dir.hostPath}/${peer.gateway}/${target.sandbox}.yaml`], server),
      [0],
    );
  }
  const files = policyFiles(dir.hostPath);
  if (files.length !== count) throw new Error(`expected ${count} exported files in ${dir.hostPath}, found ${files.length}`);
  targets.forEach((target) => {
    if (target.drift) addDriftToFile(`${dir.hostPath}/${peer.gateway}/${target.sandbox}.yaml`);
  });
  return { hostDir: dir.hostPath, rootDir: dir.rootPath, targets };
}

export function peerServer(peer: RealPeer): Server {
  return { url: peer.url, token: peer.operatorKey() };
}

/** `shoreguard policy diff` for one target of the tree; exit 0 in sync, 1 drift (checked). */
export async function pythonDiff(peer: RealPeer, tree: PeerTree, target: PeerTree['targets'][number]): Promise<ProcessRun> {
  const run = await peer.runPythonCli(['policy', 'diff', '-g', peer.gateway, '-s', target.sandbox, '-f', `${tree.rootDir}/${peer.gateway}/${target.sandbox}.yaml`]);
  return expectExit(`shoreguard policy diff -s ${target.sandbox}`, run, [target.drift ? 1 : 0]);
}

/**
 * The server's own share: the same dry runs sent with bare `fetch` at `concurrency`, no CLI, no
 * file checks. No client can plan faster than this against this server.
 */
async function rawDryRuns(peer: RealPeer, tree: PeerTree, concurrency: number): Promise<number> {
  const bodies = tree.targets.map((target) => ({
    sandbox: target.sandbox,
    body: JSON.stringify({ yaml: readFileSync(`${tree.hostDir}/${peer.gateway}/${target.sandbox}.yaml`, 'utf8'), dry_run: true }),
  }));
  const headers = { authorization: `Bearer ${peer.operatorKey()}`, 'content-type': 'application/json' };
  const started = performance.now();
  await mapConcurrent(bodies, concurrency, async ({ sandbox, body }) => {
    const response = await fetch(`${peer.url}/api/gateways/${peer.gateway}/sandboxes/${sandbox}/policy/apply`, { method: 'POST', headers, body });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`dry run of ${sandbox} answered ${response.status}: ${text.slice(0, 200)}`);
  });
  return performance.now() - started;
}

export const peerBench: Bench = {
  name: 'peer',
  title: "Side by side with ShoreGuard's Python CLI (real ShoreGuard 0.40.0)",
  async run(context: BenchContext): Promise<BenchOutcome> {
    const { peerTargets: count, peerDrift, peerOwnLoop } = context.options;
    const peer = await context.peer();
    const driftCount = Math.round(count * peerDrift);
    context.log(`peer: seeding and exporting ${count} sandboxes on ShoreGuard ${peer.version}`);
    const tree = await preparePeerTree(peer, 'peer', count, driftCount);
    const server = peerServer(peer);
    const expected = { exitCodes: [driftCount > 0 ? 1 : 0], counts: { in_sync: count - driftCount, drift: driftCount } };
    // Our CLI sees only this bench's files: the tree holds nothing else.
    const planOnce = async () => (await runGitopsJson(['plan', '--dir', tree.hostDir], server, expected)).run;

    context.log(`peer: one shoreguard-gitops plan over ${count} targets, ${OWN_ROUNDS} rounds`);
    await planOnce(); // warm the server's and the OS's caches for both sides alike
    const ours = summarizeRuns(await sequence(OWN_ROUNDS, planOnce));

    context.log(`peer: the same ${count} dry runs with bare fetch (the server's share)`);
    const rawSerial = median(await sequence(OWN_ROUNDS, () => rawDryRuns(peer, tree, 1)));
    const rawParallel = median(await sequence(OWN_ROUNDS, () => rawDryRuns(peer, tree, 8)));

    context.log(`peer: looping shoreguard policy diff over ${count} targets`);
    const pythonRuns: ProcessRun[] = [];
    const pythonStarted = performance.now();
    for (const target of tree.targets) pythonRuns.push(await pythonDiff(peer, tree, target));
    const pythonLoopMs = performance.now() - pythonStarted;

    let ownLoopMs: number | undefined;
    if (peerOwnLoop) {
      context.log(`peer: looping shoreguard-gitops plan -g -s -f over ${count} targets (same shape as the Python loop)`);
      const started = performance.now();
      for (const target of tree.targets) {
        await runGitopsJson(['plan', '-g', peer.gateway, '-s', target.sandbox, '-f', `${tree.hostDir}/${peer.gateway}/${target.sandbox}.yaml`], server, {
          exitCodes: [target.drift ? 1 : 0],
          counts: target.drift ? { drift: 1 } : { in_sync: 1 },
        });
      }
      ownLoopMs = performance.now() - started;
    }

    const pythonPerProcess = summarizeRuns(pythonRuns);
    const ratio = pythonLoopMs / ours.medianWallMs;
    const rows: (string | number)[][] = [
      [`\`shoreguard policy diff\` × ${count} (one Python process per sandbox)`, formatNumber(pythonLoopMs), formatNumber(pythonLoopMs / count, 1), formatNumber(median(pythonRuns.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs])))), '1×'],
      ...(ownLoopMs === undefined
        ? []
        : [[`\`shoreguard-gitops plan -g -s -f\` × ${count} (one Node process per sandbox)`, formatNumber(ownLoopMs), formatNumber(ownLoopMs / count, 1), '', formatRatio(pythonLoopMs, ownLoopMs, 1)]]),
      [`\`shoreguard-gitops plan --dir\` (one process, concurrency 8; median of ${OWN_ROUNDS})`, formatNumber(ours.medianWallMs), formatNumber(ours.medianWallMs / count, 1), formatNumber(ours.medianCpuMs), formatRatio(pythonLoopMs, ours.medianWallMs, 1)],
      [`bare \`fetch\` of the ${count} dry runs, one at a time (server only; median of ${OWN_ROUNDS})`, formatNumber(rawSerial), formatNumber(rawSerial / count, 1), '', formatRatio(pythonLoopMs, rawSerial, 1)],
      [`bare \`fetch\` of the ${count} dry runs, 8 at a time (server only; median of ${OWN_ROUNDS})`, formatNumber(rawParallel), formatNumber(rawParallel / count, 1), '', formatRatio(pythonLoopMs, rawParallel, 1)],
    ];
    const serverBound = pythonLoopMs / Math.min(rawSerial, rawParallel);
    const markdown = [
      `${count} sandboxes on one gateway of a real ShoreGuard ${peer.version} (scripts/real-shoreguard, raised rate limits) backed by the fake OpenShell gateway; ` +
        `${driftCount} of the files drift by one read-only path. Both CLIs read the same files (exported by \`shoreguard-gitops export\`) and send the same dry-run ` +
        'request per target. The Python CLI runs in the chroot where it is installed (`scripts/real-shoreguard/in-rootfs.sh … shoreguard policy diff`), one process per sandbox, ' +
        'sequentially, as a pipeline step would loop it; nothing is subtracted. Exit codes are checked on both sides (0 in sync, 1 drift). ' +
        `Our plan also reads the vote pool of each drifted target (see the request counts), so it sends ${count + driftCount} requests to the Python loop's ${count}.`,
      '',
      markdownTable(['what', 'wall ms', 'ms per sandbox', 'CPU ms per process (median)', 'faster than the Python loop'], rows, ['left', 'right', 'right', 'right', 'right']),
      '',
      `Python CLI per process: median ${formatNumber(pythonPerProcess.medianWallMs)} ms wall (min ${formatNumber(pythonPerProcess.minWallMs)}), ` +
        `${formatNumber(pythonPerProcess.medianCpuMs)} ms CPU, peak RSS ${formatNumber(pythonPerProcess.medianMaxRssKb / 1024, 1)} MiB; its cold start alone is in the cold-start section.`,
      '',
      'The second row separates the effects: one process for all targets instead of one per target (start-up paid once), and concurrency inside that process. ' +
        `The bare-\`fetch\` rows are the server's own time for the same requests (no CLI, no file checks): no client can be more than ${formatNumber(serverBound, 1)}× faster than the Python loop against this server on this machine.`,
    ].join('\n');
    const checks: TargetCheck[] = [
      {
        target: `one \`plan\` over ${count} sandboxes ≥ ${TARGET_RATIO}× faster than looping \`shoreguard policy diff\``,
        measured: `${formatNumber(ratio, 1)}× (${formatNumber(pythonLoopMs)} ms vs ${formatNumber(ours.medianWallMs)} ms)`,
        met: ratio >= TARGET_RATIO,
        ...(ratio >= TARGET_RATIO
          ? {}
          : {
              note:
                serverBound < TARGET_RATIO
                  ? `bound by the server: the same dry runs sent with bare fetch take ${formatNumber(Math.min(rawSerial, rawParallel))} ms, so no client can exceed ${formatNumber(serverBound, 1)}× here`
                  : `the server alone would allow ${formatNumber(serverBound, 1)}×; the rest is the CLI's start-up and per-file work (CPU ${formatNumber(ours.medianCpuMs)} ms)`,
            }),
      },
    ];
    return { markdown, checks };
  },
};

async function sequence<T>(count: number, once: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i++) results.push(await once());
  return results;
}
