/**
 * tfplugin6 diagnostics: the only channel through which a user sees what went wrong. Errors from
 * the SDK and the resource handlers become diagnostics that say what failed, where, and how to fix
 * it, tied to the offending attribute when one is known. All text is redacted.
 */
import { isShoreGuardError, ValidationError } from '../../sdk/errors';
import { createRedactor, type Redactor } from '../../sdk/secret';
import { isResourceError } from '../resources/errors';
import type { AttributeProblem } from '../resources/types';
import { CtyTypeError } from './cty';

export type AttributePathStep = { attribute_name: string } | { element_key_string: string } | { element_key_int: number };

export interface AttributePathMessage {
  steps: AttributePathStep[];
}

export interface DiagnosticMessage {
  severity: 'ERROR' | 'WARNING';
  summary: string;
  detail: string;
  attribute?: AttributePathMessage;
}

/**
 * Parses an attribute reference as the resource handlers write it: `name`, `labels.team`,
 * `labels["a.b"]`, `required_roles[1]`. The first step is the attribute; later steps are map keys
 * or list indexes.
 */
export function parseAttributePath(reference: string): AttributePathMessage {
  const match = /^([A-Za-z0-9_]+)(.*)$/s.exec(reference);
  if (!match) return { steps: [{ attribute_name: reference }] };
  const steps: AttributePathStep[] = [{ attribute_name: match[1] ?? reference }];
  let rest = match[2] ?? '';
  const STEP = /^(?:\.([^.[]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/s;
  while (rest.length > 0) {
    const step = STEP.exec(rest);
    if (!step) {
      // Not a path we understand: keep the attribute, put the remainder into the message instead.
      break;
    }
    if (step[1] !== undefined) steps.push({ element_key_string: step[1] });
    else if (step[2] !== undefined) steps.push({ element_key_int: Number(step[2]) });
    else steps.push({ element_key_string: JSON.parse(`"${step[3] ?? ''}"`) as string });
    rest = rest.slice(step[0].length);
  }
  return { steps };
}

export function errorDiagnostic(summary: string, detail = '', attribute?: string): DiagnosticMessage {
  return { severity: 'ERROR', summary, detail, ...(attribute ? { attribute: parseAttributePath(attribute) } : {}) };
}

export function warningDiagnostic(summary: string, detail = '', attribute?: string): DiagnosticMessage {
  return { severity: 'WARNING', summary, detail, ...(attribute ? { attribute: parseAttributePath(attribute) } : {}) };
}

/** One diagnostic per validation problem, each pointing at its attribute. */
export function problemDiagnostics(typeName: string, problems: readonly AttributeProblem[], redact: Redactor = createRedactor([])): DiagnosticMessage[] {
  return problems.map((p) => errorDiagnostic(`Invalid ${p.attribute}`, redact(`${typeName}.${p.attribute}: ${p.message}`), p.attribute));
}

/**
 * Turns anything thrown during an RPC into diagnostics. `what` names the operation and object,
 * e.g. `shoreguard_policy_pin: create`. Attribute names (for API validation errors) come from
 * `attributes`, so a 422 about `sandbox_name` points at that attribute.
 */
export function errorDiagnostics(what: string, error: unknown, attributes: ReadonlySet<string>, redact: Redactor): DiagnosticMessage[] {
  if (isResourceError(error)) {
    if (error.problems.length > 0) return problemDiagnostics(error.resourceType, error.problems, redact);
    return [errorDiagnostic(`${what} failed: ${error.code.replace(/_/g, ' ')}`, redact(error.message))];
  }
  if (error instanceof CtyTypeError) {
    const [attribute] = error.path;
    return [errorDiagnostic(`${what} failed: value does not match the schema`, redact(error.message), typeof attribute === 'string' ? attribute : undefined)];
  }
  if (isShoreGuardError(error)) {
    const summary = `${what} failed: ShoreGuard ${error.status ?? ''} ${error.code.replace(/_/g, ' ')}`.replace(/ +/g, ' ');
    const lines = [error.message];
    if (error.requestId) lines.push(`Request id: ${error.requestId}`);
    if (error instanceof ValidationError && error.issues.length > 0) {
      return error.issues.map((issue) => {
        const attribute = [...issue.loc].reverse().find((step): step is string => typeof step === 'string' && attributes.has(step));
        return errorDiagnostic(summary, redact([...lines, `${issue.loc.join('.')}: ${issue.msg}`].join('\n')), attribute);
      });
    }
    return [errorDiagnostic(summary, redact(lines.join('\n')))];
  }
  const message = error instanceof Error ? error.message : String(error);
  return [errorDiagnostic(`${what} failed`, redact(message))];
}

export function hasErrors(diagnostics: readonly DiagnosticMessage[]): boolean {
  return diagnostics.some((d) => d.severity === 'ERROR');
}
