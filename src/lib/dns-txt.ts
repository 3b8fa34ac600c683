import { Resolver } from 'node:dns/promises';

export interface TxtLookupOptions {
  /** "1.1.1.1", "127.0.0.1:5353" or "[::1]:53"; unset = the system's resolvers. */
  resolver?: string;
  timeoutMs: number;
}

/** What a TXT lookup found: the records (each one's strings joined), none at all, or a failure. */
export type TxtAnswer = { kind: 'records'; values: string[] } | { kind: 'none' } | { kind: 'error'; message: string };

const FAILURES: Record<string, string> = {
  ETIMEOUT: 'the resolver did not answer in time',
  ECONNREFUSED: 'the resolver refused the connection',
  ESERVFAIL: 'the resolver failed (SERVFAIL)',
  EREFUSED: 'the resolver refused the query',
  ECANCELLED: 'the resolver did not answer in time',
};

/**
 * The TXT records of one name through the configured resolver, never throwing. The deadline
 * is enforced here too, because c-ares' own timeout grows between retries.
 */
export async function lookupTxt(name: string, opts: TxtLookupOptions): Promise<TxtAnswer> {
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
  if (opts.resolver) resolver.setServers([opts.resolver]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), opts.timeoutMs);
  });
  try {
    const records = await Promise.race([resolver.resolveTxt(name), deadline]);
    const values = records.map((parts) => parts.join(''));
    return values.length ? { kind: 'records', values } : { kind: 'none' };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'ENOTFOUND' || code === 'ENODATA') return { kind: 'none' };
    return { kind: 'error', message: FAILURES[code] ?? (err as Error).message };
  } finally {
    clearTimeout(timer);
    resolver.cancel();
  }
}
