import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { parseInput } from '../../lib/validate.ts';
import { type AuditBy, recordAudit } from '../audit/audit.repository.ts';
import { accountNameSchema } from './accounts.ts';
import * as repo from './accounts.repository.ts';

/**
 * Renames the account (the organization shown in the top bar, members page and emails).
 * Its slug, and so its URLs, stay as they are. Returns the stored (trimmed) name.
 */
export async function renameAccount(deps: { db: Db; clock: Clock }, accountId: number, raw: unknown, by: AuditBy): Promise<string> {
  const { name } = parseInput(accountNameSchema, raw);
  return writeTx(deps.db, async (trx) => {
    const account = await repo.findAccount(trx, accountId);
    if (!account) throw new NotFoundError('Account');
    if (account.name === name) return name;
    await repo.renameAccount(trx, accountId, name);
    await recordAudit(trx, { accountId, actor: by.actor, ip: by.ip ?? null, action: 'account.renamed', target: `account ${accountId}`, details: { from: account.name, to: name }, at: deps.clock.now() });
    return name;
  });
}
