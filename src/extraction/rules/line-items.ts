import type { LineItem } from "../types.js";
import type { RuleContext } from "./context.js";

export function extractLineItems(_ctx: RuleContext): LineItem[] {
  return [];
}
