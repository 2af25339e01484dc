/** Policy pins under `/api/gateways/{gw}/sandboxes/{name}/policy/pin` (§7). */
import { emptyReply, jsonReply, ProblemError, UnhandledServerError } from '../core/http';
import { parsePyIsoDatetime, pyTruthy, type PyValue } from '../core/python';
import { validateBody, type ModelSpec, type ValidatedModel } from '../core/validation';
import { defineRoute } from '../http/router';
import {
  deletePinIgnoringExpiry,
  NO_ACTIVE_PIN_DETAIL,
  PIN_LOCKED_STATUS,
  PIN_UPSERT_STATUS,
  pinLockedDetail,
  sqliteStoredDatetime,
  storedTimestamp,
} from '../quirks';
import { sandboxKey, type EmulatorState, type PinRecord } from '../state';
import { actorOf, gatewayOf, requirePolicySnapshot } from './common';

/** `get_pin`: an expired pin is deleted on read and treated as absent (lazy expiry). */
export function activePin(state: EmulatorState, gateway: string, sandbox: string): PinRecord | null {
  const key = sandboxKey(gateway, sandbox);
  const pin = state.pins.get(key);
  if (!pin) return null;
  if (pin.expiresAt !== null && pin.expiresAt <= state.nowMicros()) {
    state.pins.delete(key);
    return null;
  }
  return pin;
}

/** `_check_policy_pin`: 423 while a pin is active (write routes and dry runs alike). */
export function checkPolicyPin(state: EmulatorState, gateway: string, sandbox: string): void {
  const pin = activePin(state, gateway, sandbox);
  if (pin) throw new ProblemError(PIN_LOCKED_STATUS, pinLockedDetail(pin.pinnedVersion, pin.pinnedBy));
}

function pinBody(pin: PinRecord): Record<string, unknown> {
  return {
    gateway_name: pin.gatewayName,
    sandbox_name: pin.sandboxName,
    pinned_version: pin.pinnedVersion,
    pinned_by: pin.pinnedBy,
    reason: pin.reason,
    pinned_at: storedTimestamp(pin.pinnedAt),
    expires_at: pin.expiresAt === null ? null : storedTimestamp(pin.expiresAt),
  };
}

const PIN_REQUEST: ModelSpec = {
  reason: { spec: { kind: 'str' }, nullable: true },
  expires_at: { spec: { kind: 'str' }, nullable: true },
};

const PIN_PATH = '/api/gateways/{gw}/sandboxes/{name}/policy/pin';

export const pinRoutes = [
  defineRoute({
    method: 'GET',
    path: PIN_PATH,
    auth: 'required',
    gatewayScoped: true,
    handle: (context) => {
      const pin = activePin(context.state, gatewayOf(context), context.params['name'] ?? '');
      if (!pin) throw new ProblemError(404, NO_ACTIVE_PIN_DETAIL);
      return jsonReply(200, pinBody(pin));
    },
  }),
  defineRoute({
    method: 'POST',
    path: PIN_PATH,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    jsonBody: true,
    gatewayClient: true,
    parse: (context, errors) => validateBody(PIN_REQUEST, context.body, errors, { optional: true }),
    handle: (context, input: ValidatedModel) => {
      const name = context.params['name'] ?? '';
      // The live version comes from GetSandboxPolicyStatus: 404 without a revision (findings §3).
      const version = requirePolicySnapshot(context, name).snapshot.active_version;
      const expiresText: PyValue = input.values['expires_at'] ?? null;
      let expiresAt: number | null = null;
      if (pyTruthy(expiresText)) {
        // `datetime.fromisoformat` raises ValueError, which nothing catches: a bare 500.
        const parsed = parsePyIsoDatetime(String(expiresText));
        if (!parsed) throw new UnhandledServerError(`Invalid isoformat string: ${String(expiresText)}`);
        expiresAt = sqliteStoredDatetime(parsed);
      }
      const pin: PinRecord = {
        gatewayName: gatewayOf(context),
        sandboxName: name,
        pinnedVersion: version,
        pinnedBy: actorOf(context),
        reason: (input.values['reason'] as string | null) ?? null,
        pinnedAt: context.state.nowMicros(),
        expiresAt,
      };
      context.state.pins.set(sandboxKey(pin.gatewayName, name), pin);
      return jsonReply(PIN_UPSERT_STATUS, pinBody(pin));
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: PIN_PATH,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    handle: (context) => {
      const key = sandboxKey(gatewayOf(context), context.params['name'] ?? '');
      if (!deletePinIgnoringExpiry(context.state.pins, key)) throw new ProblemError(404, NO_ACTIVE_PIN_DETAIL);
      return emptyReply(204);
    },
  }),
];
