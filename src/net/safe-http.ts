import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isRestrictedAddress } from "./address-policy.js";

/**
 * Outgoing HTTP on a user's behalf (webhooks, WebDAV, and the S3 client's connections). The
 * destination is checked AFTER DNS resolution, inside the connection's own lookup, so the
 * address that is checked is the address that is connected to (a name that resolves to a
 * public address when checked and to 127.0.0.1 when connecting cannot slip through), and
 * again on every redirect. Requests have a deadline and a response size limit.
 */
export interface OutgoingPolicy {
  /** DOCKET_ALLOW_PRIVATE_URLS: loopback and private addresses are allowed (tests, home labs). */
  allowPrivate: boolean;
  /** The whole request, redirects included (default 15 s). */
  timeoutMs?: number;
  /** Larger responses are cut off with a `too_large` error (default 1 MiB). */
  maxResponseBytes?: number;
  /** Default 3; 0 refuses every redirect. */
  maxRedirects?: number;
}

export interface OutgoingRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string | undefined;
  signal?: AbortSignal;
}

export interface OutgoingResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

export type OutgoingFailure = "refused" | "timeout" | "network" | "too_large" | "bad_url" | "redirect";

/** Why an outgoing request did not get an answer. `message` never contains credentials. */
export class OutgoingRequestError extends Error {
  constructor(
    readonly kind: OutgoingFailure,
    message: string,
  ) {
    super(message);
    this.name = "OutgoingRequestError";
  }
}

const refusedMessage = (host: string, address: string) =>
  `${host} resolves to ${address}, a loopback, private, link-local or metadata address; ` +
  "outgoing requests there are refused (DOCKET_ALLOW_PRIVATE_URLS=true allows them)";

/** A DNS lookup for sockets that refuses restricted addresses (every one the name resolves to). */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (error: Error | null, address?: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      if (!allowPrivate) {
        const bad = addresses.find((a) => isRestrictedAddress(a.address));
        if (bad) return callback(new OutgoingRequestError("refused", refusedMessage(hostname, bad.address)));
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }));
      return callback(null, first.address, first.family);
    });
  }) as unknown as LookupFunction;
}

/** Checks a URL before any connection: http(s) only, no credentials in it, no restricted literal address. */
export function checkOutgoingUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutgoingRequestError("bad_url", "not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new OutgoingRequestError("bad_url", `only http and https URLs are allowed, not ${url.protocol}`);
  if (url.username || url.password)
    throw new OutgoingRequestError("bad_url", "credentials do not belong in the URL; use the config's fields");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // A literal address never goes through DNS, so the lookup above would not see it.
  if (!allowPrivate && isIP(host) !== 0 && isRestrictedAddress(host))
    throw new OutgoingRequestError("refused", refusedMessage(host, host));
  return url;
}

/** Sends one request, following redirects within the policy; never throws for an HTTP status. */
export async function safeRequest(request: OutgoingRequest, policy: OutgoingPolicy): Promise<OutgoingResponse> {
  const timeoutMs = policy.timeoutMs ?? 15_000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  let url = checkOutgoingUrl(request.url, policy.allowPrivate);
  let { method, body } = request;
  let headers = { ...request.headers };
  const maxRedirects = policy.maxRedirects ?? 3;
  for (let hop = 0; ; hop++) {
    const response = await once(url, method, headers, body, signal, policy, timeoutMs);
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) return response;
    if (hop >= maxRedirects)
      throw new OutgoingRequestError("redirect", `too many redirects (more than ${maxRedirects}) from ${request.url}`);
    const next = new URL(location, url);
    // Upgrading to https is fine; anything else (https → http, file:, ftp:) is refused.
    if (next.protocol !== url.protocol && !(url.protocol === "http:" && next.protocol === "https:"))
      throw new OutgoingRequestError("redirect", `refused a redirect from ${url.protocol} to ${next.protocol}`);
    url = checkOutgoingUrl(next.href, policy.allowPrivate);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-/i.test(k)));
    }
    // Credentials were meant for the first host only.
    if (next.host !== new URL(request.url).host) delete headers.authorization;
  }
}

function once(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | string | undefined,
  signal: AbortSignal,
  policy: OutgoingPolicy,
  timeoutMs: number,
): Promise<OutgoingResponse> {
  const limit = policy.maxResponseBytes ?? 1024 * 1024;
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal, timeoutMs));
    const req = send(url, {
      method,
      headers: { ...headers, ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}) },
      lookup: guardedLookup(policy.allowPrivate),
      signal,
      agent: false,
    });
    req.on("error", (error) => reject(classify(error, signal, timeoutMs, url)));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.destroy();
          reject(new OutgoingRequestError("too_large", `the response from ${url.host} is larger than ${limit} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (error) => reject(classify(error, signal, timeoutMs, url)));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.href }),
      );
    });
    req.end(body);
  });
}

function abortError(signal: AbortSignal, timeoutMs: number): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "TimeoutError")
    return new OutgoingRequestError("timeout", `no answer within ${Math.round(timeoutMs / 1000)} s`);
  return reason instanceof Error ? reason : new Error("aborted");
}

function classify(error: unknown, signal: AbortSignal, timeoutMs: number, url: URL): Error {
  if (error instanceof OutgoingRequestError) return error;
  if (signal.aborted) return abortError(signal, timeoutMs);
  // The guarded lookup's refusal arrives wrapped by the socket on some Node versions.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof OutgoingRequestError) return cause;
  const code = (error as NodeJS.ErrnoException).code;
  return new OutgoingRequestError("network", `cannot reach ${url.host}${code ? ` (${code})` : ""}`);
}
