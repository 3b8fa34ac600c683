import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';

/*
 * TLS for the network check types: the options that dial the guard-checked address while
 * judging the certificate against the name in the URL, and plain words for what is wrong
 * with a certificate or a handshake.
 */

/** What a check asks of TLS: none, encryption only, a trusted chain, or a trusted chain for this host name. */
export type TlsMode = 'off' | 'require' | 'verify-ca' | 'verify';

/** TLS options for a client handed the guard-checked address: SNI and the name check use the original name. */
export function tlsNames(host: string): { servername?: string; checkServerIdentity: (name: string, cert: PeerCertificate) => Error | undefined } {
  return {
    servername: isIP(host) ? undefined : host,
    checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert),
  };
}

/** tls.connect options for a mode; undefined for "off". `ca` replaces the system roots when given. */
export function tlsOptions(mode: TlsMode, host: string, ca: string | undefined): ConnectionOptions | undefined {
  if (mode === 'off') return undefined;
  const names = tlsNames(host);
  if (mode === 'require') return { rejectUnauthorized: false, servername: names.servername };
  return {
    rejectUnauthorized: true,
    servername: names.servername,
    ca: ca || undefined,
    checkServerIdentity: mode === 'verify-ca' ? () => undefined : names.checkServerIdentity,
  };
}

const TLS_CODES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to verify the certificate chain',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to verify the certificate chain',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_SSL_WRONG_VERSION_NUMBER: 'server did not answer with TLS',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'server did not answer with TLS',
};

/**
 * The database checks' words, kept as they were when they had their own table: a missing
 * private CA is an "unknown certificate issuer" (their form has a CA field that fixes it),
 * and the codes they never named are worded by the caller from the driver's message.
 */
const DRIVER_TLS_CODES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: TLS_CODES.CERT_HAS_EXPIRED!,
  DEPTH_ZERO_SELF_SIGNED_CERT: TLS_CODES.DEPTH_ZERO_SELF_SIGNED_CERT!,
  SELF_SIGNED_CERT_IN_CHAIN: TLS_CODES.SELF_SIGNED_CERT_IN_CHAIN!,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: TLS_CODES.UNABLE_TO_VERIFY_LEAF_SIGNATURE!,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown certificate issuer',
  CERT_NOT_YET_VALID: TLS_CODES.CERT_NOT_YET_VALID!,
  ERR_SSL_WRONG_VERSION_NUMBER: TLS_CODES.ERR_SSL_WRONG_VERSION_NUMBER!,
};

/** Whether an error code is Node's or OpenSSL's for a TLS failure. */
export function isTlsCode(code: string): boolean {
  return code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT');
}

/** A TLS failure named only in an error's text (libraries that wrap the error keep only that). */
function tlsWordsIn(message: string): string | null {
  for (const [k, v] of Object.entries(TLS_CODES)) if (message.includes(k)) return v;
  if (/self[- ]signed certificate/i.test(message)) return 'self-signed certificate';
  if (/unable to verify|unable to get (local )?issuer/i.test(message)) return 'unable to verify the certificate chain';
  if (/certificate has expired/i.test(message)) return 'certificate has expired';
  if (/wrong version number|packet length too long|unknown protocol/i.test(message)) return 'server did not answer with TLS';
  return null;
}

/** A TLS failure as "certificate does not match host", "self-signed certificate", …, or null. */
export function tlsProblem(code: string | undefined, message: string | undefined, host: string): string | null {
  const c = code ?? '';
  if (c === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames|does not match certificate/i.test(message ?? '')) return `certificate does not match ${host}`;
  if (TLS_CODES[c]) return TLS_CODES[c]!;
  if (message) {
    const words = tlsWordsIn(message);
    if (words) return words;
  }
  return isTlsCode(c) ? (message ?? c) : null;
}

/** A database driver's TLS failure by its code alone, in the database checks' words; null for codes they do not name. */
export function driverTlsProblem(code: string, host: string): string | null {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `certificate does not match ${host}`;
  return DRIVER_TLS_CODES[code] ?? null;
}

/**
 * Judges a TLS socket's certificate the way the TLS check does (chain, host name, expiry) for
 * sockets opened with rejectUnauthorized false, so the answer says exactly what is wrong.
 */
export function certificateProblem(socket: TLSSocket, host: string): string | null {
  const cert = socket.getPeerCertificate() as PeerCertificate;
  if (!cert || !cert.valid_to) return 'the server sent no certificate';
  if (Date.parse(cert.valid_to) <= Date.now()) return `certificate has expired (${cert.valid_to})`;
  if (!socket.authorized) {
    const reason = String(socket.authorizationError ?? 'untrusted');
    return tlsProblem(reason, reason, host) ?? reason;
  }
  if (checkServerIdentity(host, cert)) return `certificate does not match ${host}`;
  return null;
}
