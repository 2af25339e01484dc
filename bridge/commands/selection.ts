/** Which policy files a command works on, and for which targets. */
import type { Problem } from '../core/problems';
import { PolicyLayout, type Target } from '../targets/layout';
import { selectTreeSources, type PolicySource } from '../targets/local';
import { UsageError, type SelectionFlags } from './flags';
import type { CliIo } from './io';

export interface Selection {
  readonly sources: readonly PolicySource[];
  readonly problems: readonly Problem[];
}

/**
 * Which files, for which targets: `-g/-s` with one file; `--dir` (the layout names the targets;
 * files narrow the tree); or plain files whose metadata names their target.
 */
export async function selectSources(flags: SelectionFlags, files: string[], io: CliIo): Promise<Selection> {
  const named = [...files, ...(flags.file === undefined ? [] : [flags.file])];
  if (named.filter((f) => f === '-').length > 1) throw new UsageError("stdin ('-') can be read only once");
  if ((flags.gateway === undefined) !== (flags.sandbox === undefined)) throw new UsageError('-g/--gateway and -s/--sandbox go together');
  if (flags.gateway !== undefined && flags.sandbox !== undefined) {
    if (named.length !== 1) throw new UsageError('-g/-s name one target: give exactly one file (-f FILE)');
    if (flags.dir !== undefined) throw new UsageError('give either -g/-s or --dir, not both');
    return { sources: [await withStdin(named[0] ?? '-', io, { gateway: flags.gateway, sandbox: flags.sandbox })], problems: [] };
  }
  if (flags.dir !== undefined) {
    checkLayout(flags.layout);
    if (named.includes('-')) throw new UsageError("stdin ('-') has no place in a --dir tree; use -g/-s with -f -");
    return selectTreeSources({ root: flags.dir, pattern: flags.layout, ...(named.length > 0 ? { files: named } : {}) });
  }
  if (named.length === 0) throw new UsageError('name the policy: -f FILE (with -g/-s, or metadata naming the target), files, or --dir <policy tree>');
  return { sources: await Promise.all(named.map((file) => withStdin(file, io))), problems: [] };
}

async function withStdin(file: string, io: CliIo, target?: Target): Promise<PolicySource> {
  const source = file === '-' ? { file: '<stdin>', text: await io.readStdin() } : { file };
  return target === undefined ? source : { ...source, target };
}

/** Fails early (exit 2) on a layout pattern that cannot map targets to files. */
export function checkLayout(pattern: string): void {
  new PolicyLayout({ pattern });
}
