/**
 * Writing policy files so that a failure leaves nothing half-written: every file goes to a hidden
 * temporary sibling first (hidden, so discovery skips a leftover) and is renamed into place only
 * when all temporaries were written.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface FileWrite {
  readonly file: string;
  readonly content: string;
}

export type WriteOutcome = 'written' | 'unchanged';

/**
 * Writes all files or none (as far as the file system allows: renames are atomic one by one).
 * Files whose content is already byte-identical are not touched, so their mtime stays.
 */
export async function writeFilesAtomically(writes: readonly FileWrite[]): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  const staged: { temp: string; file: string }[] = [];
  try {
    for (const write of writes) {
      if ((await readIfExists(write.file)) === write.content) {
        outcomes.push('unchanged');
        continue;
      }
      await fs.mkdir(path.dirname(write.file), { recursive: true });
      const temp = path.join(path.dirname(write.file), `.${path.basename(write.file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
      await fs.writeFile(temp, write.content, { encoding: 'utf8', flag: 'wx' });
      staged.push({ temp, file: write.file });
      outcomes.push('written');
    }
    for (const { temp, file } of staged) await fs.rename(temp, file);
    return outcomes;
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => fs.rm(temp, { force: true })));
    throw error;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
