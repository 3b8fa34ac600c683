import type { Migration } from 'kysely';
import * as m20261121_001 from './20261121_001_core.ts';
import * as m20261122_002 from './20261122_002_alerts.ts';
import * as m20261122_003 from './20261122_003_check_types.ts';
import * as m20261122_004 from './20261122_004_heartbeats.ts';
import * as m20261122_005 from './20261122_005_screenshots.ts';
import * as m20261122_006 from './20261122_006_page_settings.ts';
import * as m20261122_007 from './20261122_007_page_access.ts';
import * as m20261122_008 from './20261122_008_page_components.ts';
import * as m20261122_011 from './20261122_011_subscriber_secret.ts';
import * as m20261122_012 from './20261122_012_teams_billing_api.ts';
import * as m20261122_014 from './20261122_014_billing_notice.ts';
import * as m20261122_016 from './20261122_016_account_lifecycle.ts';
import * as m20261122_017 from './20261122_017_domain_verification.ts';

// Every migration, by name; names sort in the order they run. Add new files here.
export const migrations: Record<string, Migration> = {
  '20261121_001_core': m20261121_001,
  '20261122_002_alerts': m20261122_002,
  '20261122_003_check_types': m20261122_003,
  '20261122_004_heartbeats': m20261122_004,
  '20261122_005_screenshots': m20261122_005,
  '20261122_006_page_settings': m20261122_006,
  '20261122_007_page_access': m20261122_007,
  '20261122_008_page_components': m20261122_008,
  '20261122_011_subscriber_secret': m20261122_011,
  '20261122_012_teams_billing_api': m20261122_012,
  '20261122_014_billing_notice': m20261122_014,
  '20261122_016_account_lifecycle': m20261122_016,
  '20261122_017_domain_verification': m20261122_017,
};
