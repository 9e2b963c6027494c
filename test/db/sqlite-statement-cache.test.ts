import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { CachingSqliteConnection } from "../../src/db/sqlite-statement-cache.js";

describe("CachingSqliteConnection", () => {
  const dir = mkdtempSync(join(tmpdir(), "docket-stmt-cache-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function open(capacity?: number): CachingSqliteConnection {
    const connection = new CachingSqliteConnection(new BetterSqlite3(join(dir, `${Math.random()}.db`)), capacity);
    connection.prepare("create table t (id integer primary key, v text)").run([]);
    connection.prepare("insert into t (id, v) values (1, 'a'), (2, 'b'), (3, 'c')").run([]);
    return connection;
  }

  it("compiles a SQL text once and reuses the statement with new parameters", () => {
    const c = open();
    const first = c.prepare("select v from t where id = ?");
    assert.deepEqual(first.all([1]), [{ v: "a" }]);
    const second = c.prepare("select v from t where id = ?");
    assert.equal(second, first);
    assert.deepEqual(second.all([2]), [{ v: "b" }]);
    c.close();
  });

  it("hands out a fresh statement while the cached one is mid-iteration", () => {
    const c = open();
    const iterating = c.prepare("select v from t order by id");
    const rows = iterating.iterate([]);
    assert.deepEqual(rows.next().value, { v: "a" });
    const other = c.prepare("select v from t order by id");
    assert.notEqual(other, iterating);
    assert.deepEqual(other.all([]), [{ v: "a" }, { v: "b" }, { v: "c" }]);
    assert.deepEqual([...rows], [{ v: "b" }, { v: "c" }]);
    c.close();
  });

  it("keeps at most `capacity` statements, dropping the least recently used", () => {
    const c = open(2);
    const a = c.prepare("select 1 as a");
    c.prepare("select 2 as b");
    assert.equal(c.prepare("select 1 as a"), a); // touch a: b is now the oldest
    c.prepare("select 3 as c"); // evicts b
    assert.equal(c.size, 2);
    assert.equal(c.prepare("select 1 as a"), a);
    c.close();
  });

  it("sees schema changes made after a statement was cached", () => {
    const c = open();
    assert.deepEqual(c.prepare("select * from t where id = ?").all([1]), [{ id: 1, v: "a" }]);
    c.prepare("alter table t add column w text default 'x'").run([]);
    assert.deepEqual(c.prepare("select * from t where id = ?").all([1]), [{ id: 1, v: "a", w: "x" }]);
    c.close();
  });
});
