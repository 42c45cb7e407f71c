/** What every terminal-client mode gets and provides. */

export interface ClientContext {
  /** Demo server origin, `ws://host:port` (from --server, SOCKETBOOK_SERVER, or ws://localhost:8080). */
  readonly server: string;
  /** Writes one line to standard output. */
  readonly print: (line: string) => void;
  /** Writes one line to standard error. */
  readonly warn: (line: string) => void;
  /** Aborted on Ctrl+C: modes close their sockets and return. */
  readonly signal: AbortSignal;
}

export interface ClientMode {
  /** One line for the help listing. */
  readonly summary: string;
  /** Usage after `npm run client -- <mode>`, e.g. `[room]`. */
  readonly usage: string;
  /** Runs the mode; resolves with the process exit code. */
  run(args: readonly string[], context: ClientContext): Promise<number>;
}
