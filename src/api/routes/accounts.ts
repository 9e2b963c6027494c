import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AccountService } from "../../accounts/account-service.js";
import { principalOf, SESSION_COOKIE } from "../auth.js";
import {
  CreateUserBody,
  Credentials,
  IdParams,
  LoginResponse,
  MeSchema,
  Pagination,
  PatchUserBody,
  problemResponses,
  SetupBody,
  SetupState,
  TokenBody,
  TokenCreated,
  TokenList,
  UserList,
  UserSchema,
} from "../schemas.js";
import { z } from "zod";

export interface AccountRoutesOptions {
  accounts: AccountService;
  loginPerMinute: number;
}

export function accountRoutes(app: FastifyInstance, { accounts, loginPerMinute }: AccountRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["accounts"];

  r.get(
    "/api/v1/setup",
    {
      config: { auth: "public" },
      schema: {
        tags,
        summary: "Whether first-run setup is still open (no user exists yet)",
        response: { 200: SetupState },
      },
    },
    async () => ({ setup_required: !(await accounts.hasUsers()) }),
  );

  r.post(
    "/api/v1/setup",
    {
      config: { auth: "public", rateLimit: { max: loginPerMinute, timeWindow: 60_000 } },
      schema: {
        tags,
        summary: "Create the first (admin) account; only while no user exists",
        body: SetupBody,
        response: { 201: UserSchema, ...problemResponses(400, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await accounts.setup(request.body.email, request.body.password)),
  );

  r.post(
    "/api/v1/auth/login",
    {
      config: {
        auth: "public",
        rateLimit: { max: loginPerMinute, timeWindow: 60_000, keyGenerator: (req) => `login:${req.ip}` },
      },
      schema: {
        tags,
        summary: "Log in: a bearer token and a session cookie",
        body: Credentials,
        response: { 200: LoginResponse, ...problemResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const session = await accounts.login(request.body.email, request.body.password);
      // A new session is good: it must pass even if this address is over its failure limit.
      app.authFailures.recordSuccess(session.token);
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: request.protocol === "https",
        expires: new Date(session.expiresAt),
      });
      return {
        token: session.token,
        user: session.user,
        csrf_token: session.csrfToken,
        expires_at: new Date(session.expiresAt).toISOString(),
      };
    },
  );

  r.post(
    "/api/v1/auth/logout",
    { schema: { tags, summary: "End the session", response: { 204: z.null(), ...problemResponses(401) } } },
    async (request, reply) => {
      await accounts.logout(principalOf(request));
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.code(204).send(null);
    },
  );

  r.get(
    "/api/v1/me",
    { schema: { tags, summary: "The caller", response: { 200: MeSchema, ...problemResponses(401) } } },
    async (request) => {
      const principal = principalOf(request);
      return { ...principal.user, csrf_token: principal.via === "session_cookie" ? principal.csrfToken : null };
    },
  );

  r.post(
    "/api/v1/tokens",
    {
      schema: {
        tags,
        summary: "Create an API token (the secret is shown once)",
        body: TokenBody,
        response: { 201: TokenCreated, ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const created = await accounts.createToken(principalOf(request).user.id, request.body.name);
      app.authFailures.recordSuccess(created.token);
      return reply.code(201).send(created);
    },
  );

  r.get(
    "/api/v1/tokens",
    {
      schema: {
        tags,
        summary: "The caller's API tokens (no secrets)",
        response: { 200: TokenList, ...problemResponses(401) },
      },
    },
    async (request) => {
      const items = await accounts.listTokens(principalOf(request).user.id);
      return { items, total: items.length };
    },
  );

  r.delete(
    "/api/v1/tokens/:id",
    {
      schema: {
        tags,
        summary: "Revoke an API token",
        params: IdParams,
        response: { 204: z.null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await accounts.revokeToken(principalOf(request).user.id, request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    "/api/v1/users",
    {
      config: { auth: "admin" },
      schema: {
        tags,
        summary: "Create a user (admin)",
        body: CreateUserBody,
        response: { 201: UserSchema, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await accounts.createUser(request.body.email, request.body.password, request.body.role)),
  );

  r.get(
    "/api/v1/users",
    {
      config: { auth: "admin" },
      schema: {
        tags,
        summary: "List users (admin)",
        querystring: z.object(Pagination),
        response: { 200: UserList, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const { page, page_size } = request.query;
      return { ...(await accounts.listUsers(page, page_size)), page, page_size };
    },
  );

  r.patch(
    "/api/v1/users/:id",
    {
      config: { auth: "admin" },
      schema: {
        tags,
        summary: "Disable/enable a user or change their role (admin)",
        params: IdParams,
        body: PatchUserBody,
        response: { 200: UserSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => accounts.updateUser(request.params.id, request.body),
  );
}
