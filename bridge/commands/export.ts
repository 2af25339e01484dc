/** `shoreguard-gitops export`: live policies → canonical documents (one target, or a whole tree). */
import * as path from 'node:path';
import type { z } from 'zod';
import { buildRunReport } from '../report/report';
import { exportTarget, exportTree } from '../targets/export';
import { PolicyLayout, type Target } from '../targets/layout';
import { withClient } from './client';
import { emit, progress } from './emit';
import { exitStyle, UsageError, type exportFlags } from './flags';
import type { CliIo, Output } from './io';
import { checkLayout } from './selection';

/** `documentIo` is unredacted: a policy may legitimately hold text shaped like a key, and the document must stay byte-exact. */
export async function runExport(flags: z.infer<typeof exportFlags>, io: Output, secrets: string[], documentIo: CliIo): Promise<number> {
  if (flags.all === true) {
    if (flags.dir === undefined) throw new UsageError('export --all needs --dir <dir> to write the tree into');
    if (flags.sandbox !== undefined || flags.out !== undefined) throw new UsageError('export --all takes no -s/--sandbox or -o/--out (it writes every sandbox under --dir)');
    checkLayout(flags.layout);
    return withClient(flags, io, secrets, async (client) => {
      const report = await exportTree(client, {
        dir: flags.dir ?? '.',
        pattern: flags.layout,
        concurrency: flags.concurrency,
        exitCodeStyle: exitStyle(flags),
        ...(flags.gateway === undefined ? {} : { gateway: flags.gateway }),
        onProgress: progress(io),
      });
      return emit(report, flags, io, false);
    });
  }
  if (flags.gateway === undefined || flags.sandbox === undefined) {
    throw new UsageError('export needs -g/--gateway and -s/--sandbox (or --all --dir <dir> for every sandbox)');
  }
  if (flags.out !== undefined && flags.dir !== undefined) throw new UsageError('give either -o/--out or --dir, not both');
  const target: Target = { gateway: flags.gateway, sandbox: flags.sandbox };
  const file =
    flags.dir !== undefined
      ? path.join(flags.dir, ...new PolicyLayout({ pattern: flags.layout }).pathFor(target).split('/'))
      : flags.out === undefined || flags.out === '-'
        ? null
        : flags.out;
  return withClient(flags, io, secrets, async (client) => {
    const report = await exportTarget(client, target, file);
    const run = buildRunReport({ command: 'export', server: client.baseUrl, targets: [report], exitCodeStyle: exitStyle(flags) });
    // With no file the document itself is the output; the report then goes to stderr.
    const documentOnStdout = report.document !== undefined && flags.output === 'text';
    if (documentOnStdout) documentIo.stdout.write(report.document ?? '');
    return emit(run, flags, io, documentOnStdout);
  });
}
