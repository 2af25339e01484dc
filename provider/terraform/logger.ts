/**
 * The provider's log. Lines go to stderr only (stdout carries the go-plugin handshake and nothing
 * else) in hclog's JSON shape, so Terraform/OpenTofu show them at the right level under `TF_LOG`.
 * Every message passes through a redactor: configured secrets and anything shaped like a
 * ShoreGuard API key or a Bearer credential are replaced before the line is written.
 */
import { createRedactor, redactDeep, type Redactor } from '../../sdk/secret';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface ProviderLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Adds secrets (e.g. the configured API key) that must never appear in a line. */
  addSecrets(secrets: readonly (string | undefined)[]): void;
}

export interface LoggerOptions {
  /** Where lines go. @default process.stderr */
  readonly write?: (line: string) => void;
  /** @default "shoreguard" */
  readonly module?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * hclog's JSON timestamp layout has microseconds (2006-01-02T15:04:05.000000Z07:00); go-plugin
 * treats a line whose timestamp does not parse as plain text, losing its level.
 */
function hclogTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function createLogger(options: LoggerOptions = {}): ProviderLogger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const module = options.module ?? 'shoreguard';
  const now = options.now ?? (() => new Date());
  const secrets: string[] = [];
  let redact: Redactor = createRedactor([]);

  const log = (level: LogLevel, message: string, fields: Record<string, unknown> = {}): void => {
    // Redact before serializing: JSON escaping would hide a multi-line secret (a PEM key) from the redactor.
    const entry = { ...(redactDeep(fields, redact) as Record<string, unknown>), '@level': level, '@message': redact(message), '@module': module, '@timestamp': hclogTimestamp(now()) };
    write(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    addSecrets(more) {
      for (const s of more) if (s) secrets.push(s);
      redact = createRedactor(secrets);
    },
  };
}
