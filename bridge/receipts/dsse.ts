/**
 * DSSE envelopes around receipts. The pre-authentication encoding comes from `@sigstore/core` and
 * the envelope's JSON form (base64 payload and signatures) from `@sigstore/protobuf-specs`, the
 * same code sigstore's own signers use; the signature itself is node:crypto (Ed25519, or ECDSA
 * with DER signatures as DSSE and cosign expect). `@sigstore/sign`'s DSSEBundleBuilder is not
 * used: it signs only with Fulcio certificates or a witness, which an offline CI job lacks.
 */
import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { dsse } from '@sigstore/core';
import { Envelope } from '@sigstore/protobuf-specs';
import { z } from 'zod';
import { digestFor, type SigningKey, type VerifyingKey } from './keys';
import { IN_TOTO_PAYLOAD_TYPE } from './statement';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

/** The JSON form of a DSSE envelope, as read from a receipt file. */
export const envelopeJsonSchema = z.strictObject({
  payloadType: z.string().min(1),
  payload: base64,
  signatures: z.array(z.strictObject({ keyid: z.string().optional(), sig: base64.min(1) })).min(1),
});

export type EnvelopeJson = z.infer<typeof envelopeJsonSchema>;

/** Signs the payload (the statement's JSON bytes) and returns the envelope's JSON form. */
export function signEnvelope(payload: Buffer, key: SigningKey, payloadType: string = IN_TOTO_PAYLOAD_TYPE): EnvelopeJson {
  const sig = cryptoSign(digestFor(key.algorithm), dsse.preAuthEncoding(payloadType, payload), key.privateKey);
  return envelopeJsonSchema.parse(Envelope.toJSON({ payloadType, payload, signatures: [{ keyid: key.keyid, sig }] }));
}

export type SignatureCheck =
  | { readonly ok: true; readonly keyid: string }
  /** `key_mismatch`: no signature carries the key's id and none verifies; `signature_invalid`: one claims the key but does not verify. */
  | { readonly ok: false; readonly code: 'key_mismatch' | 'signature_invalid'; readonly message: string };

/** Decodes the envelope (payload bytes and signatures). */
export function decodeEnvelope(json: EnvelopeJson): Envelope {
  return Envelope.fromJSON(json);
}

/** Whether any signature of the envelope verifies with the key over PAE(payloadType, payload). */
export function verifyEnvelope(json: EnvelopeJson, key: VerifyingKey): SignatureCheck {
  const envelope = decodeEnvelope(json);
  const pae = dsse.preAuthEncoding(envelope.payloadType, envelope.payload);
  for (const signature of envelope.signatures) {
    let valid = false;
    try {
      valid = cryptoVerify(digestFor(key.algorithm), pae, key.publicKey, signature.sig);
    } catch {
      valid = false; // a malformed signature is just an invalid one
    }
    if (valid) return { ok: true, keyid: key.keyid };
  }
  const claimed = envelope.signatures.map((s) => s.keyid).filter((id) => id !== '');
  if (claimed.length > 0 && !claimed.includes(key.keyid)) {
    return {
      ok: false,
      code: 'key_mismatch',
      message: `signed by another key (keyid ${claimed.join(', ')}), not by --public-key (keyid ${key.keyid})`,
    };
  }
  return {
    ok: false,
    code: 'signature_invalid',
    message: `the signature does not match the payload: the payload, its type or the signature was changed after signing (keyid ${key.keyid})`,
  };
}
