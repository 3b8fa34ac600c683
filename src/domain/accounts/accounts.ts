import { z } from 'zod';
import { nameText } from '../../lib/validate.ts';

export interface User {
  id: number;
  email: string;
  isAdmin: boolean;
  passwordChangedAt: number;
  /** Null until the user follows the link emailed at sign-up; alerts are only emailed to verified users. */
  emailVerifiedAt: number | null;
}

export interface Account {
  id: number;
  name: string;
  slug: string;
  plan: string;
}

export interface Session {
  id: string;
  userId: number;
  accountId: number;
  expiresAt: number;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

const email = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'Enter your email address')
  .max(254, 'That email address is too long')
  .email('Enter a valid email address, like you@example.com');

export const emailField = email;

const password = z
  .string()
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`);

export const signUpSchema = z.object({
  email,
  password,
  organization: nameText().min(1, 'Enter your organization name').max(80, 'Keep it under 80 characters'),
});

/** Renaming the account (organization) from Settings; the same rule as at sign-up. */
export const accountNameSchema = z.object({
  name: nameText().min(1, 'Enter a name').max(80, 'Keep it under 80 characters'),
});

export const adminCreateUserSchema = signUpSchema.pick({ email: true, organization: true });

export const logInSchema = z.object({
  email,
  password: z.string().min(1, 'Enter your password').max(PASSWORD_MAX, 'Incorrect email or password'),
});

export const changePasswordSchema = z.object({
  current_password: z.string().min(1, 'Enter your current password'),
  new_password: password,
});

export const passwordField = password;
