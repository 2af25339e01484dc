/**
 * Verifying a receipt: the DSSE signature (with `--public-key`), the statement's shape (the zod
 * model names the field), the statement's own consistency (subject vs predicate, vote id vs
 * digest, result vs status), and optionally that the policy file at the recorded commit still has
 * the recorded digest. Every failure is a problem naming what does not match.
 */
import { createHash } from 'node:crypto';
import { canonicalizeText } from '../document/canonical';
import { voteChunkId } from '../document/vote-id';
import { formatPath, type Problem, type ProblemCode } from '../core/problems';
import { STATUS_CLASS } from '../report/report';
import { decodeEnvelope, envelopeJsonSchema, verifyEnvelope } from './dsse';
import type { VerifyingKey } from './keys';
import { fileAtCommit } from './source';
import { IN_TOTO_PAYLOAD_TYPE, receiptStatementSchema, type ReceiptStatement } from './statement';

export interface VerifyReceiptOptions {
  /** Check the DSSE signature with this key; an unsigned receipt then fails. */
  readonly publicKey?: VerifyingKey;
  /** Check that the file at the recorded commit, in this git repository, has the recorded digest. */
  readonly checkFileIn?: string;
}

export interface ReceiptVerification {
  /** The receipt file. */
  readonly file: string;
  readonly ok: boolean;
  readonly signed: boolean;
  /** Set when the signature was checked and verified. */
  readonly keyid?: string;
  /** The statement, when it could be read (also when a check failed). */
  readonly statement?: ReceiptStatement;
  readonly problems: readonly Problem[];
}

export async function verifyReceiptText(text: string, file: string, options: VerifyReceiptOptions = {}): Promise<ReceiptVerification> {
  const problems: Problem[] = [];
  const problem = (code: ProblemCode, message: string, where = '', severity: Problem['severity'] = 'error') =>
    problems.push({ file, path: where, code, message, severity });
  const done = (extra: Partial<ReceiptVerification> = {}): ReceiptVerification => ({
    file,
    signed: false,
    ...extra,
    ok: !problems.some((p) => p.severity === 'error'),
    problems,
  });

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problem('receipt_malformed', `not JSON: ${(error as Error).message}`);
    return done();
  }

  let signed = false;
  let keyid: string | undefined;
  let statementJson: unknown = json;
  if (typeof json === 'object' && json !== null && 'payloadType' in json) {
    signed = true;
    const envelope = envelopeJsonSchema.safeParse(json);
    if (!envelope.success) {
      for (const issue of envelope.error.issues) problem('receipt_malformed', `DSSE envelope: ${issue.message}`, formatPath(issue.path.map(toSegment)));
      return done({ signed });
    }
    if (envelope.data.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      problem('statement_invalid', `payloadType is ${JSON.stringify(envelope.data.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`, 'payloadType');
    }
    if (options.publicKey === undefined) {
      problem('signature_not_checked', 'the receipt is signed, but no --public-key was given to check the signature', 'signatures', 'warning');
    } else {
      const check = verifyEnvelope(envelope.data, options.publicKey);
      if (check.ok) keyid = check.keyid;
      else problem(check.code, check.message, 'signatures');
    }
    try {
      statementJson = JSON.parse(decodeEnvelope(envelope.data).payload.toString('utf8'));
    } catch (error) {
      problem('receipt_malformed', `the payload is not JSON: ${(error as Error).message}`, 'payload');
      return done({ signed });
    }
  } else if (options.publicKey !== undefined) {
    problem('receipt_unsigned', 'the receipt is a bare statement without a signature, but --public-key asks for a signed one');
  }

  const parsed = receiptStatementSchema.safeParse(statementJson);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problem('statement_invalid', issue.message, formatPath(issue.path.map(toSegment)));
    return done({ signed, ...(keyid === undefined ? {} : { keyid }) });
  }
  const statement = parsed.data;
  checkConsistency(statement, problem);
  if (options.checkFileIn !== undefined) await checkFile(statement, options.checkFileIn, problem);
  return done({ signed, statement, ...(keyid === undefined ? {} : { keyid }) });
}

type Report = (code: ProblemCode, message: string, where?: string) => void;

/** Facts the statement states twice must agree: a change to one of them names the field. */
function checkConsistency(statement: ReceiptStatement, problem: Report): void {
  const { predicate } = statement;
  const subject = statement.subject[0];
  if (subject === undefined) return;
  if (subject.digest.sha256 !== predicate.document.sha256) {
    problem(
      'receipt_inconsistent',
      `subject[0].digest.sha256 is ${subject.digest.sha256}, but predicate.document.sha256 is ${predicate.document.sha256}`,
      'subject[0].digest.sha256',
    );
  }
  if (subject.name !== predicate.source.path) {
    problem('receipt_inconsistent', `subject[0].name is ${JSON.stringify(subject.name)}, but predicate.source.path is ${JSON.stringify(predicate.source.path)}`, 'subject[0].name');
  }
  if (predicate.document.digestOf === 'canonical') {
    const expected = `policy.apply:${predicate.document.sha256.slice(0, 16)}`;
    if (predicate.document.voteChunkId !== expected) {
      problem('receipt_inconsistent', `predicate.document.voteChunkId is ${String(predicate.document.voteChunkId)}, but the digest gives ${expected}`, 'predicate.document.voteChunkId');
    }
  }
  const result = STATUS_CLASS[predicate.outcome.status];
  if (predicate.outcome.result !== result) {
    problem('receipt_inconsistent', `predicate.outcome.result is ${predicate.outcome.result}, but status ${predicate.outcome.status} is ${result}`, 'predicate.outcome.result');
  }
  const sent = predicate.outcome.status !== 'invalid' && predicate.outcome.status !== 'skipped';
  if (predicate.request.sent !== sent) {
    problem('receipt_inconsistent', `predicate.request.sent is ${predicate.request.sent}, but status ${predicate.outcome.status} means ${sent ? 'sent' : 'not sent'}`, 'predicate.request.sent');
  }
  if (predicate.timestamps.finishedAt < predicate.timestamps.startedAt) {
    problem('receipt_inconsistent', 'predicate.timestamps.finishedAt is before startedAt', 'predicate.timestamps');
  }
}

/** The file at the recorded commit must still give the recorded digest (canonical bytes, or the raw file). */
async function checkFile(statement: ReceiptStatement, repository: string, problem: Report): Promise<void> {
  const { source, document } = statement.predicate;
  if (source.commit === null || source.state !== 'clean') {
    problem(
      'commit_not_recorded',
      `the receipt records no commit holding these bytes (source.state ${source.state}${source.commit === null ? '' : ` at ${source.commit}`}), so the file cannot be checked`,
      'predicate.source',
    );
    return;
  }
  const text = await fileAtCommit(repository, source.commit, source.path);
  if (text === undefined) {
    problem('file_changed', `${source.path} is not in commit ${source.commit} of the repository ${repository}`, 'predicate.source.path');
    return;
  }
  let bytes = text;
  if (document.digestOf === 'canonical') {
    try {
      bytes = canonicalizeText(text);
    } catch (error) {
      problem('file_changed', `${source.path} at ${source.commit} is no longer a valid policy document: ${(error as Error).message.split('\n')[0]}`, 'predicate.source.path');
      return;
    }
  }
  const digest = createHash('sha256').update(bytes, 'utf8').digest('hex');
  if (digest !== statement.subject[0]?.digest.sha256) {
    problem(
      'file_changed',
      `${source.path} at ${source.commit} has sha256 ${digest} (${document.digestOf} bytes), but the receipt records ${statement.subject[0]?.digest.sha256 ?? 'none'}`,
      'subject[0].digest.sha256',
    );
  } else if (document.voteChunkId !== null && voteChunkId(bytes) !== document.voteChunkId) {
    problem('file_changed', `${source.path} at ${source.commit} gives vote id ${voteChunkId(bytes)}, the receipt records ${document.voteChunkId}`, 'predicate.document.voteChunkId');
  }
}

function toSegment(segment: PropertyKey): string | number {
  return typeof segment === 'number' ? segment : String(segment);
}
