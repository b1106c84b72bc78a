/** A mistake in how the command was called (exit 2) or in its input (exit 1), said in one line. */
export class CommandError extends Error {
  readonly code: 'ERR_USAGE' | 'ERR_INPUT';
  constructor(code: 'ERR_USAGE' | 'ERR_INPUT', message: string) {
    super(message);
    this.code = code;
  }
}
