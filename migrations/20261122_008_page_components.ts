import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// Frozen: several status pages per account with grouped components (monitors or manual),
// incident communication (incidents with updates, templates, maintenance posts) and subscribers.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const idType = pg ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());
  const blob = pg ? 'bytea' : 'blob';

  // Page extras: footer links as JSON [{label,url}], auto-publish of prepared drafts, SLA target.
  await db.schema.alterTable('status_pages').addColumn('footer_links', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('status_pages').addColumn('auto_publish', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('status_pages').addColumn('sla_target', 'real', (c) => c.notNull().defaultTo(99.9)).execute();
  await db.schema.createIndex('status_pages_account').on('status_pages').column('account_id').execute();

  // Logo and favicon, stored with the page so a self-hosted box needs no object store.
  await db.schema
    .createTable('page_assets')
    .addColumn('page_id', 'integer', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull()) // logo | favicon
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('page_assets_pk', ['page_id', 'kind'])
    .execute();

  await db.schema
    .createTable('page_groups')
    .addColumn('id', idType, id)
    .addColumn('page_id', 'integer', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('page_groups_page').on('page_groups').columns(['page_id', 'position']).execute();

  // A component shows a monitor (monitor_id set) or is manual (status set by hand).
  await db.schema
    .createTable('page_components')
    .addColumn('id', idType, id)
    .addColumn('page_id', 'integer', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
    .addColumn('group_id', 'integer', (c) => c.references('page_groups.id').onDelete('set null'))
    .addColumn('monitor_id', 'integer', (c) => c.references('monitors.id').onDelete('cascade'))
    .addColumn('name', 'text') // display name; null = the monitor's name
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('manual_status', 'text') // operational | degraded | partial_outage | major_outage | maintenance
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('page_components_page').on('page_components').columns(['page_id', 'position']).execute();
  await db.schema.createIndex('page_components_page_monitor').on('page_components').columns(['page_id', 'monitor_id']).unique().execute();
  await db.schema.createIndex('page_components_monitor').on('page_components').column('monitor_id').execute();

  // Existing pages keep showing what they showed: every public monitor, in creation order.
  const pages = await db.selectFrom('status_pages').select(['id', 'account_id']).orderBy('id').execute();
  const seen = new Set<number>();
  for (const p of pages) {
    if (seen.has(p.account_id)) continue;
    seen.add(p.account_id);
    const mons = await db.selectFrom('monitors').select(['id', 'created_at']).where('account_id', '=', p.account_id).where('is_public', '=', 1).orderBy('id').execute();
    let pos = 0;
    for (const m of mons) {
      await db.insertInto('page_components').values({ page_id: p.id, monitor_id: m.id, position: pos++, created_at: m.created_at }).execute();
    }
  }

  // Incident communication, Statuspage style: a post with timestamped updates.
  await db.schema
    .createTable('page_incidents')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('page_id', 'integer', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull()) // incident | maintenance
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // investigating|identified|monitoring|resolved, scheduled|in_progress|completed
    .addColumn('published_at', 'bigint') // null = draft
    .addColumn('postmortem', 'text')
    .addColumn('incident_id', 'integer', (c) => c.references('incidents.id').onDelete('set null')) // the monitor outage that prepared it
    .addColumn('maintenance_window_id', 'integer', (c) => c.references('maintenance_windows.id').onDelete('set null'))
    .addColumn('scheduled_start', 'bigint')
    .addColumn('scheduled_end', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .execute();
  await db.schema.createIndex('page_incidents_page').on('page_incidents').columns(['page_id', 'created_at']).execute();
  await db.schema.createIndex('page_incidents_incident').on('page_incidents').columns(['page_id', 'incident_id']).unique().execute();

  await db.schema
    .createTable('page_incident_components')
    .addColumn('page_incident_id', 'integer', (c) => c.notNull().references('page_incidents.id').onDelete('cascade'))
    .addColumn('component_id', 'integer', (c) => c.notNull().references('page_components.id').onDelete('cascade'))
    .addColumn('impact', 'text', (c) => c.notNull()) // degraded_performance | partial_outage | major_outage | maintenance
    .addPrimaryKeyConstraint('page_incident_components_pk', ['page_incident_id', 'component_id'])
    .execute();

  await db.schema
    .createTable('page_incident_updates')
    .addColumn('id', idType, id)
    .addColumn('page_incident_id', 'integer', (c) => c.notNull().references('page_incidents.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull()) // Markdown, rendered with a safe subset
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('page_incident_updates_incident').on('page_incident_updates').columns(['page_incident_id', 'created_at']).execute();

  await db.schema
    .createTable('incident_templates')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_templates_account').on('incident_templates').column('account_id').execute();

  // Subscribers: email (double opt-in) or webhook, optionally limited to some components.
  await db.schema
    .createTable('subscribers')
    .addColumn('id', idType, id)
    .addColumn('page_id', 'integer', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull()) // email | webhook
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('component_ids', 'text') // JSON array; null = every component
    .addColumn('token', 'text', (c) => c.notNull().unique()) // random, for signed confirm/unsubscribe links
    .addColumn('confirmed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subscribers_page_address').on('subscribers').columns(['page_id', 'kind', 'address']).unique().execute();

  // Notices to subscribers go through an outbox of their own shape, delivered by the same dispatcher habits.
  await db.schema
    .createTable('subscriber_outbox')
    .addColumn('id', idType, id)
    .addColumn('page_id', 'integer', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
    .addColumn('subscriber_id', 'integer', (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('subscriber_outbox_due').on('subscriber_outbox').columns(['status', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['subscriber_outbox', 'subscribers', 'incident_templates', 'page_incident_updates', 'page_incident_components', 'page_incidents', 'page_components', 'page_groups', 'page_assets']) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema.dropIndex('status_pages_account').execute();
  for (const c of ['footer_links', 'auto_publish', 'sla_target']) await db.schema.alterTable('status_pages').dropColumn(c).execute();
}
