import type { Deliverer, DelivererOptions } from "./deliverer.js";
import type { Destination, DestinationConfig } from "./destination-types.js";
import { folderDeliverer } from "./folder-deliverer.js";
import { s3Deliverer } from "./s3-deliverer.js";
import { webdavDeliverer } from "./webdav-deliverer.js";
import { webhookDeliverer } from "./webhook-deliverer.js";

/** The deliverer of a destination's kind, on its (decrypted) config. */
export function createDeliverer(destination: Destination, options: DelivererOptions): Deliverer {
  switch (destination.kind) {
    case "webhook":
      return webhookDeliverer(destination.config as DestinationConfig["webhook"], options);
    case "folder":
      return folderDeliverer(destination.config as DestinationConfig["folder"], options);
    case "s3":
      return s3Deliverer(destination.config as DestinationConfig["s3"], options);
    case "webdav":
      return webdavDeliverer(destination.config as DestinationConfig["webdav"], options);
  }
}
