import { z } from 'zod';

/**
 * E-mail as accounts store it: trimmed and lower-cased BEFORE the format check, so `Alice@Example.com ` and
 * `alice@example.com` are one account (the unique index sees the normalised value).
 */
export const AccountEmailSchema = z.string().trim().toLowerCase().max(254).email();

/** OWASP ASVS 2.1: at least 10 characters here, no composition rules, long passphrases allowed but bounded. */
export const NewPasswordSchema = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');

export const RegisterRequestSchema = z.strictObject({
  email: AccountEmailSchema,
  password: NewPasswordSchema,
  name: z.string().trim().min(1).max(100).optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

/** No minimum length on login: a policy change must not lock out old passwords; the maximum bounds hashing work. */
export const LoginRequestSchema = z.strictObject({
  email: AccountEmailSchema,
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** Opaque refresh tokens are `rt_` + 43 base64url characters; the bound is loose on purpose (no format oracle). */
export const RefreshTokenRequestSchema = z.strictObject({
  refreshToken: z.string().min(1).max(200),
});
export type RefreshTokenRequest = z.infer<typeof RefreshTokenRequestSchema>;

export const LogoutRequestSchema = RefreshTokenRequestSchema;

/** `POST /auth/password-reset`: always 202, whether the e-mail has an account or not. */
export const PasswordResetRequestSchema = z.strictObject({ email: AccountEmailSchema });
export type PasswordResetRequest = z.infer<typeof PasswordResetRequestSchema>;

/** `POST /auth/password-reset/confirm`: the token from the mail and the new password. */
export const PasswordResetConfirmSchema = z.strictObject({
  token: z.string().min(1).max(200),
  newPassword: NewPasswordSchema,
});
export type PasswordResetConfirm = z.infer<typeof PasswordResetConfirmSchema>;
export type LogoutRequest = RefreshTokenRequest;

export const UserRoleSchema = z.enum(['customer', 'admin']);
export type UserRole = z.infer<typeof UserRoleSchema>;

export const UserResponseSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string().nullable(),
  role: UserRoleSchema,
});
export type UserResponse = z.infer<typeof UserResponseSchema>;

export const TokenResponseSchema = z.object({
  /** HS256 JWT for `Authorization: Bearer`. */
  accessToken: z.string(),
  /** Opaque, single use: every refresh returns a new one; presenting a used one revokes the whole sign-in. */
  refreshToken: z.string(),
  /** Lifetime of the access token in seconds. */
  expiresIn: z.number().int().positive(),
  user: UserResponseSchema,
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

export const MeResponseSchema = UserResponseSchema.extend({
  createdAt: z.iso.datetime({ offset: true }),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;
