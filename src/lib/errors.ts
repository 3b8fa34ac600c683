/**
 * Errors the user can act on. `code` is stable (API clients switch on it); `status` is the
 * HTTP status the web layer answers with; `fields` carries per-field form messages.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super('validation_failed', message, 422, fields);
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super('not_found', `${what} not found`, 404);
  }
}

export class AuthError extends AppError {
  constructor(message = 'Please log in') {
    super('unauthenticated', message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden', code = 'forbidden') {
    super(code, message, 403);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', fields: Record<string, string> = {}) {
    super(code, message, 409, fields);
  }
}

export class PlanLimitError extends AppError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super('plan_limit', message, 402, fields);
  }
}

export class RateLimitError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', `Too many attempts. Try again in ${retryAfterSeconds} seconds.`, 429);
  }

  /** Retry-After, and the RateLimit fields a client can act on without knowing the limit. */
  headers(): Record<string, string> {
    const s = String(this.retryAfterSeconds);
    return { 'Retry-After': s, 'RateLimit-Remaining': '0', 'RateLimit-Reset': s };
  }
}
