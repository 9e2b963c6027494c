import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AccountService, Principal } from "../accounts/account-service.js";
import type { Scope } from "../documents/document-service.js";
import { DocketError } from "../errors.js";

export const SESSION_COOKIE = "docket_session";
export const CSRF_HEADER = "x-csrf-token";

export type AuthLevel = "public" | "user" | "admin";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
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
export function registerAuth(app: FastifyInstance, accounts: AccountService): void {
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    // Secure by default under /api/v1; docs, health and metrics are public.
    const url = request.routeOptions.url;
    const level: AuthLevel = request.routeOptions.config?.auth ?? (url?.startsWith("/api/v1/") ? "user" : "public");
    const header = request.headers.authorization;
    let principal: Principal | null = null;
    let presented = false;
    if (header !== undefined) {
      presented = true;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (match) principal = await accounts.authenticate(match[1]!, "bearer");
    } else {
      const cookie = request.cookies?.[SESSION_COOKIE];
      if (cookie) {
        presented = true;
        principal = await accounts.authenticate(cookie, "cookie");
      }
    }
    request.principal = principal;
    if (level === "public") return;
    if (!principal) {
      throw new DocketError("unauthorized", presented ? "invalid or expired credentials" : "authentication required: send Authorization: Bearer <token>");
    }
    if (principal.via === "session_cookie" && !SAFE_METHODS.has(request.method)) {
      const csrf = request.headers[CSRF_HEADER];
      if (!accounts.checkCsrf(principal, typeof csrf === "string" ? csrf : undefined)) {
        throw new DocketError("csrf_failed", `cookie-authenticated requests that change state need the ${CSRF_HEADER} header from login or /api/v1/me`);
      }
    }
    if (level === "admin" && principal.user.role !== "admin") throw new DocketError("forbidden", "this needs an admin account");
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
