import type { BrowserPool } from '../../../lib/browser-pool.ts';
import type { NetGuard } from '../../../lib/net-guard.ts';

/** What every probe returns: no I/O other than the check itself happens in a probe. */
export interface ProbeResult {
  ok: boolean;
  statusCode: number | null;
  responseMs: number;
  error: string | null;
  /** How many tries it took (retries before a failure counts); absent = 1. */
  attempts?: number;
  /** TLS checks: the certificate's remaining validity. */
  cert?: { daysLeft: number; validTo: number };
  /** Browser checks: the page when the journey failed. */
  screenshot?: Buffer;
}

export interface ProbeOptions {
  /** The SSRF guard every connection goes through (inactive on a self-hosted instance). */
  guard: NetGuard;
  /** Aborts the check (shutdown). */
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM) for TLS checks; a parameter so tests can use their own CA. */
  ca?: string;
  /** Headless chromium for browser journeys; absent = browser checks are off. */
  browsers?: BrowserPool;
}
