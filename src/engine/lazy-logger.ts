import type { Logger } from "../logger.js";

const noop = () => undefined;

/**
 * A child logger made on first use. pino's `child()` serialises and redacts its bindings at
 * once (about 50 µs here), which a worker would pay for every job and every step even when
 * the lines it might write are below the level and never written. Level methods below the
 * parent's level answer with a no-op without making the child at all.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = () => (child ??= parent.child(bindings));
  return new Proxy({} as Logger, {
    get(_target, property) {
      if (typeof property === "string" && property in parent.levels.values && !parent.isLevelEnabled(property))
        return noop;
      const value: unknown = Reflect.get(real(), property);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(child) : value;
    },
  });
}
