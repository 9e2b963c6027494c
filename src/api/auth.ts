import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AccountService, Principal } from "../accounts/account-service.js";
import type { CredentialWatcher } from "../accounts/credential-watch.js";
import type { Scope } from "../documents/document-service.js";
import { DocketError } from "../errors.js";
import { HttpProblem } from "./problem.js";
import { AuthFailureLimiter } from "./auth-failures.js";

export const SESSION_COOKIE = "docket_session";
export const CSRF_HEADER = "x-csrf-token";

export type AuthLevel = "public" | "user" | "admin";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Failed-authentication limits of this process (login marks the sessions it issues as good). */
    authFailures: AuthFailureLimiter;
    /** Ends long-lived requests whose credential ends. */
    credentialWatcher: CredentialWatcher;
  }
  interface FastifyContextConfig {
    /** Who may call the route; default "user". */
    auth?: AuthLevel;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Resolves the caller on every request (bearer token first, then the session cookie) and
 * enforces the route's auth level and, for cookie-authenticated unsafe requests, the CSRF
 * header. Runs before the body is read, so an anonymous upload is refused before streaming.
 */
export function registerAuth(
  app: FastifyInstance,
  accounts: AccountService,
  options: { failuresPerMinute: number },
): void {
  const failures = new AuthFailureLimiter(options.failuresPerMinute);
  app.decorateRequest("principal", null);
  app.decorate("authFailures", failures);
  app.decorate("credentialWatcher", accounts.watcher);
  app.addHook("onRequest", async (request, reply) => {
    // Secure by default under /api/v1; docs, health and metrics are public.
    const url = request.routeOptions.url;
    const level: AuthLevel = request.routeOptions.config?.auth ?? (url?.startsWith("/api/v1/") ? "user" : "public");
    const header = request.headers.authorization;
    const cookie = header === undefined ? request.cookies?.[SESSION_COOKIE] : undefined;
    const bearer = header === undefined ? undefined : (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? header);
    const secret = bearer ?? (cookie || undefined);
    // Public routes (UI assets, health, login) stay reachable with a stale session cookie;
    // a bearer token is always checked, so guessing one costs a failure anywhere.
    const counted = secret !== undefined && (header !== undefined || level !== "public");
    if (counted) {
      const wait = failures.blockedFor(request.ip, secret);
      if (wait > 0) {
        void reply.header("retry-after", String(Math.ceil(wait / 1000)));
        throw new HttpProblem(
          429,
          "rate_limited",
          `too many failed authentications from this address (at most ${failures.max} per ${failures.windowMs / 1000} s); retry in ${Math.ceil(wait / 1000)} s`,
        );
      }
    }
    let principal: Principal | null = null;
    if (header !== undefined) {
      if (bearer !== undefined && /^Bearer\s/i.test(header)) principal = await accounts.authenticate(bearer, "bearer");
    } else if (cookie) {
      principal = await accounts.authenticate(cookie, "cookie");
    }
    request.principal = principal;
    if (counted) {
      if (principal) failures.recordSuccess(secret);
      else failures.recordFailure(request.ip, secret);
    }
    if (level === "public") return;
    if (!principal) {
      throw new DocketError(
        "unauthorized",
        secret !== undefined
          ? "invalid or expired credentials"
          : "authentication required: send Authorization: Bearer <token>",
      );
    }
    if (principal.via === "session_cookie" && !SAFE_METHODS.has(request.method)) {
      const csrf = request.headers[CSRF_HEADER];
      if (!accounts.checkCsrf(principal, typeof csrf === "string" ? csrf : undefined)) {
        throw new DocketError(
          "csrf_failed",
          `cookie-authenticated requests that change state need the ${CSRF_HEADER} header from login or /api/v1/me`,
        );
      }
    }
    if (level === "admin" && principal.user.role !== "admin")
      throw new DocketError("forbidden", "this needs an admin account");
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DocketError("unauthorized", "authentication required");
  return request.principal;
}

export function scopeOf(request: FastifyRequest): Scope {
  const { user } = principalOf(request);
  return { userId: user.id, admin: user.role === "admin" };
}

/**
 * For a long-poll: a signal that aborts when the client goes away or the caller's credential
 * ends (revoked, logged out, user disabled) while it waits. Call `finish()` after waiting: it
 * throws `unauthorized` if the credential ended, so a revoked caller never gets the answer.
 */
export function longPollSignal(request: FastifyRequest): { signal: AbortSignal; finish(): void } {
  const aborted = new AbortController();
  let revoked = false;
  const unwatch = request.server.credentialWatcher.watch(principalOf(request), () => {
    revoked = true;
    aborted.abort();
  });
  request.raw.once("close", () => aborted.abort());
  return {
    signal: aborted.signal,
    finish() {
      unwatch();
      if (revoked) throw new DocketError("unauthorized", "the credential of this request is no longer valid");
    },
  };
}
