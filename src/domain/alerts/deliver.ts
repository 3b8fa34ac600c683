import { request } from 'undici';
import { agentFor } from '../../lib/http-agents.ts';
import { MailError, type Mailer } from '../../lib/mail.ts';
import type { NetGuard } from '../../lib/net-guard.ts';
import { describeFetchError } from '../../lib/fetch-error.ts';
import type { OutgoingMessage, ProviderUrls } from './channels/channel.ts';

export interface DeliveryDeps {
  mailer: Mailer;
  /** The SSRF guard for receivers' URLs (inactive on a self-hosted instance). */
  guard: NetGuard;
  providers: ProviderUrls;
  /** Total deadline of one attempt. */
  timeoutMs: number;
}

export interface DeliveryOutcome {
  ok: boolean;
  /** "HTTP 200", "250 OK …", … */
  response: string | null;
  error: string | null;
  /** Retrying cannot help (4xx, blocked address, bad config). */
  permanent: boolean;
  /** The receiver answered 410 Gone: it asks us to stop. */
  gone: boolean;
}

const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

/** Sends one message once, within the deadline, and says what happened. Never throws. */
export async function deliver(msg: OutgoingMessage, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  if (msg.type === 'mail') {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Timeout: the mail server did not accept the message within ${deps.timeoutMs / 1000} s`)), deps.timeoutMs);
    });
    try {
      const response = await Promise.race([deps.mailer.send({ ...msg, timeoutMs: deps.timeoutMs }), deadline]);
      return { ok: true, response, error: null, permanent: false, gone: false };
    } catch (err) {
      return { ok: false, response: null, error: (err as Error).message, permanent: err instanceof MailError && err.permanent, gone: false };
    } finally {
      clearTimeout(timer);
    }
  }
  const url = new URL(msg.url);
  const violation = deps.guard.urlRefusal(url);
  if (violation) return { ok: false, response: null, error: `Blocked: ${violation}`, permanent: true, gone: false };
  const signal = AbortSignal.timeout(deps.timeoutMs);
  try {
    const res = await request(url, {
      method: msg.method ?? 'POST',
      headers: { 'user-agent': 'StatusPing-Alerts/0.1', ...msg.headers },
      body: msg.body,
      signal,
      dispatcher: agentFor(deps.guard),
    });
    const raw = (await res.body.text()).slice(0, 2000);
    // An HTML error page is shown as its text, not its markup.
    const snippet = raw.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
    const response = `HTTP ${res.statusCode}${snippet ? `: ${snippet}` : ''}`;
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, response, error: null, permanent: false, gone: false };
    const code = res.statusCode;
    return {
      ok: false,
      response,
      error: code === 410 ? 'The receiver answered 410 Gone' : `The receiver answered ${code}`,
      permanent: code === 410 || (code >= 300 && code < 500 && !RETRYABLE_4XX.has(code)),
      gone: code === 410,
    };
  } catch (err) {
    const error = describeFetchError(err, url.hostname, signal.aborted, deps.timeoutMs);
    return { ok: false, response: null, error, permanent: error.startsWith('Blocked'), gone: false };
  }
}
