/** The SDK client of one command run: URL and key from flags or environment; the key joins the run's secrets. */
import { promises as fs } from 'node:fs';
import { createClient, type ShoreGuardClient } from '../../sdk';
import { PACKAGE_VERSION } from '../../sdk/version';
import { describeThrown } from '../core/errors';
import { UsageError, type ServerFlags } from './flags';
import type { CliIo } from './io';

export async function withClient(flags: ServerFlags, io: CliIo, secrets: string[], body: (client: ShoreGuardClient) => Promise<number>): Promise<number> {
  const token = flags.tokenFile === undefined ? undefined : await readTokenFile(flags.tokenFile);
  if (token !== undefined) secrets.push(token);
  for (const name of ['SHOREGUARD_TOKEN', 'SHOREGUARD_API_KEY']) {
    const value = io.env[name];
    if (value !== undefined && value.trim() !== '') secrets.push(value);
  }
  const client = createClient({
    env: io.env,
    userAgent: `shoreguard-gitops/${PACKAGE_VERSION}`,
    logger: { warn: (message) => io.stderr.write(`warning: ${message}\n`) },
    ...(flags.url === undefined ? {} : { url: flags.url }),
    ...(token === undefined ? {} : { token }),
  });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const { code } = describeThrown(error);
    throw new UsageError(`cannot read --token-file ${file}${code === undefined ? '' : ` (${code})`}`);
  }
  const token = text.replace(/\r?\n$/, '');
  // The content is a secret: the message describes it without quoting it.
  if (token === '' || /\s/.test(token)) throw new UsageError(`--token-file ${file} must hold one API key on one line`);
  return token;
}
