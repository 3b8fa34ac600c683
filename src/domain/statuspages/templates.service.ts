import type { Db } from '../../db/create-db.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { isDbId } from '../../lib/ids.ts';
import { parseInput } from '../../lib/validate.ts';
import * as repo from './posts.repository.ts';
import { templateSchema } from './posts.ts';

/** Incident templates of an account: a name, a title, a state and a Markdown body to prefill forms. */
export interface Template {
  id: number;
  name: string;
  title: string;
  state: string;
  body: string;
}

const toTemplate = (r: repo.TemplateRow): Template => ({ id: r.id, name: r.name, title: r.title, state: r.state, body: r.body });

export async function listTemplates(deps: { db: Db }, accountId: number): Promise<Template[]> {
  return (await repo.listTemplates(deps.db, accountId)).map(toTemplate);
}

export async function getTemplate(deps: { db: Db }, accountId: number, id: number): Promise<Template> {
  const r = isDbId(id) ? await repo.findTemplate(deps.db, accountId, id) : undefined;
  if (!r) throw new NotFoundError('Template');
  return toTemplate(r);
}

/** A template by the raw `?template=` value, or undefined when absent or not the account's. */
export async function templateFromQuery(deps: { db: Db }, accountId: number, raw: string | undefined): Promise<Template | undefined> {
  if (!raw || !/^\d{1,10}$/.test(raw) || !isDbId(Number(raw))) return undefined;
  const r = await repo.findTemplate(deps.db, accountId, Number(raw));
  return r && toTemplate(r);
}

export async function createTemplate(deps: { db: Db; clock: Clock }, accountId: number, raw: Record<string, string>): Promise<number> {
  const input = parseInput(templateSchema, raw);
  return repo.insertTemplate(deps.db, accountId, input, deps.clock.now());
}

export async function updateTemplate(deps: { db: Db }, accountId: number, id: number, raw: Record<string, string>): Promise<void> {
  const input = parseInput(templateSchema, raw);
  if (!isDbId(id) || !(await repo.updateTemplate(deps.db, accountId, id, input))) throw new NotFoundError('Template');
}

export async function deleteTemplate(deps: { db: Db }, accountId: number, id: number): Promise<void> {
  if (!isDbId(id) || !(await repo.deleteTemplate(deps.db, accountId, id))) throw new NotFoundError('Template');
}
