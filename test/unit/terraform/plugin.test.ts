import { createServerCertificate } from '../../../provider/terraform/certs';
import { createLogger } from '../../../provider/terraform/logger';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, negotiate, runPlugin } from '../../../provider/terraform/plugin';

describe('go-plugin handshake negotiation', () => {
  test('GIVEN no magic cookie WHEN started THEN it refuses and explains how to install it', () => {
    const result = negotiate({});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/shoreguard-iac terraform install/);
  });

  test('GIVEN a client offering only protocol 5 WHEN started THEN it refuses naming both versions', () => {
    const result = negotiate({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5' });
    expect(!result.ok && result.message).toMatch(/speaks plugin protocol 6, but the client offers 5/);
  });

  test('GIVEN a client offering 5 and 6 WHEN started THEN it accepts', () => {
    expect(negotiate({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5,6' })).toEqual({ ok: true });
  });

  test('GIVEN a wrong cookie WHEN run THEN nothing is printed on stdout and the reason goes to stderr', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const server = await runPlugin({ resources: {}, lookups: {}, env: { [MAGIC_COOKIE_KEY]: 'nope' }, writeStdout: (t) => stdout.push(t), writeStderr: (t) => stderr.push(t) });
    expect(server).toBeNull();
    expect(stdout).toEqual([]);
    expect(stderr.join('')).toMatch(/not meant to be run directly/);
  });
});

describe('plugin start', () => {
  test('GIVEN the cookie and a client certificate WHEN run THEN exactly one handshake line reaches stdout', async () => {
    const client = await createServerCertificate();
    const stdout: string[] = [];
    const server = await runPlugin({
      resources: {},
      lookups: {},
      env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_CLIENT_CERT: client.certPem },
      writeStdout: (t) => stdout.push(t),
      logger: createLogger({ write: () => undefined }),
      onExit: () => undefined,
    });
    try {
      expect(stdout).toHaveLength(1);
      expect(stdout[0]).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|[A-Za-z0-9+/]+\n$/);
    } finally {
      await server?.close();
    }
  });
});

describe('provider log', () => {
  test('GIVEN a secret added after configure WHEN a message or field holds it (even multi-line) THEN the line is redacted hclog JSON', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), now: () => new Date('2030-01-01T00:00:00Z') });
    const pemKey = '-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----';
    logger.addSecrets([pemKey]);
    logger.warn(`bad key ${pemKey}`, { detail: { nested: pemKey }, other: 'Bearer abc.def' });
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toEqual({ '@level': 'warn', '@message': 'bad key [REDACTED]', '@module': 'shoreguard', '@timestamp': '2030-01-01T00:00:00.000000Z', detail: { nested: '[REDACTED]' }, other: 'Bearer [REDACTED]' });
  });
});
