/**
 * How the handlers treat SDK failures: an absent object is a value (`null`), a delete of something
 * already gone succeeds, and a write whose outcome is unknown (the response was lost, or a 5xx came
 * back) is settled by reading the object again instead of blindly repeating the write.
 */
import { type ShoreGuardError, isShoreGuardError, isUnknownRoute } from '../../sdk';

/** True for a 404 about the object (not an unknown route, which means a wrong base URL). */
export function isNotFound(error: unknown): error is ShoreGuardError {
  return isShoreGuardError(error) && error.code === 'not_found' && !isUnknownRoute(error);
}

/** Runs a read; `null` when the server says the object does not exist. */
export async function nullWhenNotFound<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Runs a delete; an object that is already gone counts as deleted. */
export async function deleteIgnoringNotFound(remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/**
 * True when a write may have taken effect although it failed: a 5xx (the server may have committed
 * before failing) or a network error after the request may have reached the server.
 */
export function isAmbiguousWriteFailure(error: unknown): boolean {
  if (!isShoreGuardError(error)) return false;
  if (error.code === 'server') return true;
  if (error.code === 'transport') return (error as { requestMayHaveReachedServer?: boolean }).requestMayHaveReachedServer !== false;
  return false;
}

/**
 * Performs a write. When its outcome is ambiguous, `settle` reads the object back: if it shows the
 * write happened, that result is returned; otherwise the original error is thrown.
 */
export async function writeThenSettle<T>(write: () => Promise<T>, settle: () => Promise<T | null>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isAmbiguousWriteFailure(error)) throw error;
    let settled: T | null;
    try {
      settled = await settle();
    } catch {
      throw error;
    }
    if (settled === null) throw error;
    return settled;
  }
}

/** True for a ShoreGuardError with this code. */
export function hasCode(error: unknown, code: ShoreGuardError['code']): error is ShoreGuardError {
  return isShoreGuardError(error) && error.code === code;
}

/** Matches a ShoreGuardError with a given code whose detail contains a text (case-insensitive). */
export function hasDetail(error: unknown, code: ShoreGuardError['code'], text: string): boolean {
  return isShoreGuardError(error) && error.code === code && (error.detail ?? '').toLowerCase().includes(text.toLowerCase());
}

/**
 * Splits an id into exactly `count` non-empty `/`-separated parts; with `lastMayContainSlash` the
 * last part takes the rest (a hook name may contain `/`). `null` when the id does not fit.
 */
export function splitId(id: string, count: number, lastMayContainSlash = false): string[] | null {
  const parts = id.split('/');
  if (parts.length < count || (!lastMayContainSlash && parts.length !== count)) return null;
  const all = [...parts.slice(0, count - 1), parts.slice(count - 1).join('/')];
  return all.every((part) => part.length > 0) ? all : null;
}
