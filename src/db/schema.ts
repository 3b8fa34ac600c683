import type { Generated } from 'kysely';

/**
 * Table types. Times are epoch milliseconds (UTC) and booleans are 0/1 integers in both
 * SQLite and PostgreSQL, so both dialects return the same shapes.
 */
export interface Database {
  instance_settings: { key: string; value: string };
  users: {
    id: Generated<number>;
    email: string;
    password_hash: string;
    is_admin: number;
    created_at: number;
    password_changed_at: number;
    email_verified_at: number | null;
    last_seen_at: number | null;
  };
  accounts: {
    id: Generated<number>;
    name: string;
    slug: string;
    plan: string;
    created_at: number;
    stripe_customer_id: string | null;
    stripe_subscription_id: string | null;
    subscription_status: string | null;
    payment_failed_at: number | null;
    plan_changed_at: number | null;
    plan_notice: string | null;
    current_period_end: number | null;
    cancel_at_period_end: Generated<number>;
    stripe_event_at: number | null;
  };
  memberships: { account_id: number; user_id: number; role: string; created_at: number };
  sessions: {
    id: string;
    user_id: number;
    account_id: number;
    created_at: number;
    expires_at: number;
    revoked_at: number | null;
    user_agent: string | null;
  };
  monitors: {
    id: Generated<number>;
    account_id: number;
    name: string;
    url: string;
    method: string;
    expected_status: string;
    keyword: string | null;
    timeout_ms: number;
    interval_s: number;
    is_public: number;
    failure_threshold: number;
    is_paused: number;
    status: string;
    consecutive_failures: number;
    last_checked_at: number | null;
    last_ok: number | null;
    last_status_code: number | null;
    last_response_ms: number | null;
    last_error: string | null;
    check_requested_at: number | null;
    created_at: number;
    updated_at: number;
    reminder_hours: number | null;
    flapping_since: number | null;
    type: Generated<string>;
    settings: Generated<string>;
    retries: Generated<number>;
    degraded_ms: number | null;
    push_token: string | null;
    last_ping_at: number | null;
    run_started_at: number | null;
    paused_reason: string | null;
  };
  check_results: {
    monitor_id: number;
    checked_at: number;
    ok: number;
    status_code: number | null;
    response_ms: number | null;
    error: string | null;
    attempts?: number | null;
    region?: string | null;
  };
  rollups_hourly: RollupTable;
  rollups_daily: RollupTable;
  incidents: {
    id: Generated<number>;
    account_id: number;
    monitor_id: number;
    started_at: number;
    resolved_at: number | null;
    cause: string;
  };
  alert_channels: {
    id: Generated<number>;
    account_id: number;
    kind: string;
    name: string;
    config: string;
    is_default: number;
    disabled_at: number | null;
    disabled_reason: string | null;
    created_at: number;
    updated_at: number;
  };
  monitor_channels: { monitor_id: number; channel_id: number };
  outbox: QueueColumns & {
    id: Generated<number>;
    account_id: number;
    channel_id: number;
    monitor_id: number | null;
    incident_id: number | null;
  };
  deliveries: {
    id: Generated<number>;
    outbox_id: number;
    account_id: number;
    channel_id: number;
    attempt: number;
    attempted_at: number;
    ok: number;
    response: string | null;
    error: string | null;
  };
  maintenance_windows: {
    id: Generated<number>;
    account_id: number;
    title: string;
    starts_at: number | null;
    ends_at: number | null;
    cron: string | null;
    duration_minutes: number | null;
    timezone: string;
    ended_at: number | null;
    created_at: number;
  };
  maintenance_monitors: { window_id: number; monitor_id: number };
  monitor_screenshots: { monitor_id: number; taken_at: number; png: Buffer };
  status_pages: {
    id: Generated<number>;
    account_id: number;
    slug: string;
    title: string;
    created_at: number;
    description: Generated<string>;
    footer_text: Generated<string>;
    bar_days: Generated<number>;
    accent: Generated<string>;
    theme: Generated<string>;
    hide_powered_by: Generated<number>;
    access: Generated<string>;
    password_hash: string | null;
    /** A claimed host name; served only once verified (domain_verified_at set). */
    custom_domain: string | null;
    /** The TXT token of a pending claim (null once verified or when self-hosted). */
    domain_token: string | null;
    domain_claimed_at: number | null;
    domain_verified_at: number | null;
    /** When the TXT record was last looked up, and what was found if it did not match. */
    domain_checked_at: number | null;
    domain_check_result: string | null;
    /** A pending claim taken over by the account that proved the domain (a notice for the settings page). */
    domain_released: string | null;
    footer_links: Generated<string>;
    auto_publish: Generated<number>;
    sla_target: Generated<number>;
  };
  stripe_events: { id: string; type: string; received_at: number };
  invitations: {
    id: Generated<number>;
    account_id: number;
    email: string;
    role: string;
    token_hash: string;
    invited_by: number | null;
    created_at: number;
    expires_at: number;
    accepted_at: number | null;
    revoked_at: number | null;
  };
  user_tokens: {
    id: Generated<number>;
    user_id: number;
    purpose: string;
    token_hash: string;
    new_email: string | null;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
  api_keys: {
    id: Generated<number>;
    account_id: number;
    name: string;
    scope: string;
    prefix: string;
    key_hash: string;
    created_by: number | null;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
  };
  audit_log: {
    id: Generated<number>;
    account_id: number;
    user_id: number | null;
    api_key_id: number | null;
    actor: string;
    action: string;
    target: Generated<string>;
    details: Generated<string>;
    ip: string | null;
    created_at: number;
  };
  page_assets: { page_id: number; kind: string; content_type: string; data: Buffer; updated_at: number };
  page_groups: { id: Generated<number>; page_id: number; name: string; position: number };
  page_components: {
    id: Generated<number>;
    page_id: number;
    group_id: number | null;
    monitor_id: number | null;
    name: string | null;
    description: Generated<string>;
    manual_status: string | null;
    position: number;
    created_at: number;
  };
  page_incidents: {
    id: Generated<number>;
    account_id: number;
    page_id: number;
    kind: string;
    title: string;
    state: string;
    published_at: number | null;
    postmortem: string | null;
    incident_id: number | null;
    maintenance_window_id: number | null;
    scheduled_start: number | null;
    scheduled_end: number | null;
    created_at: number;
    updated_at: number;
    resolved_at: number | null;
  };
  page_incident_components: { page_incident_id: number; component_id: number; impact: string };
  page_incident_updates: { id: Generated<number>; page_incident_id: number; state: string; body: string; created_at: number };
  incident_templates: { id: Generated<number>; account_id: number; name: string; title: string; state: string; body: string; created_at: number };
  subscribers: {
    id: Generated<number>;
    page_id: number;
    kind: string;
    address: string;
    component_ids: string | null;
    token: string;
    confirmed_at: number | null;
    created_at: number;
    /** Standard Webhooks signing secret of a webhook subscriber (migration 011). */
    secret: string | null;
  };
  subscriber_outbox: QueueColumns & {
    id: Generated<number>;
    page_id: number;
    subscriber_id: number;
  };
}

/** What both delivery queues (alerts and subscriber notices) hold per message; one queue code serves both. */
interface QueueColumns {
  event: string;
  idempotency_key: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

/** Response-time histogram bucket upper bounds in ms; the last bucket is open-ended. */
export const HISTOGRAM_BOUNDS_MS = [
  10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000,
] as const;
export const HISTOGRAM_SIZE = HISTOGRAM_BOUNDS_MS.length + 1;

export type HistogramColumns = {
  h0: number; h1: number; h2: number; h3: number; h4: number; h5: number; h6: number;
  h7: number; h8: number; h9: number; h10: number; h11: number; h12: number; h13: number;
  h14: number; h15: number; h16: number; h17: number;
};

export type RollupTable = {
  monitor_id: number;
  bucket_start: number;
  checks: number;
  failures: number;
  rt_count: number;
  rt_sum: number;
  rt_min: number | null;
  rt_max: number | null;
} & HistogramColumns;
