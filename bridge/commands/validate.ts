/** `shoreguard-gitops validate`: every problem of every file, offline. */
import type { z } from 'zod';
import { policyAtRevision } from '../targets/git';
import type { PolicySource } from '../targets/local';
import { validateSources } from '../targets/validate-files';
import { emit } from './emit';
import { loadGates } from './gates';
import { exitStyle, type validateFlags } from './flags';
import type { Output } from './io';
import { selectSources } from './selection';

export async function runValidate(flags: z.infer<typeof validateFlags>, files: string[], io: Output): Promise<number> {
  const gates = await loadGates(flags, io);
  const selection = await selectSources(flags, files, io);
  const base = flags.base;
  const report = await validateSources(
    selection.sources,
    {
      targetMismatch: flags.strictTarget === true ? 'error' : 'warning',
      unknownSections: flags.unknownSections,
      failOnWarn: flags.failOnWarn === true,
      exitCodeStyle: exitStyle(flags),
      ...gates.options,
      ...(base === undefined ? {} : { previousPolicy: (source: PolicySource) => (source.text === undefined ? policyAtRevision(source.file, base) : Promise.resolve(undefined)) }),
    },
    [...gates.problems, ...selection.problems],
  );
  return emit(report, flags, io, false, gates.catalog);
}
