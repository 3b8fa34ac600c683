import { z } from 'zod';
import { can, isRole, type Role } from '../accounts/roles.ts';

/** Invitation links are valid this long. */
export const INVITATION_TTL_DAYS = 7;

/**
 * Who may hand out a role: a member manager may give any role up to admin, and only an owner
 * may make someone an owner (so an admin cannot promote themselves or a friend above admin).
 */
export function canAssign(actor: Role, role: Role): boolean {
  if (!can(actor, 'members.manage')) return false;
  return role !== 'owner' || actor === 'owner';
}

/** Who may change or remove a member: owners anyone, admins anyone below owner. */
export function canManage(actor: Role, target: Role): boolean {
  if (!can(actor, 'members.manage')) return false;
  return target !== 'owner' || actor === 'owner';
}

/** Roles the actor can pick in the invite and role forms, most powerful first. */
export function assignableRoles(actor: Role): Role[] {
  return (['owner', 'admin', 'member', 'viewer'] as const).filter((r) => canAssign(actor, r));
}


const role = z.string().refine(isRole, 'Choose a role: owner, admin, member or viewer').transform((v) => v as Role);

export const inviteSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, 'Enter the email address to invite')
    .max(254, 'That email address is too long')
    .email('Enter a valid email address, like teammate@example.com'),
  role,
});

export const roleSchema = z.object({ role });
