/** What every probe returns: no I/O other than the check itself happens in a probe. */
export interface ProbeResult {
  ok: boolean;
  statusCode: number | null;
  responseMs: number;
  error: string | null;
  /** How many tries it took (retries before a failure counts); absent = 1. */
  attempts?: number;
}

export interface ProbeOptions {
  /** Refuse private/reserved targets (SaaS mode or BLOCK_PRIVATE_TARGETS=1). */
  blockPrivate: boolean;
  /** Aborts the check (shutdown). */
  signal?: AbortSignal;
}
