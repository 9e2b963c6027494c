import type { Config } from "../config.js";
import { loadSecretBox } from "../crypto/secret-box.js";
import type { Database } from "../db/database.js";
import { DestinationService } from "../destinations/destination-service.js";
import { delivererOptions } from "../destinations/setup.js";
import type { Engine } from "../engine/engine.js";
import type { Logger } from "../logger.js";
import { WebhookDispatcher } from "./webhook-dispatcher.js";
import { WebhookService } from "./webhook-service.js";

export interface DeliveryTuning {
  /** Waits between webhook attempts (tests shorten them). */
  backoffMs?: readonly number[];
  retryWindowMs?: number;
  pollMs?: number;
}

/**
 * Destinations and event webhooks of one process: the services the API and submit use, and
 * the dispatcher that sends event webhooks (started by `start`, stopped by `close`).
 */
export function createDelivery(deps: {
  config: Config;
  database: Database;
  engine: Pick<Engine, "feed" | "notifier">;
  log: Logger;
  tuning?: DeliveryTuning | undefined;
}) {
  const { config, database, engine } = deps;
  const box = loadSecretBox({ secretKey: config.destinations.secretKey, dataDir: config.dataDir });
  const destinations = new DestinationService(database, box, delivererOptions(config));
  const dispatcher = new WebhookDispatcher({
    database,
    readAfter: (afterId, limit) => engine.feed.readSince({ ownerId: null }, afterId, limit),
    notifier: engine.notifier,
    box,
    log: deps.log.child({ component: "webhooks" }),
    allowPrivateUrls: config.destinations.allowPrivateUrls,
    ...(deps.tuning?.backoffMs ? { backoffMs: deps.tuning.backoffMs } : {}),
    ...(deps.tuning?.pollMs ? { pollMs: deps.tuning.pollMs } : {}),
    ...(deps.tuning?.retryWindowMs ? { retryWindowMs: deps.tuning.retryWindowMs } : {}),
  });
  const webhooks = new WebhookService(database, box, {
    allowPrivateUrls: config.destinations.allowPrivateUrls,
    ...(deps.tuning?.retryWindowMs ? { retryWindowMs: deps.tuning.retryWindowMs } : {}),
    onChange: () => dispatcher.poke(),
  });
  return {
    destinations,
    webhooks,
    start: () => dispatcher.start(),
    close: () => dispatcher.stop(),
  };
}
