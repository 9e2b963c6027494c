import { safeRequest, type OutgoingResponse } from "../net/safe-http.js";
import type { Deliverer, DelivererOptions, DeliveryRequest } from "./deliverer.js";
import { checkHttpStatus, fromOutgoing, rejected } from "./delivery-errors.js";
import type { DestinationConfig } from "./destination-types.js";

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>';

/**
 * PUTs each output into a WebDAV collection (Nextcloud, ownCloud, Apache mod_dav, rclone):
 * the collection and its missing parents are made with MKCOL, each file is PUT under its
 * fixed name (a retry overwrites), then checked with HEAD: the server must report the size
 * that was sent, or the delivery fails rather than claim a file that is not there.
 */
export function webdavDeliverer(config: DestinationConfig["webdav"], options: DelivererOptions): Deliverer {
  const base = new URL(config.url.endsWith("/") ? config.url : `${config.url}/`);
  const policy = { allowPrivate: options.allowPrivateUrls, timeoutMs: options.timeoutMs ?? 60_000, maxRedirects: 0 };
  const auth: Record<string, string> =
    config.username !== undefined
      ? {
          authorization: `Basic ${Buffer.from(`${config.username}:${config.password ?? ""}`).toString("base64")}`,
        }
      : {};
  const where = `WebDAV ${base.host}`;
  const send = async (
    method: string,
    url: URL,
    signal: AbortSignal,
    extra: { headers?: Record<string, string>; body?: Buffer | string } = {},
  ): Promise<OutgoingResponse> =>
    safeRequest(
      { method, url: url.href, signal, body: extra.body, headers: { ...auth, ...extra.headers } },
      policy,
    ).catch((error: unknown) => {
      throw fromOutgoing(error, where);
    });

  /** Makes the collection and, when the server says a parent is missing (409), its parents first. */
  const makeCollection = async (url: URL, signal: AbortSignal, depth = 0): Promise<void> => {
    const response = await send("MKCOL", url, signal);
    // 405: it exists already (the usual answer on a second delivery).
    if (response.status === 201 || response.status === 405) return;
    if (response.status === 409 && depth < 20 && url.pathname !== "/") {
      await makeCollection(new URL("..", url), signal, depth + 1);
      const again = await send("MKCOL", url, signal);
      if (again.status === 201 || again.status === 405) return;
      checkHttpStatus(again.status, `${where}: MKCOL ${url.pathname}`);
      return;
    }
    checkHttpStatus(response.status, `${where}: MKCOL ${url.pathname}`);
  };

  const collectionExists = async (signal: AbortSignal): Promise<boolean> => {
    const response = await send("PROPFIND", base, signal, {
      headers: { depth: "0", "content-type": "application/xml; charset=utf-8" },
      body: PROPFIND_BODY,
    });
    if (response.status === 404) return false;
    checkHttpStatus(response.status, `${where}: PROPFIND ${base.pathname}`);
    return true;
  };

  return {
    async deliver({ job, signal }: DeliveryRequest) {
      if (!(await collectionExists(signal))) await makeCollection(base, signal);
      for (const file of job.files) {
        const target = new URL(encodeURIComponent(file.name), base);
        const bytes = await file.read();
        const put = await send("PUT", target, signal, { headers: { "content-type": file.mimeType }, body: bytes });
        checkHttpStatus(put.status, `${where}: PUT ${target.pathname}`);
        const head = await send("HEAD", target, signal);
        checkHttpStatus(head.status, `${where}: HEAD ${target.pathname} after the upload`);
        const length = head.headers["content-length"];
        if (length !== undefined && Number(length) !== bytes.length)
          throw rejected(`${where}: ${target.pathname} holds ${length} bytes after the upload, not ${bytes.length}`, {
            permanent: false,
          });
      }
      return { location: base.href };
    },
    async test(signal) {
      const exists = await collectionExists(signal);
      return exists
        ? `${base.pathname} exists on ${base.host} and these credentials may read it`
        : `${base.host} accepts these credentials; ${base.pathname} will be created on the first delivery`;
    },
  };
}
