/**
 * go-plugin AutoMTLS: Terraform/OpenTofu hand the plugin their client certificate in
 * PLUGIN_CLIENT_CERT, and expect the plugin to serve TLS with a fresh self-signed certificate
 * whose DER form travels (base64, unpadded) in the handshake line. The client then trusts exactly
 * that certificate for the name "localhost", so it must be a CA-capable certificate for
 * "localhost" with server-auth usage. A new key pair is made per process and never stored.
 */
// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface ServerCertificate {
  /** PEM certificate (for the gRPC server). */
  readonly certPem: string;
  /** PEM PKCS#8 private key (for the gRPC server). Never logged. */
  readonly keyPem: string;
  /** The certificate's DER bytes, base64 without padding (for the handshake line). */
  readonly derBase64: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(label: string, der: ArrayBuffer): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** Makes a self-signed ECDSA P-256 certificate for "localhost", valid from one hour ago for 30 days. */
export async function createServerCertificate(now: Date = new Date()): Promise<ServerCertificate> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey({ name: ALGORITHM.name, namedCurve: ALGORITHM.namedCurve }, true, ['sign', 'verify']);
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive serial number
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: 'CN=localhost, O=terraform-provider-shoreguard',
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 30 * 86_400_000),
    signingAlgorithm: { name: ALGORITHM.name, hash: ALGORITHM.hash },
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certPem: pem('CERTIFICATE', cert.rawData),
    keyPem: pem('PRIVATE KEY', pkcs8),
    derBase64: Buffer.from(cert.rawData).toString('base64').replace(/=+$/, ''),
  };
}
