/**
 * Detached OpenPGP signatures of the SHA256SUMS files (what Terraform and OpenTofu check for a
 * provider from a registry), with openpgp.js.
 *
 * The key: SHOREGUARD_RELEASE_SIGNING_KEY_FILE names an ASCII-armored private key (RSA, as the
 * Terraform Registry requires), SHOREGUARD_RELEASE_SIGNING_PASSPHRASE_FILE its passphrase if it
 * has one. Without them the build makes a throw-away key once and keeps it in
 * .cache/release/throwaway-signing-key.asc (never committed), so local and CI builds are signed
 * and repeated builds give the same signature; such a release is for tests only.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as OpenPGP from 'openpgp' with { 'resolution-mode': 'import' };

// openpgp's package is "type": "module" with a CommonJS build under "require"; its types are
// declared as ESM only, so TypeScript's node16 mode refuses a plain import from this CommonJS file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const openpgp = require('openpgp') as typeof OpenPGP;

export interface SigningKey {
  readonly privateKey: OpenPGP.PrivateKey;
  /** ASCII-armored public key, published next to the sums. */
  readonly publicKeyArmored: string;
  /** Long key id, upper-case hex (the registry protocol's `key_id`). */
  readonly keyId: string;
  readonly throwaway: boolean;
}

export class SigningError extends Error {
  override readonly name = 'SigningError';
}

// Deterministic signatures: with a fixed key and signing time the same sums give the same bytes.
const CONFIG: OpenPGP.PartialConfig = { nonDeterministicSignaturesViaNotation: false };

async function fromArmored(armored: string, passphrase: string | undefined, source: string, throwaway: boolean): Promise<SigningKey> {
  let key: OpenPGP.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (error) {
    throw new SigningError(`${source}: not an ASCII-armored OpenPGP private key (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!key.isDecrypted()) {
    if (passphrase === undefined) throw new SigningError(`${source}: the key is encrypted; set SHOREGUARD_RELEASE_SIGNING_PASSPHRASE_FILE`);
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      // The passphrase itself is never echoed.
      throw new SigningError(`${source}: the passphrase in SHOREGUARD_RELEASE_SIGNING_PASSPHRASE_FILE does not decrypt the key`);
    }
  }
  return { privateKey: key, publicKeyArmored: key.toPublic().armor(), keyId: key.getKeyID().toHex().toUpperCase(), throwaway };
}

/**
 * A new unencrypted key, created at `created`: RSA 4096 (what the Terraform Registry accepts) for
 * releases, or Ed25519 where only speed matters (tests).
 */
export async function generateSigningKey(kind: 'rsa' | 'ed25519', name: string, created: Date): Promise<SigningKey> {
  const options = { userIDs: [{ name }], date: created, format: 'armored' as const };
  const { privateKey } = kind === 'rsa' ? await openpgp.generateKey({ ...options, type: 'rsa', rsaBits: 4096 }) : await openpgp.generateKey({ ...options, type: 'ecc', curve: 'ed25519Legacy' });
  return fromArmored(privateKey, undefined, 'generated key', true);
}

/** The armored private key of a loaded key (to cache a throw-away key). */
function armoredPrivate(key: SigningKey): string {
  return key.privateKey.armor();
}

/** The release key from the environment, or the cached throw-away key (made on first use). */
export async function loadSigningKey(root: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<SigningKey> {
  const keyFile = env['SHOREGUARD_RELEASE_SIGNING_KEY_FILE'];
  const passphraseFile = env['SHOREGUARD_RELEASE_SIGNING_PASSPHRASE_FILE'];
  if (keyFile) {
    if (!existsSync(keyFile)) throw new SigningError(`SHOREGUARD_RELEASE_SIGNING_KEY_FILE: ${keyFile} does not exist`);
    const passphrase = passphraseFile ? readFileSync(passphraseFile, 'utf8').replace(/\r?\n$/, '') : undefined;
    return fromArmored(readFileSync(keyFile, 'utf8'), passphrase, keyFile, false);
  }
  const cached = join(root, '.cache', 'release', 'throwaway-signing-key.asc');
  if (!existsSync(cached)) {
    // Created before any release it signs (a signature may not predate its key).
    const key = await generateSigningKey('rsa', 'shoreguard-iac throw-away release key (tests only)', new Date('2020-01-01T00:00:00Z'));
    mkdirSync(dirname(cached), { recursive: true });
    writeFileSync(cached, armoredPrivate(key), { mode: 0o600 });
  }
  return fromArmored(readFileSync(cached, 'utf8'), undefined, cached, true);
}

/** A binary detached signature of `data`, made at `date` (the release's timestamp). */
export async function detachedSignature(key: SigningKey, data: Uint8Array, date: Date): Promise<Uint8Array> {
  const message = await openpgp.createMessage({ binary: data });
  // A signature may not predate its key: a key newer than the release's timestamp signs at its own creation time.
  const created = key.privateKey.getCreationTime();
  const at = date.getTime() < created.getTime() ? created : date;
  return openpgp.sign({ message, signingKeys: key.privateKey, detached: true, format: 'binary', date: at, config: CONFIG });
}

/** Checks a detached signature against an armored public key (what a user's `gpg --verify` does). */
export async function verifyDetached(publicKeyArmored: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const verificationKeys = await openpgp.readKey({ armoredKey: publicKeyArmored });
  const result = await openpgp.verify({
    message: await openpgp.createMessage({ binary: data }),
    signature: await openpgp.readSignature({ binarySignature: signature }),
    verificationKeys,
  });
  const first = result.signatures[0];
  if (!first) return false;
  try {
    await first.verified;
    return true;
  } catch {
    return false;
  }
}
