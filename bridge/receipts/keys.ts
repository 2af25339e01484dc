/**
 * Signing keys for receipts: an Ed25519 or ECDSA (P-256, P-384, P-521) private key in PEM, from a
 * file or an environment variable (`env:NAME`, for CI secrets). The key material is a secret: it
 * never appears in a message, and the caller adds it to the run's redactor.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { BridgeError, describeThrown } from '../core/errors';

/** A `--signing-key` / `--public-key` that cannot be used. Messages never quote the key. */
export class ReceiptKeyError extends BridgeError {
  readonly code = 'RECEIPT_KEY_INVALID' as const;
  override readonly name = 'ReceiptKeyError';
}

export type KeyAlgorithm = 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `sha256:` + hex of the public key's SubjectPublicKeyInfo (DER): the DSSE `keyid`. */
  readonly keyid: string;
  readonly algorithm: KeyAlgorithm;
  /** Texts to redact from everything the run prints or writes (the PEM and its base64 lines). */
  readonly secrets: readonly string[];
}

export interface VerifyingKey {
  readonly publicKey: KeyObject;
  readonly keyid: string;
  readonly algorithm: KeyAlgorithm;
}

/** The digest each algorithm signs with (`null`: Ed25519 hashes internally). */
export function digestFor(algorithm: KeyAlgorithm): string | null {
  switch (algorithm) {
    case 'ed25519':
      return null;
    case 'ecdsa-p256':
      return 'sha256';
    case 'ecdsa-p384':
      return 'sha384';
    case 'ecdsa-p521':
      return 'sha512';
  }
}

/** `env:NAME` reads the variable NAME; anything else is a file path. */
export async function loadSigningKey(spec: string, env: Readonly<Record<string, string | undefined>>): Promise<SigningKey> {
  const { text, where } = await readKeyText(spec, env, '--signing-key');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    // Node's messages name the decoder, never the key; still, only the code is passed on.
    const { code } = describeThrown(error);
    const reason =
      code === 'ERR_MISSING_PASSPHRASE' || /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)
        ? 'it is encrypted; give an unencrypted PEM (keep it in a CI secret)'
        : `it is not a PEM private key${code === undefined ? '' : ` (${code})`}`;
    throw new ReceiptKeyError(`--signing-key ${where} cannot be used: ${reason}`);
  }
  const publicKey = createPublicKey(privateKey);
  const algorithm = algorithmOf(publicKey, `--signing-key ${where}`);
  return { privateKey, publicKey, keyid: keyidOf(publicKey), algorithm, secrets: pemSecrets(text) };
}

/** A public key (SPKI PEM) for `verify-receipt --public-key`. A private key is refused: it does not belong on a verifier. */
export async function loadVerifyingKey(spec: string, env: Readonly<Record<string, string | undefined>>): Promise<VerifyingKey> {
  const { text, where } = await readKeyText(spec, env, '--public-key');
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new ReceiptKeyError(`--public-key ${where} holds a private key; give the public key (openssl pkey -pubout) and keep the private one secret`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: text, format: 'pem' });
  } catch (error) {
    throw new ReceiptKeyError(`--public-key ${where} is not a PEM public key (${describeThrown(error).code ?? 'unreadable'})`);
  }
  return { publicKey, keyid: keyidOf(publicKey), algorithm: algorithmOf(publicKey, `--public-key ${where}`) };
}

export function keyidOf(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

function algorithmOf(publicKey: KeyObject, flag: string): KeyAlgorithm {
  if (publicKey.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (publicKey.asymmetricKeyType === 'ec') {
    const curve = publicKey.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ecdsa-p256';
    if (curve === 'secp384r1') return 'ecdsa-p384';
    if (curve === 'secp521r1') return 'ecdsa-p521';
    throw new ReceiptKeyError(`${flag} is an EC key on curve ${curve ?? 'unknown'}; use P-256, P-384 or P-521`);
  }
  throw new ReceiptKeyError(`${flag} is a ${publicKey.asymmetricKeyType ?? 'unknown'} key; use Ed25519 or ECDSA (P-256, P-384, P-521)`);
}

async function readKeyText(spec: string, env: Readonly<Record<string, string | undefined>>, flag: string): Promise<{ text: string; where: string }> {
  if (spec.startsWith('env:')) {
    const name = spec.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ReceiptKeyError(`${flag} env:${name}: not an environment variable name`);
    const value = env[name];
    if (value === undefined || value.trim() === '') throw new ReceiptKeyError(`${flag} env:${name}: the variable ${name} is not set or empty`);
    // CI secrets are sometimes stored with literal "\n" for the line breaks.
    return { text: value.includes('\n') ? value : value.replace(/\\n/g, '\n'), where: `env:${name}` };
  }
  try {
    return { text: await fs.readFile(spec, 'utf8'), where: spec };
  } catch (error) {
    const { code } = describeThrown(error);
    throw new ReceiptKeyError(`cannot read ${flag} ${spec}${code === undefined ? '' : ` (${code})`}`);
  }
}

/** The PEM as given, its base64 body on one line, and each body line: whatever form could leak. */
function pemSecrets(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----'));
  return [text.trim(), lines.join(''), ...lines.filter((line) => line.length >= 16)];
}
