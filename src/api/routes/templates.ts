import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { DocketError } from "../../errors.js";
import { TEMPLATE_NAME, type TemplateCatalog } from "../../extraction/templates/template-catalog.js";
import { principalOf } from "../auth.js";
import { problemResponses } from "../schemas.js";

export interface TemplateRoutesOptions {
  templates: TemplateCatalog;
}

const TemplateSummarySchema = z.object({
  name: z.string(),
  issuer: z.string().nullable(),
  keywords: z.array(z.string()),
  source: z.enum(["directory", "uploaded"]),
  updated_at: z.string(),
  warnings: z.array(z.string()),
});

const NameParams = z.object({ name: z.string().regex(TEMPLATE_NAME, "a template name is 1–100 of a-z 0-9 . _ -") });

/** The YAML as the body itself (application/yaml, text/yaml, text/plain) or as JSON `{yaml}`. */
const UploadBody = z.union([z.string(), z.object({ yaml: z.string() })]);

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"];

/**
 * Admin routes for invoice2data templates: list, read, upload (validated before it is
 * stored), delete. Registered in their own scope: only here does a YAML or plain-text body
 * parse (elsewhere text/plain stays a 415).
 */
export async function templateRoutes(app: FastifyInstance, o: TemplateRoutesOptions): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_request, body, done) => done(null, body));
    const r = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ["templates"];
    const config = { auth: "admin" as const };

    r.get(
      "/api/v1/templates",
      {
        config,
        schema: {
          tags,
          summary: "Extraction templates (admin): from DOCKET_TEMPLATES_DIR and uploaded",
          response: {
            200: z.object({ items: z.array(TemplateSummarySchema), total: z.number() }),
            ...problemResponses(401, 403),
          },
        },
      },
      async () => {
        const items = await o.templates.list();
        return { items, total: items.length };
      },
    );

    r.get(
      "/api/v1/templates/:name",
      {
        config,
        schema: {
          tags,
          summary: "A template's YAML (admin); X-Template-Source says where it comes from",
          params: NameParams,
          response: { 200: z.string().describe("the YAML"), ...problemResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const found = await o.templates.get(request.params.name);
        if (!found) throw new DocketError("not_found", `no template named "${request.params.name}"`);
        return reply
          .type("application/yaml; charset=utf-8")
          .header("x-template-source", found.summary.source)
          .send(found.yaml);
      },
    );

    r.put(
      "/api/v1/templates/:name",
      {
        config,
        schema: {
          tags,
          summary:
            "Upload or replace a template (admin): invoice2data YAML as the body, or JSON {yaml}; 400 when it cannot be read",
          params: NameParams,
          body: UploadBody,
          response: { 200: TemplateSummarySchema, 201: TemplateSummarySchema, ...problemResponses(400, 401, 403, 415) },
        },
      },
      async (request, reply) => {
        const yaml = typeof request.body === "string" ? request.body : request.body.yaml;
        const { summary, created } = await o.templates.upload(request.params.name, yaml, principalOf(request).user.id);
        return reply.code(created ? 201 : 200).send(summary);
      },
    );

    r.delete(
      "/api/v1/templates/:name",
      {
        config,
        schema: {
          tags,
          summary: "Delete an uploaded template (admin); 409 for one that comes from the templates folder",
          params: NameParams,
          response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await o.templates.remove(request.params.name);
        return reply.code(204).send(null);
      },
    );
  });
}
