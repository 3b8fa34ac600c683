/**
 * Network failures as sentences a user understands, for probes and for alert deliveries alike
 * (a leaf helper, so alerts need not import the HTTP probe).
 */

const TLS_CODES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown certificate issuer',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_SSL_WRONG_VERSION_NUMBER: 'server did not answer with TLS',
};

function causeChain(err: unknown): Array<{ code?: string; name?: string; message?: string }> {
  const out: Array<{ code?: string; name?: string; message?: string }> = [];
  let e = err as { code?: string; name?: string; message?: string; cause?: unknown } | undefined;
  for (let i = 0; e && i < 6; i++) {
    out.push(e);
    e = e.cause as typeof e;
  }
  return out;
}

/** Turns a network failure into a plain sentence a user understands. */
export function describeFetchError(err: unknown, host: string, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `Timeout: no complete response within ${timeoutMs / 1000} s`;
  for (const e of causeChain(err)) {
    const code = e.code ?? '';
    if (code === 'EBLOCKED') return `Blocked: ${e.message}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return `DNS failure: could not resolve ${host}`;
    if (code === 'ECONNREFUSED') return `Connection refused by ${host}`;
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `Connection reset by ${host}`;
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `Host unreachable: ${host}`;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return `Timeout: could not connect to ${host}`;
    if (TLS_CODES[code]) return `TLS error: ${TLS_CODES[code]}`;
    if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT')) return `TLS error: ${e.message ?? code}`;
  }
  const first = causeChain(err).at(-1);
  if (first?.message === 'bad port') {
    return `Port blocked: the fetch standard refuses this port (e.g. 6000, 6665-6669, 10080); use another port`;
  }
  return `Request failed: ${first?.message ?? String(err)}`;
}
