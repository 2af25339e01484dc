/** `shoreguard-gitops plan`, `apply` and `sync`: the selected targets through dry-run or apply. */
import * as path from 'node:path';
import type { z } from 'zod';
import { runPolicies } from '../targets/run';
import { selectTreeSources } from '../targets/local';
import { withClient } from './client';
import { emit, progress } from './emit';
import { loadGates } from './gates';
import { exitStyle, UsageError, type applyFlags, type planFlags, type syncFlags } from './flags';
import type { Output } from './io';
import { checkLayout, selectSources } from './selection';
import { gitSource } from './source';
import { loadReceiptKey, receiptRun } from './receipts';

export async function runPlanOrApply(
  command: 'plan' | 'apply',
  flags: z.infer<typeof applyFlags> | z.infer<typeof planFlags>,
  files: string[],
  io: Output,
  secrets: string[],
): Promise<number> {
  const gates = await loadGates(flags, io);
  const selection = await selectSources(flags, files, io);
  if (flags.expectedVersion !== undefined && selection.sources.length > 1) {
    throw new UsageError('--expected-version locks one target; name a single file (it cannot apply to several)');
  }
  const write = 'mode' in flags ? flags : undefined;
  const first = selection.sources[0]?.file;
  const source = write === undefined ? undefined : await gitSource(io, first === undefined || first === '<stdin>' ? '.' : path.dirname(first));
  const key = write === undefined ? undefined : await loadReceiptKey(write, io, secrets);
  return withClient(flags, io, secrets, async (client) => {
    const receipts = write === undefined ? undefined : receiptRun(write, { command: 'apply', dryRun: false, key }, client, io, secrets);
    const report = await runPolicies(
      client,
      selection.sources,
      {
        dryRun: command === 'plan',
        command,
        concurrency: flags.concurrency,
        exitCodeStyle: exitStyle(flags),
        rebase: flags.rebase === true,
        details: flags.details === true,
        votes: flags.votes !== false,
        failOnWarn: flags.failOnWarn === true,
        ...(flags.expectedVersion === undefined ? {} : { expectedVersion: flags.expectedVersion }),
        ...(write === undefined ? {} : { mode: write.mode, forceUnlocked: write.forceUnlocked === true, closeProposals: write.closeProposals !== false }),
        ...(source === undefined ? {} : { source }),
        onProgress: progress(io),
        ...gates.options,
        ...(receipts === undefined ? {} : { onSettled: receipts.onSettled }),
      },
      [...gates.problems, ...selection.problems],
    );
    const code = await emit(report, flags, io, false, gates.catalog);
    return receipts === undefined ? code : receipts.finish(code);
  });
}

export async function runSync(flags: z.infer<typeof syncFlags>, files: string[], io: Output, secrets: string[]): Promise<number> {
  checkLayout(flags.layout);
  const gates = await loadGates(flags, io);
  const selection = await selectTreeSources({ root: flags.dir, pattern: flags.layout, ...(files.length > 0 ? { files } : {}) });
  const source = flags.dryRun === true ? undefined : await gitSource(io, flags.dir);
  const key = await loadReceiptKey(flags, io, secrets);
  return withClient(flags, io, secrets, async (client) => {
    const receipts = receiptRun(flags, { command: 'sync', dryRun: flags.dryRun === true, key }, client, io, secrets);
    const report = await runPolicies(
      client,
      selection.sources,
      {
        dryRun: flags.dryRun === true,
        command: 'sync',
        concurrency: flags.concurrency,
        exitCodeStyle: exitStyle(flags),
        rebase: flags.rebase === true,
        details: flags.details === true,
        votes: flags.votes !== false,
        failOnWarn: flags.failOnWarn === true,
        mode: flags.mode,
        forceUnlocked: flags.forceUnlocked === true,
        closeProposals: flags.closeProposals !== false,
        ...(source === undefined ? {} : { source }),
        onProgress: progress(io),
        ...gates.options,
        ...(receipts === undefined ? {} : { onSettled: receipts.onSettled }),
      },
      [...gates.problems, ...selection.problems],
    );
    const code = await emit(report, flags, io, false, gates.catalog);
    return receipts === undefined ? code : receipts.finish(code);
  });
}
