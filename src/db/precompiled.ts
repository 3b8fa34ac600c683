import { type CompiledQuery as CQ, CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { dialectOf } from './dialect.ts';

const cache = new Map<string, string>();

/**
 * For the few statements every check runs: build the query with Kysely once per dialect,
 * keep its SQL text, and afterwards only bind parameters. Kysely would otherwise rebuild
 * and recompile the same query thousands of times a second. `build` must always produce
 * the same SQL, with parameters in the order `params` gives them.
 */
export async function runPrecompiled<R>(
  db: Kysely<Database>,
  key: string,
  build: () => { compile(): CQ },
  params: readonly unknown[],
): Promise<R[]> {
  const k = `${dialectOf(db)}:${key}`;
  let text = cache.get(k);
  if (text === undefined) {
    const compiled = build().compile();
    if (compiled.parameters.length !== params.length) throw new Error(`precompiled ${key}: expected ${compiled.parameters.length} parameters, got ${params.length}`);
    text = compiled.sql;
    cache.set(k, text);
  }
  const r = await db.executeQuery<R>(CompiledQuery.raw(text, [...params]));
  return r.rows;
}
