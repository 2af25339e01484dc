import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomically } from '../../../bridge/targets/files';

describe('writeFilesAtomically', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN new, changed and identical files WHEN written THEN identical ones are left untouched', async () => {
    await writeFile(join(dir, 'same.yaml'), 'a\n');
    await writeFile(join(dir, 'changed.yaml'), 'old\n');
    const before = (await stat(join(dir, 'same.yaml'))).mtimeMs;
    const outcomes = await writeFilesAtomically([
      { file: join(dir, 'same.yaml'), content: 'a\n' },
      { file: join(dir, 'changed.yaml'), content: 'new\n' },
      { file: join(dir, 'deep', 'er', 'new.yaml'), content: 'x\n' },
    ]);
    expect(outcomes).toEqual(['unchanged', 'written', 'written']);
    expect(await readFile(join(dir, 'changed.yaml'), 'utf8')).toBe('new\n');
    expect(await readFile(join(dir, 'deep', 'er', 'new.yaml'), 'utf8')).toBe('x\n');
    expect((await stat(join(dir, 'same.yaml'))).mtimeMs).toBe(before);
  });

  it('GIVEN a write that fails WHEN writing several files THEN none is written and no temporary file remains', async () => {
    await writeFile(join(dir, 'blocker'), 'a regular file where a directory is needed');
    await expect(
      writeFilesAtomically([
        { file: join(dir, 'first.yaml'), content: 'one\n' },
        { file: join(dir, 'blocker', 'second.yaml'), content: 'two\n' },
      ]),
    ).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['blocker']);
  });
});
