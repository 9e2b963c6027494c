import { DocketError } from "../errors.js";

/**
 * What the multipart parser (busboy, under @fastify/multipart) throws for a body that is not
 * valid multipart: no boundary in the Content-Type, a body that ends inside a part or its
 * headers. Those are the client's errors and will fail the same way again: 400
 * `malformed_multipart`, never a 500 or a 503 that invites retrying the same bytes.
 */
const MALFORMED = [/^Multipart: /i, /unexpected end of multipart data/i, /^Malformed/i, /terminated early/i];

/** The error as a DocketError when it is a multipart parse failure; undefined otherwise. */
export function malformedMultipart(error: unknown): DocketError | undefined {
  if (error instanceof DocketError || !(error instanceof Error)) return undefined;
  if (!MALFORMED.some((pattern) => pattern.test(error.message))) return undefined;
  return new DocketError(
    "malformed_multipart",
    `the request body is not valid multipart/form-data (${error.message}): send a complete multipart body with a boundary in its Content-Type`,
    { cause: error },
  );
}
