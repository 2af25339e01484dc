/** Receipts offline: building the statement, DSSE sign/verify, keys, and tampering that verify names. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedactor } from '../../../sdk/secret';
import { signEnvelope } from '../../../bridge/receipts/dsse';
import { loadSigningKey, loadVerifyingKey, ReceiptKeyError, type SigningKey, type VerifyingKey } from '../../../bridge/receipts/keys';
import { IN_TOTO_PAYLOAD_TYPE, type ReceiptStatement } from '../../../bridge/receipts/statement';
import { verifyReceiptText } from '../../../bridge/receipts/verify';
import { ciRecord, ReceiptWriter } from '../../../bridge/receipts/writer';
import { targetReport, type TargetReport } from '../../../bridge/report/report';
import { preparePolicyText } from '../../../bridge/targets/local';

const DOCUMENT = 'metadata:\n  policy_hash: abc123\n  version: 4\npolicy:\n  filesystem:\n    read_only:\n    - /usr\n';
const API_KEY = `sg_${'a'.repeat(43)}`;

async function keys(type: 'ed25519' | 'p384'): Promise<{ signing: SigningKey; verifying: VerifyingKey; pem: string }> {
  const pair = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    pem,
    signing: await loadSigningKey('env:K', { K: pem }),
    verifying: await loadVerifyingKey('env:P', { P: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
  };
}

async function statementFor(report: Partial<TargetReport> = {}, env: Record<string, string> = {}): Promise<ReceiptStatement> {
  const local = await preparePolicyText(DOCUMENT, { gateway: 'gw', sandbox: 'sb' }, { file: '<stdin>' });
  const writer = new ReceiptWriter({ dir: '/nonexistent', command: 'apply', dryRun: false, server: 'https://sg.example', redact: createRedactor([API_KEY]), env });
  const statement = await writer.buildFor({
    report: { ...targetReport({ gateway: 'gw', sandbox: 'sb', file: '<stdin>', status: 'applied', summary: 'applied 1 change', liveHash: 'abc123', appliedHash: 'def456', mode: 'replace', requestId: 'req-1' }), ...report },
    local,
    startedAt: new Date('2026-12-04T21:00:00Z'),
    finishedAt: new Date('2026-12-04T21:00:01Z'),
  });
  if (statement === undefined) throw new Error('no statement');
  return statement;
}

const asText = (value: unknown) => JSON.stringify(value);
const signed = (statement: unknown, key: SigningKey) => signEnvelope(Buffer.from(JSON.stringify(statement)), key);

describe('receipts', () => {
  it('GIVEN an applied target WHEN its statement is built THEN subject, lock version, request id and "gates not evaluated" are recorded', async () => {
    const statement = await statementFor();
    expect(statement.subject).toEqual([{ name: '<stdin>', digest: { sha256: statement.predicate.document.sha256 } }]);
    expect(statement.predicate).toMatchObject({
      source: { state: 'stdin', commit: null },
      document: { digestOf: 'canonical', policyHash: 'abc123', version: 4 },
      request: { sent: true, mode: 'replace', expectedVersion: 'abc123', requestIds: ['req-1'] },
      // The lock matched, so the version before is the file's; no read-back was configured.
      live: { before: { hash: 'abc123', version: 4 }, after: { hash: 'def456', version: null } },
      gates: { evaluated: false },
      timestamps: { startedAt: '2026-12-04T21:00:00.000Z', finishedAt: '2026-12-04T21:00:01.000Z' },
    });
  });

  it('GIVEN gate findings, a GitHub Actions job and a key echoed into a message WHEN built THEN gates and CI recorded, the key redacted', async () => {
    const statement = await statementFor(
      {
        status: 'error',
        result: 'error',
        summary: `apply failed: Bearer ${API_KEY} rejected`,
        error: { code: 'auth', message: `key ${API_KEY} rejected`, status: 401 },
        gates: { packs: ['builtin@1'], errors: 0, warnings: 1, suppressed: 0, findings: [{ ruleId: 'SG001', severity: 'warning', message: 'wide egress', file: 'gw/sb.yaml', line: 3 }] },
      },
      { GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'org/policies', GITHUB_RUN_ID: '42', GITHUB_SHA: 'a'.repeat(40), GITHUB_ACTOR: 'alice' },
    );
    expect(asText(statement)).not.toContain(API_KEY);
    expect(statement.predicate.outcome.error?.message).toBe('key [REDACTED] rejected');
    expect(statement.predicate.gates).toMatchObject({ evaluated: true, warnings: 1, findings: [{ ruleId: 'SG001', line: 3 }] });
    expect(statement.predicate.ci).toEqual({
      provider: 'github',
      runUrl: 'https://github.com/org/policies/actions/runs/42',
      repository: 'org/policies',
      ref: null,
      commit: 'a'.repeat(40),
      actor: 'alice',
      workflow: null,
    });
    expect(ciRecord({ GITLAB_CI: 'true', CI_JOB_URL: 'https://gitlab.example/j/1' })).toMatchObject({ provider: 'gitlab', runUrl: 'https://gitlab.example/j/1' });
  });

  it.each(['ed25519', 'p384'] as const)('GIVEN a %s key WHEN a statement is signed THEN it verifies, and any changed byte of payload, type or signature fails', async (type) => {
    const { signing, verifying } = await keys(type);
    const statement = await statementFor();
    const envelope = signed(statement, signing);
    expect(envelope).toMatchObject({ payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ keyid: signing.keyid }] });
    expect(signing.keyid).toBe(verifying.keyid);
    const good = await verifyReceiptText(asText(envelope), 'r.json', { publicKey: verifying });
    expect(good).toMatchObject({ ok: true, signed: true, keyid: verifying.keyid, problems: [] });

    const changedPayload = { ...envelope, payload: Buffer.from(JSON.stringify({ ...statement, predicate: { ...statement.predicate, dryRun: true } })).toString('base64') };
    const flippedSig = (() => {
      const sig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
      sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 1;
      return { ...envelope, signatures: [{ keyid: signing.keyid, sig: sig.toString('base64') }] };
    })();
    const changedType = { ...envelope, payloadType: 'application/json' };
    for (const tampered of [changedPayload, flippedSig, changedType]) {
      const result = await verifyReceiptText(asText(tampered), 'r.json', { publicKey: verifying });
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual(expect.objectContaining({ code: 'signature_invalid', path: 'signatures' }));
    }
    // Without a key the signature is not checked, and that is said (a warning, not a pass in silence).
    const unchecked = await verifyReceiptText(asText(envelope), 'r.json');
    expect(unchecked).toMatchObject({ ok: true, problems: [expect.objectContaining({ code: 'signature_not_checked', severity: 'warning' })] });
  });

  it('GIVEN an unsigned statement WHEN a field is changed THEN verify names the field that no longer agrees', async () => {
    const statement = await statementFor();
    const cases: [string, unknown, string, string][] = [
      ['subject digest', { ...statement, subject: [{ name: '<stdin>', digest: { sha256: '0'.repeat(64) } }] }, 'receipt_inconsistent', 'subject[0].digest.sha256'],
      ['subject name', { ...statement, subject: [{ ...statement.subject[0], name: 'other.yaml' }] }, 'receipt_inconsistent', 'subject[0].name'],
      ['status vs result', { ...statement, predicate: { ...statement.predicate, outcome: { ...statement.predicate.outcome, status: 'conflict' } } }, 'receipt_inconsistent', 'predicate.outcome.result'],
      ['vote id', { ...statement, predicate: { ...statement.predicate, document: { ...statement.predicate.document, voteChunkId: 'policy.apply:0000000000000000' } } }, 'receipt_inconsistent', 'predicate.document.voteChunkId'],
      ['unknown status', { ...statement, predicate: { ...statement.predicate, outcome: { ...statement.predicate.outcome, status: 'approved' } } }, 'statement_invalid', 'predicate.outcome.status'],
      ['extra field', { ...statement, predicate: { ...statement.predicate, apiKey: 'x' } }, 'statement_invalid', 'predicate'],
      ['predicate type', { ...statement, predicateType: 'https://slsa.dev/provenance/v1' }, 'statement_invalid', 'predicateType'],
    ];
    for (const [what, tampered, code, path] of cases) {
      const result = await verifyReceiptText(asText(tampered), 'r.json');
      expect({ what, ok: result.ok }).toEqual({ what, ok: false });
      expect(result.problems[0]).toMatchObject({ code, path });
    }
    expect((await verifyReceiptText('{"payloadType": 1}', 'r.json')).problems[0]).toMatchObject({ code: 'receipt_malformed', path: 'payloadType' });
    expect((await verifyReceiptText('not json', 'r.json')).problems[0]).toMatchObject({ code: 'receipt_malformed' });
  });

  it('GIVEN another key pair WHEN verifying THEN key_mismatch names both key ids', async () => {
    const a = await keys('ed25519');
    const b = await keys('ed25519');
    const result = await verifyReceiptText(asText(signed(await statementFor(), a.signing)), 'r.json', { publicKey: b.verifying });
    expect(result.problems[0]).toMatchObject({ code: 'key_mismatch' });
    expect(result.problems[0]?.message).toContain(a.signing.keyid);
    expect(result.problems[0]?.message).toContain(b.verifying.keyid);
  });

  describe('keys', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'receipt-keys-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('GIVEN a PEM with literal \\n escapes in a variable WHEN loaded THEN it works, and its secrets cover the PEM body', async () => {
      const { pem } = await keys('ed25519');
      const key = await loadSigningKey('env:K', { K: pem.replace(/\n/g, '\\n') });
      expect(key.algorithm).toBe('ed25519');
      const body = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
      expect(key.secrets).toContain(body);
    });

    it('GIVEN keys that cannot be used WHEN loaded THEN a ReceiptKeyError naming the flag and never the key', async () => {
      const { pem } = await keys('ed25519');
      const encrypted = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
      const file = join(dir, 'enc.pem');
      await writeFile(file, encrypted);
      await expect(loadSigningKey(file, {})).rejects.toThrow(`--signing-key ${file} cannot be used: it is encrypted`);
      await expect(loadSigningKey('env:1BAD', {})).rejects.toThrow(ReceiptKeyError);
      const notPublic = loadVerifyingKey('env:P', { P: pem });
      await expect(notPublic).rejects.toThrow('--public-key env:P holds a private key');
      for (const attempt of [loadSigningKey('env:K', { K: pem.slice(0, 80) }), loadVerifyingKey('env:P', { P: pem.replace('PRIVATE', 'PUBLIC') })]) {
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error).toBeInstanceOf(ReceiptKeyError);
        expect(error?.message).not.toContain(pem.split('\n')[1]?.slice(0, 20));
      }
    });
  });
});
