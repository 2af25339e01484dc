/**
 * Evidence receipts through the CLI against the emulator: one receipt per target and run for
 * every outcome (applied, up to date, vote recorded, pinned, conflict, error, invalid, skipped,
 * dry run), signed and unsigned, verified by `verify-receipt`, and never holding a secret.
 */
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient, type ShoreGuardClient } from '../../../sdk';
import { keyidOf } from '../../../bridge/receipts/keys';
import { receiptStatementSchema, type ReceiptStatement } from '../../../bridge/receipts/statement';
import { BASE_POLICY, readText, runCli, runJson, useGitopsEmulator, writeText } from './harness';

const exec = promisify(execFile);

interface Keys {
  readonly privatePem: string;
  readonly publicPem: string;
  /** Forms of the private key that must never appear anywhere. */
  readonly leakForms: readonly string[];
}

function keyPair(type: 'ed25519' | 'ec'): Keys {
  const pair = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwk = pair.privateKey.export({ format: 'jwk' });
  const body = privatePem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
  const d = Buffer.from(String(jwk.d), 'base64url');
  return {
    privatePem,
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    leakForms: [body.join(''), ...body, String(jwk.d), d.toString('hex'), d.toString('base64')],
  };
}

/** Every receipt file in the directory, as text. */
async function receiptTexts(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names.filter((n) => n.endsWith('.receipt.json')).sort()) out.set(join(dir, name), await readFile(join(dir, name), 'utf8'));
  return out;
}

/** The statement in a receipt (decoding the DSSE payload when signed), checked with the zod model. */
function statementOf(text: string): ReceiptStatement {
  const json = JSON.parse(text) as { payload?: string };
  const statement = json.payload === undefined ? json : JSON.parse(Buffer.from(json.payload, 'base64').toString('utf8'));
  return receiptStatementSchema.parse(statement);
}

describe('apply/sync --receipt-dir', () => {
  const { emulator, dir, env } = useGitopsEmulator();
  let tree: string;
  let file: string;
  let receipts: string;
  let admin: ShoreGuardClient;
  const ed25519 = keyPair('ed25519');
  const p256 = keyPair('ec');
  /** Every receipt text any test wrote, for the key-leak search at the end. */
  const written: string[] = [];
  const apiKeys: string[] = [];

  async function git(...args: string[]): Promise<string> {
    const { stdout } = await exec('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: tree });
    return stdout.trim();
  }

  const SIGN = ['--signing-key', 'env:RECEIPT_KEY'];
  const signedEnv = () => ({ ...env(), RECEIPT_KEY: ed25519.privatePem });

  /** The receipts written so far; each one must pass verify-receipt (with its signer's public key when signed). */
  async function collect(from: string = receipts): Promise<Map<string, string>> {
    const texts = await receiptTexts(from);
    written.push(...texts.values());
    const groups = new Map<string, string[]>();
    for (const [receiptFile, text] of texts) {
      const keyid = (JSON.parse(text) as { signatures?: { keyid: string }[] }).signatures?.[0]?.keyid ?? 'unsigned';
      groups.set(keyid, [...(groups.get(keyid) ?? []), receiptFile]);
    }
    for (const [keyid, files] of groups) {
      const signer = [ed25519, p256].find((k) => keyidOf(createPublicKey(k.publicPem)) === keyid);
      const keyFile = join(dir(), `verify-${files.length}.pub`);
      if (signer !== undefined) await writeFile(keyFile, signer.publicPem);
      expect({ keyid, known: keyid === 'unsigned' || signer !== undefined }).toEqual({ keyid, known: true });
      const verified = await runJson(['verify-receipt', ...files, ...(signer === undefined ? [] : ['--public-key', keyFile])]);
      expect({ files, code: verified.code, counts: verified.report.counts }).toEqual({ files, code: 0, counts: { valid: files.length } });
      expect(verified.report.targets.flatMap((t) => t.problems)).toEqual([]);
    }
    return texts;
  }

  async function onlyReceipt(): Promise<{ file: string; text: string; statement: ReceiptStatement }> {
    const texts = await collect();
    expect(texts.size).toBe(1);
    const [[receiptFile, text]] = [...texts] as [[string, string]];
    return { file: receiptFile, text, statement: statementOf(text) };
  }

  async function edit(target: string, change: (text: string) => string): Promise<void> {
    await writeText(target, change(await readText(target)));
  }

  const addTmp2 = (text: string) => text.replace('    - /tmp\n', '    - /tmp\n    - /tmp2\n');

  beforeEach(async () => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', BASE_POLICY);
    emulator().state.seedSandbox('gw', 'sb2', BASE_POLICY);
    apiKeys.push(...Object.values(emulator().keys));
    admin = createClient({ url: emulator().url, token: emulator().keys.admin });
    tree = join(dir(), 'policies');
    file = join(tree, 'gw', 'sb.yaml');
    receipts = join(dir(), 'receipts');
    expect((await runCli(['export', '--all', '--dir', tree], { env: env() })).code).toBe(0);
    await exec('git', ['init', '-q'], { cwd: tree });
    await git('add', '.');
    await git('commit', '-q', '-m', 'export');
    emulator().resetStats();
  });

  afterEach(async () => {
    await admin.close();
  });

  it('GIVEN a committed change WHEN applied with an Ed25519 key THEN a signed receipt that verifies, with commit, digest, hashes, versions and request id', async () => {
    await edit(file, addTmp2);
    await git('commit', '-qam', 'add /tmp2');
    const head = await git('rev-parse', 'HEAD');
    const keyFile = join(dir(), 'signing.pem');
    await writeFile(keyFile, ed25519.privatePem);
    const applied = await runJson(['apply', '-f', file, '-g', 'gw', '-s', 'sb', '--receipt-dir', receipts, '--signing-key', keyFile], { env: env() });
    expect(applied.code).toBe(0);
    const { file: receiptFile, text, statement } = await onlyReceipt();
    expect(applied.report.targets[0]?.receipt).toBe(receiptFile);
    expect(JSON.parse(text)).toMatchObject({ payloadType: 'application/vnd.in-toto+json', signatures: [{ keyid: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }] });
    const live = await admin.policies.export('gw', 'sb');
    expect(statement).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://shoreguard-iac.dev/receipt/v1',
      subject: [{ name: 'gw/sb.yaml' }],
      predicate: {
        command: 'apply',
        dryRun: false,
        target: { gateway: 'gw', sandbox: 'sb' },
        server: { url: emulator().url },
        source: { path: 'gw/sb.yaml', commit: head, state: 'clean' },
        document: { digestOf: 'canonical' },
        request: { sent: true, mode: 'replace', requestIds: [applied.report.targets[0]?.requestId] },
        outcome: { status: 'applied', result: 'clean' },
        live: { after: { hash: live.policyHash, version: live.version } },
        gates: { evaluated: false },
        ci: null,
      },
    });
    expect(statement.predicate.live.before.hash).toBe(statement.predicate.request.expectedVersion);
    expect(statement.predicate.live.before.version).toBe(live.version - 1);
    // The digest is of the canonical bytes sent: the vote id ShoreGuard computes from the same bytes.
    expect(statement.predicate.document.voteChunkId).toBe(`policy.apply:${statement.subject[0]?.digest.sha256.slice(0, 16)}`);

    const publicKey = join(dir(), 'public.pem');
    await writeFile(publicKey, ed25519.publicPem);
    const verified = await runJson(['verify-receipt', receiptFile, '--public-key', publicKey, '--check-file', '--repo', tree]);
    expect(verified.code).toBe(0);
    expect(verified.report.targets[0]).toMatchObject({ status: 'valid', gateway: 'gw', sandbox: 'sb' });
    expect(verified.report.targets[0]?.summary).toContain('signature verified');

    // After the commit moves on, the receipt still names the commit that held the bytes.
    await edit(file, (t) => t.replace('  - /tmp2\n', '  - /tmp3\n'));
    await git('commit', '-qam', 'another change');
    expect((await runJson(['verify-receipt', receiptFile, '--public-key', publicKey, '--check-file', '--repo', tree])).code).toBe(0);
  });

  it('GIVEN an ECDSA P-256 key in an environment variable WHEN synced THEN every target gets a signed receipt of its own outcome', async () => {
    await edit(file, addTmp2);
    await git('commit', '-qam', 'change sb');
    const run = await runJson(['sync', '--dir', tree, '--receipt-dir', receipts, '--signing-key', 'env:RECEIPT_KEY'], { env: { ...env(), RECEIPT_KEY: p256.privatePem } });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/receipts: 2 written to .* \(signed with keyid sha256:[0-9a-f]{64}, run \d{8}T\d{6}Z-[0-9a-f]{6}\)/);
    const texts = await collect();
    const statements = [...texts.values()].map(statementOf);
    expect(statements.map((s) => [s.predicate.target.sandbox, s.predicate.outcome.status, s.predicate.command]).sort()).toEqual([
      ['sb', 'applied', 'sync'],
      ['sb2', 'up_to_date', 'sync'],
    ]);
    expect(new Set(statements.map((s) => s.predicate.runId)).size).toBe(1);
    const upToDate = statements.find((s) => s.predicate.outcome.status === 'up_to_date');
    expect(upToDate?.predicate.live.before).toEqual(upToDate?.predicate.live.after);
    const publicKey = join(dir(), 'public.pem');
    await writeFile(publicKey, p256.publicPem);
    const verified = await runJson(['verify-receipt', ...texts.keys(), '--public-key', publicKey, '--check-file', '--repo', tree]);
    expect(verified.code).toBe(0);
    expect(verified.report.counts).toEqual({ valid: 2 });
    // The other engineer's key does not verify these receipts, and says so.
    const otherKey = join(dir(), 'other.pem');
    await writeFile(otherKey, ed25519.publicPem);
    const wrong = await runJson(['verify-receipt', ...texts.keys(), '--public-key', otherKey]);
    expect(wrong.code).toBe(2);
    expect(wrong.report.targets[0]?.problems[0]).toMatchObject({ code: 'key_mismatch', path: 'signatures' });
  });

  it('GIVEN a quorum workflow WHEN the first voter applies THEN an unsigned receipt records the vote chunk with votes cast and needed', async () => {
    await admin.workflows.put('gw', 'sb', { requiredApprovals: 2 });
    await edit(file, addTmp2);
    await git('commit', '-qam', 'change');
    const run = await runJson(['apply', '--dir', tree, file, '--receipt-dir', receipts], { env: env() });
    expect(run.code).toBe(1);
    const { statement, file: receiptFile } = await onlyReceipt();
    expect(statement.predicate).toMatchObject({
      outcome: { status: 'vote_recorded', result: 'changes' },
      votes: { cast: 1, needed: 2, chunkId: statement.predicate.document.voteChunkId },
    });
    expect(statement.predicate.live.after).toEqual(statement.predicate.live.before);
    const verified = await runJson(['verify-receipt', receiptFile, '--check-file', '--repo', tree]);
    expect(verified.code).toBe(0);
    expect(verified.report.targets[0]?.summary).toContain('unsigned');
  });

  it('GIVEN the same voter applying twice WHEN ShoreGuard answers "already voted" THEN the second receipt records the standing vote and its request id', async () => {
    await admin.workflows.put('gw', 'sb', { requiredApprovals: 2 });
    await edit(file, addTmp2);
    expect((await runCli(['apply', '--dir', tree, file, '--receipt-dir', join(receipts, 'first')], { env: env() })).code).toBe(1);
    const again = await runJson(['apply', '--dir', tree, file, '--receipt-dir', receipts], { env: env() });
    expect(again.code).toBe(1);
    const { statement } = await onlyReceipt();
    expect(statement.predicate).toMatchObject({ outcome: { status: 'vote_recorded' }, votes: { cast: 1, needed: 2 } });
    expect(statement.predicate.request.requestIds).toHaveLength(1);
    await collect(join(receipts, 'first'));
  });

  it('GIVEN the apply response lost WHEN the outcome is read back THEN the receipt says recovered, with the sent request id and the live hash after', async () => {
    await edit(file, addTmp2);
    emulator().faults.inject({ kind: 'lose-response', count: 1, match: { method: 'POST', path: /apply/ } });
    const run = await runJson(['apply', '--dir', tree, file, '--receipt-dir', receipts, ...SIGN], { env: signedEnv() });
    expect(run.code).toBe(0);
    const { statement } = await onlyReceipt();
    const live = await admin.policies.export('gw', 'sb');
    expect(statement.predicate).toMatchObject({
      outcome: { status: 'applied', recovered: expect.stringContaining('read back') },
      live: { before: { hash: null, version: null }, after: { hash: live.policyHash } },
    });
    expect(statement.predicate.request.requestIds).toEqual([run.report.targets[0]?.requestId]);
    expect(statement.predicate.request.requestIds[0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('GIVEN a pinned sandbox WHEN applied THEN the receipt records the pin and no write', async () => {
    await admin.pins.pin('gw', 'sb', { reason: 'change freeze' });
    await edit(file, addTmp2);
    const run = await runJson(['apply', '--dir', tree, file, '--receipt-dir', receipts, ...SIGN], { env: signedEnv() });
    expect(run.code).toBe(2);
    const { statement } = await onlyReceipt();
    expect(statement.predicate).toMatchObject({
      outcome: { status: 'pinned', result: 'error' },
      pin: { reason: 'change freeze', pinnedBy: 'sp:emulator-admin' },
      // The edit is not committed: the receipt must not claim the commit holds these bytes.
      source: { state: 'modified' },
    });
    expect(statement.predicate.request.requestIds).toHaveLength(1);
  });

  it('GIVEN a stale lock WHEN applied THEN the receipt records the conflict with the live hash', async () => {
    await admin.policies.apply('gw', 'sb', { yaml: (await readText(join(tree, 'gw', 'sb.yaml'))).replace('    - /tmp\n', '    - /tmp\n    - /elsewhere\n') });
    const live = await admin.policies.export('gw', 'sb');
    await edit(file, addTmp2);
    const run = await runJson(['apply', '--dir', tree, file, '--receipt-dir', receipts, ...SIGN], { env: signedEnv() });
    expect(run.code).toBe(2);
    const { statement } = await onlyReceipt();
    expect(statement.predicate).toMatchObject({
      outcome: { status: 'conflict' },
      live: { before: { hash: live.policyHash }, after: { hash: live.policyHash } },
    });
    expect(statement.predicate.request.expectedVersion).not.toBe(live.policyHash);
  });

  it('GIVEN a server failure WHEN applied THEN the receipt records the error with its request id', async () => {
    await edit(file, addTmp2);
    emulator().faults.inject({ kind: 'status', status: 500, count: 1, match: { method: 'POST', path: /apply/ } });
    const run = await runJson(['apply', '--dir', tree, file, '--receipt-dir', receipts, ...SIGN], { env: signedEnv() });
    expect(run.code).toBe(2);
    const { statement } = await onlyReceipt();
    expect(statement.predicate.outcome).toMatchObject({ status: 'error', error: { code: 'server', status: 500 } });
    expect(statement.predicate.request.requestIds).toEqual([statement.predicate.outcome.error?.requestId]);
  });

  it('GIVEN one invalid file WHEN synced THEN receipts for the invalid file (its bytes as read) and the skipped one, and nothing sent', async () => {
    await writeText(join(tree, 'gw', 'sb2.yaml'), 'policy:\n  process:\n    run_as_user: 1000\n');
    const run = await runJson(['sync', '--dir', tree, '--receipt-dir', receipts], { env: env() });
    expect(run.code).toBe(2);
    expect(emulator().stats().requests).toBe(0);
    const statements = [...(await collect()).values()].map(statementOf);
    const bySandbox = Object.fromEntries(statements.map((s) => [s.predicate.target.sandbox, s.predicate]));
    expect(bySandbox['sb2']).toMatchObject({ outcome: { status: 'invalid', problems: ['invalid_type'] }, document: { digestOf: 'file', voteChunkId: null }, request: { sent: false } });
    expect(bySandbox['sb']).toMatchObject({ outcome: { status: 'skipped' }, document: { digestOf: 'canonical' }, request: { sent: false }, source: { state: 'clean' } });
  });

  it('GIVEN sync --dry-run WHEN one target drifts THEN plan receipts (dry run) with in_sync and drift', async () => {
    await edit(file, addTmp2);
    const run = await runJson(['sync', '--dir', tree, '--dry-run', '--receipt-dir', receipts, ...SIGN], { env: signedEnv() });
    expect(run.code).toBe(1);
    const statements = [...(await collect()).values()].map(statementOf);
    expect(statements.map((s) => [s.predicate.dryRun, s.predicate.outcome.status]).sort()).toEqual([
      [true, 'drift'],
      [true, 'in_sync'],
    ]);
    expect(statements.every((s) => s.predicate.request.requestIds.length === 1 && s.predicate.request.mode === null)).toBe(true);
  });

  it('GIVEN a receipt WHEN one field is changed THEN verify fails naming what changed (signature, subject digest, or the file at the commit)', async () => {
    await edit(file, addTmp2);
    await git('commit', '-qam', 'change');
    const keyFile = join(dir(), 'signing.pem');
    await writeFile(keyFile, ed25519.privatePem);
    const publicKey = join(dir(), 'public.pem');
    await writeFile(publicKey, ed25519.publicPem);
    expect((await runCli(['apply', '--dir', tree, file, '--receipt-dir', receipts, '--signing-key', keyFile], { env: env() })).code).toBe(0);
    const { file: signedFile, text } = await onlyReceipt();

    // Signed: the outcome rewritten inside the payload.
    const envelope = JSON.parse(text) as { payload: string };
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as ReceiptStatement;
    const forged = { ...payload, predicate: { ...payload.predicate, server: { url: 'https://evil.example' } } };
    const tamperedSigned = join(dir(), 'tampered-signed.json');
    await writeFile(tamperedSigned, JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(forged)).toString('base64') }));
    const signedRun = await runJson(['verify-receipt', tamperedSigned, '--public-key', publicKey]);
    expect(signedRun.code).toBe(2);
    expect(signedRun.report.targets[0]?.problems).toEqual([expect.objectContaining({ code: 'signature_invalid', path: 'signatures' })]);

    // Unsigned: the subject digest swapped.
    const bare = join(dir(), 'bare.json');
    await writeFile(bare, JSON.stringify({ ...payload, subject: [{ name: 'gw/sb.yaml', digest: { sha256: 'f'.repeat(64) } }] }));
    const bareRun = await runJson(['verify-receipt', bare]);
    expect(bareRun.code).toBe(2);
    expect(bareRun.report.targets[0]?.problems[0]).toMatchObject({ code: 'receipt_inconsistent', path: 'subject[0].digest.sha256' });
    expect(bareRun.report.targets[0]?.summary).toContain(`predicate.document.sha256 is ${payload.predicate.document.sha256}`);

    // A bare statement where a signature is required.
    const unsigned = join(dir(), 'unsigned.json');
    await writeFile(unsigned, JSON.stringify(payload));
    expect((await runJson(['verify-receipt', unsigned, '--public-key', publicKey])).report.targets[0]?.problems[0]).toMatchObject({ code: 'receipt_unsigned' });

    // History rewritten: the old commit still holds the bytes, so the signed receipt still checks out.
    await edit(file, (t) => t.replace('  - /tmp2\n', '  - /tmp9\n'));
    await git('commit', '-q', '--amend', '-a', '--no-edit');
    expect((await runJson(['verify-receipt', signedFile, '--public-key', publicKey, '--check-file', '--repo', tree])).code).toBe(0);
    // A receipt that names the rewritten commit: --check-file names the digest that differs.
    const amended = await git('rev-parse', 'HEAD');
    const renamed = join(dir(), 'renamed.json');
    await writeFile(renamed, JSON.stringify({ ...payload, predicate: { ...payload.predicate, source: { ...payload.predicate.source, commit: amended } } }));
    const changed = await runJson(['verify-receipt', renamed, '--check-file', '--repo', tree]);
    expect(changed.code).toBe(2);
    expect(changed.report.targets[0]?.problems).toEqual([expect.objectContaining({ code: 'file_changed', path: 'subject[0].digest.sha256' })]);
    expect(changed.report.targets[0]?.summary).toContain(`gw/sb.yaml at ${amended} has sha256`);
  });

  it('GIVEN --rules WHEN synced THEN each receipt records the rule-pack results; a blocking finding is recorded on the invalid target', async () => {
    await writeText(join(tree, 'gw', 'sb2.yaml'), (await readText(join(tree, 'gw', 'sb2.yaml'))).replace('run_as_user: sandbox', 'run_as_user: root'));
    const blocked = await runJson(['sync', '--dir', tree, '--rules', 'builtin', '--receipt-dir', receipts, ...SIGN], { env: signedEnv() });
    expect(blocked.code).toBe(2);
    const bySandbox = Object.fromEntries([...(await collect()).values()].map(statementOf).map((s) => [s.predicate.target.sandbox, s.predicate]));
    expect(bySandbox['sb2']).toMatchObject({
      outcome: { status: 'invalid' },
      gates: { evaluated: true, packs: [expect.stringMatching(/^builtin@/)], errors: 1, findings: expect.arrayContaining([expect.objectContaining({ ruleId: 'SG009', severity: 'error' })]) },
    });
    expect(bySandbox['sb']).toMatchObject({ outcome: { status: 'skipped' }, gates: { evaluated: true, errors: 0 } });
  });

  it('GIVEN a bad signing key WHEN applied THEN exit 2 naming the flag, nothing sent, no receipt, and the key never printed', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [string[], Record<string, string>, string][] = [
      [['--signing-key', 'env:NOPE'], {}, '--signing-key env:NOPE: the variable NOPE is not set'],
      [['--signing-key', 'env:KEY'], { KEY: 'not a key at all' }, '--signing-key env:KEY cannot be used: it is not a PEM private key'],
      [['--signing-key', 'env:KEY'], { KEY: rsa }, 'is a rsa key; use Ed25519 or ECDSA'],
      [['--signing-key', join(dir(), 'missing.pem')], {}, `cannot read --signing-key ${join(dir(), 'missing.pem')} (ENOENT)`],
    ];
    for (const [flags, extra, message] of cases) {
      const run = await runCli(['apply', '--dir', tree, '--receipt-dir', receipts, ...flags], { env: { ...env(), ...extra } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stdout + run.stderr).not.toContain(rsa.split('\n')[1]);
    }
    const orphan = await runCli(['apply', '--dir', tree, '--signing-key', 'env:KEY'], { env: { ...env(), KEY: ed25519.privatePem } });
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain('--signing-key signs receipts: give --receipt-dir');
    expect(emulator().stats().requests).toBe(0);
    expect((await collect()).size).toBe(0);
  });

  it('GIVEN a receipt directory that cannot be written WHEN applied THEN the apply is reported and the run fails for the missing evidence', async () => {
    await edit(file, addTmp2);
    const blocker = join(dir(), 'blocker');
    await writeFile(blocker, 'a file where the directory should be');
    const run = await runJson(['apply', '--dir', tree, file, '--receipt-dir', join(blocker, 'receipts')], { env: env() });
    expect(run.report.targets[0]?.status).toBe('applied');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: cannot write the receipt ${join(blocker, 'receipts')}`);
  });

  it('GIVEN every receipt the tests above wrote WHEN searched THEN no API key and no form of the signing keys appears (payloads decoded)', async () => {
    expect(written.length).toBeGreaterThanOrEqual(12);
    const secrets = [...new Set(apiKeys)];
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const text of written) {
      const decoded = JSON.parse(text) as { payload?: string };
      const haystack = decoded.payload === undefined ? text : `${text}\n${Buffer.from(decoded.payload, 'base64').toString('utf8')}`;
      for (const secret of [...secrets, ...ed25519.leakForms, ...p256.leakForms]) expect(haystack).not.toContain(secret);
      expect(haystack).not.toMatch(/PRIVATE KEY/);
      expect(haystack).not.toMatch(/sg_[A-Za-z0-9_-]{16,}/);
    }
  });
});
