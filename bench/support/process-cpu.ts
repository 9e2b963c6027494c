/**
 * CPU seconds of a process and everything it started, from /proc (Linux; undefined
 * elsewhere). The count is the process's own time, its reaped children's (cutime, cstime) and
 * the time of children still running: Docket keeps tesseract processes warm between pages,
 * and a child's time reaches cutime only when it exits, so counting reaped children alone
 * would leave out most of the OCR. A child's time moves from "running" to "reaped" as it
 * exits, so the total only grows and the difference of two readings is the CPU in between.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Fields after the command's closing parenthesis (field 3 on); times in USER_HZ ticks (100). */
function statFields(pid: number | "self"): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

const TICKS = 100;

/** utime+stime+cutime+cstime of `pid` plus utime+stime (and reaped) of its running children. */
export function processTreeCpu(pid: number): number | undefined {
  const own = statFields(pid);
  if (own === undefined) return undefined;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const child = statFields(Number(entry));
    // Field 4 (index 1 here) is the parent pid.
    if (child === undefined || Number(child[1]) !== pid) continue;
    ticks += Number(child[11]) + Number(child[12]) + Number(child[13]) + Number(child[14]);
  }
  return ticks / TICKS;
}

/** CPU seconds of `pid` itself (all its threads), without its children. */
export function processOwnCpu(pid: number): number | undefined {
  const own = statFields(pid);
  return own === undefined ? undefined : (Number(own[11]) + Number(own[12])) / TICKS;
}

/** CPU seconds of this process's reaped children only (cutime + cstime). */
export function reapedChildrenCpu(): number | undefined {
  const own = statFields("self");
  return own === undefined ? undefined : (Number(own[13]) + Number(own[14])) / TICKS;
}

/** The same for this process, with its own threads' time at microsecond precision. */
export function ownTreeCpu(): number | undefined {
  const tree = processTreeCpu(process.pid);
  const own = statFields("self");
  if (tree === undefined || own === undefined) return undefined;
  const usage = process.resourceUsage();
  return tree - (Number(own[11]) + Number(own[12])) / TICKS + (usage.userCPUTime + usage.systemCPUTime) / 1e6;
}
