/**
 * Roles of a member in an account, from most to least powerful, and what each may do.
 * One table decides every permission, so routes and the API ask `can(role, action)` and a
 * test can walk the whole matrix.
 */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

/** Actions, each allowed from a minimum role upward. */
export const ACTIONS = {
  'account.view': 'viewer', // dashboards, monitors, incidents, pages: read only
  'monitors.write': 'member', // create, edit, pause, delete monitors; check now
  'incidents.write': 'member', // incident posts, updates, maintenance posts
  'maintenance.write': 'member',
  'pages.write': 'admin', // status page settings, components, subscribers
  'alerts.write': 'admin', // alert channels
  'members.manage': 'admin', // invite, change role, remove
  'account.rename': 'admin', // the account (organization) name
  'apikeys.manage': 'admin',
  'audit.view': 'admin',
  'billing.manage': 'owner',
  'account.delete': 'owner',
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTIONS;

export function roleRank(role: Role): number {
  return ROLES.length - ROLES.indexOf(role);
}

export function can(role: Role, action: Action): boolean {
  return roleRank(role) >= roleRank(ACTIONS[action]);
}
