import type { Logger } from '../../src/conversation/logger';

/** A logger that keeps each line's fields with its level, to check what was logged. */
export function recordingLogger(lines: Record<string, unknown>[]): Logger {
  const logger: Logger = {
    info: (obj) => lines.push({ level: 'info', ...obj }),
    warn: (obj) => lines.push({ level: 'warn', ...obj }),
    error: (obj) => lines.push({ level: 'error', ...obj }),
    child: () => logger,
  };
  return logger;
}
