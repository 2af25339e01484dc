/** `shoreguard-gitops proposals` and `pull`: pending proposals for review, and the backflow of approvals into Git. */
import * as path from 'node:path';
import type { z } from 'zod';
import { PolicyLayout } from '../targets/layout';
import { selectTreeSources } from '../targets/local';
import { proposalsRun, type ProposalTarget } from '../targets/proposals';
import { pullTree } from '../targets/pull';
import { withClient } from './client';
import { emit, progress } from './emit';
import { exitStyle, UsageError, type proposalsFlags, type pullFlags } from './flags';
import type { Output } from './io';
import { checkLayout } from './selection';

/**
 * Targets: `--dir DIR [FILES…]` (every file of the tree, or those), or `-g GW -s SB` with an
 * optional `-f FILE` (`--write` needs a file to write into).
 */
export async function runProposals(flags: z.infer<typeof proposalsFlags>, files: string[], io: Output, secrets: string[]): Promise<number> {
  if ((flags.gateway === undefined) !== (flags.sandbox === undefined)) throw new UsageError('-g/--gateway and -s/--sandbox go together');
  const named = [...files, ...(flags.file === undefined ? [] : [flags.file])];
  if (named.includes('-')) throw new UsageError("proposals reads files from disk (it may write into them); stdin ('-') is not supported");
  let targets: ProposalTarget[];
  let problems: Awaited<ReturnType<typeof selectTreeSources>>['problems'] = [];
  if (flags.gateway !== undefined && flags.sandbox !== undefined) {
    if (named.length > 1) throw new UsageError('-g/-s name one target: give at most one file (-f FILE)');
    const target = { gateway: flags.gateway, sandbox: flags.sandbox };
    let file = named[0];
    if (file === undefined && flags.dir !== undefined) {
      checkLayout(flags.layout);
      file = path.join(flags.dir, ...new PolicyLayout({ pattern: flags.layout }).pathFor(target).split('/'));
    }
    if (file === undefined && flags.write === true) throw new UsageError('proposals --write with -g/-s needs the file to write into: -f FILE or --dir DIR');
    targets = [{ target, source: file === undefined ? null : { file, target } }];
  } else if (flags.dir !== undefined) {
    checkLayout(flags.layout);
    const selection = await selectTreeSources({ root: flags.dir, pattern: flags.layout, ...(named.length > 0 ? { files: named } : {}) });
    problems = selection.problems;
    targets = selection.sources.flatMap((source) => (source.target === undefined ? [] : [{ target: source.target, source }]));
  } else {
    throw new UsageError('name the targets: --dir <policy tree> [files…], or -g GW -s SB [-f FILE]');
  }
  return withClient(flags, io, secrets, async (client) => {
    const report = await proposalsRun(
      client,
      targets,
      {
        write: flags.write === true,
        votes: flags.votes !== false,
        concurrency: flags.concurrency,
        exitCodeStyle: exitStyle(flags),
        ...(flags.chunk === undefined ? {} : { chunks: flags.chunk }),
        onProgress: progress(io),
      },
      problems,
    );
    return emit(report, flags, io, false);
  });
}

export async function runPull(flags: z.infer<typeof pullFlags>, files: string[], io: Output, secrets: string[]): Promise<number> {
  checkLayout(flags.layout);
  const selection = await selectTreeSources({ root: flags.dir, pattern: flags.layout, ...(files.length > 0 ? { files } : {}) });
  return withClient(flags, io, secrets, async (client) => {
    const report = await pullTree(client, selection.sources, { concurrency: flags.concurrency, exitCodeStyle: exitStyle(flags), onProgress: progress(io) }, selection.problems);
    return emit(report, flags, io, false);
  });
}
