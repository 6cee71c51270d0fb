export { hashKey } from '../util/hash-key';

/**
 * The slice of pino the core uses, so tests can pass a recorder. Log lines
 * never carry message text, names or phone numbers: conversations appear
 * only as `hashKey()` of their key.
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** An error as a log field: type and message, and the stack, never user text. */
export function errorFields(err: unknown): object {
  if (err instanceof Error) return { err: { type: err.name, message: err.message, stack: err.stack } };
  return { err: { type: typeof err } };
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
