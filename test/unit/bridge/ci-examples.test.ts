/**
 * The pipeline files under examples/ must stay runnable: valid YAML, and every
 * `shoreguard-gitops` command in them parses with the real CLI's flags.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildProgram, type CommandName } from '../../../bridge/cli/main';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const FILES = [
  ...readdirSync(join(EXAMPLES, 'github-actions'))
    .filter((name) => name.endsWith('.yml'))
    .map((name) => join(EXAMPLES, 'github-actions', name)),
  join(EXAMPLES, 'gitlab-ci', '.gitlab-ci.yml'),
];

/** Every shell line of the file's steps/scripts that runs shoreguard-gitops, as argv. */
function invocations(file: string): string[][] {
  const found: string[][] = [];
  const visit = (node: unknown, key?: string): void => {
    if (typeof node === 'string' && (key === 'run' || key === 'script')) {
      for (const line of node.replace(/\\\n/g, ' ').split('\n')) {
        const at = line.indexOf('shoreguard-gitops ');
        if (at >= 0) found.push(tokenize(line.slice(at + 'shoreguard-gitops '.length).split(/ \|\| | && |;| > /)[0] ?? ''));
      }
    } else if (Array.isArray(node)) node.forEach((item) => visit(item, key));
    else if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  visit(parse(readFileSync(file, 'utf8')));
  return found;
}

function tokenize(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

describe('CI examples', () => {
  it('GIVEN the example directories THEN they hold GitHub workflows and a GitLab pipeline', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(4);
  });

  it.each(FILES)('GIVEN %s WHEN every shoreguard-gitops command is parsed with the real flags THEN none is rejected', async (file) => {
    const commands = invocations(file);
    expect(commands.length).toBeGreaterThan(0);
    for (const argv of commands) {
      const seen: CommandName[] = [];
      let errors = '';
      const program = buildProgram(
        async (name) => {
          seen.push(name);
        },
        { stdout: { write: () => true }, stderr: { write: (text: string) => (errors += text) } },
      );
      await expect(program.parseAsync(argv, { from: 'user' })).resolves.toBeDefined();
      expect({ argv, errors, seen: seen.length }).toEqual({ argv, errors: '', seen: 1 });
    }
  });
});
