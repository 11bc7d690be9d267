import http from 'node:http';
import https from 'node:https';

export interface PostOutcome {
  status: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One POST without connection reuse, so receivers in tests can close promptly.
 * Never throws: network failures and timeouts come back as `error`.
 */
export function postOnce(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number | null, error: string | null): void => {
      if (settled) return;
      settled = true;
      resolve({ status, error, durationMs: Date.now() - started });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      done(null, `invalid URL: ${url}`);
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? null, null));
        res.on('error', (err) => done(res.statusCode ?? null, err.message));
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms`));
    });
    req.on('error', (err) => done(null, err.message));
    req.end(body);
  });
}

export interface JsonCallOutcome {
  /** Null when no answer came (network failure, timeout). */
  httpStatus: number | null;
  /** The answer's JSON; its text when it is not JSON; null when empty or none came. */
  answer: unknown;
  error: string | null;
}

/** One JSON POST (no connection reuse) that keeps the answer. Never throws. */
export function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<JsonCallOutcome> {
  const text = JSON.stringify(body);
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: JsonCallOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      done({ httpStatus: null, answer: null, error: `invalid URL: ${url}` });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers, 'content-length': String(Buffer.byteLength(text)) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let answer: unknown = raw === '' ? null : raw;
          try {
            if (raw !== '') answer = JSON.parse(raw);
          } catch {
            /* not JSON: keep the text */
          }
          done({ httpStatus: res.statusCode ?? null, answer, error: null });
        });
        res.on('error', (err) => done({ httpStatus: res.statusCode ?? null, answer: null, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (err) => done({ httpStatus: null, answer: null, error: err.message }));
    req.end(text);
  });
}
