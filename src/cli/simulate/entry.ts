/** One request as the simulator reads it from a log, whatever the format. */
import type { ReaderStatus } from '../../types.js';
import type { AccessLogFields } from './logged-fields.js';

/** One request from the log. */
export interface LogEntry {
  /** ms since epoch. */
  readonly time: number;
  readonly method: string;
  /** The request target (a path with its query, or an absolute URL). */
  readonly url: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly referer: string | null;
  /** The HTTP status the site answered, when the log has it. */
  readonly code: number | null;
  /** JSON lines: the reader key the log gives (`reader`), the account (`account`) and the reader's status (`status`). */
  readonly reader: string | null;
  readonly account: string | null;
  readonly status: ReaderStatus | null;
  /** What meterwall logged of its decision (`paywall.accessLogFields`), or `null`. */
  readonly meterwall: AccessLogFields | null;
  /** JSON lines: every field as logged (for the config's own mapping). */
  readonly fields: Readonly<Record<string, unknown>> | null;
  /** Its line in the file (1-based), when read from one. */
  readonly line?: number;
  /** The log it was read from (`-` for standard input), when read from one. */
  readonly log?: string;
}
