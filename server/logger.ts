// The process logger (pino, JSON lines); `silent` in tests unless LOG_LEVEL is set.
import pino, { type Logger } from 'pino';

export function createLogger(level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info')): Logger {
  return pino({ level, base: undefined });
}
