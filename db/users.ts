import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';

/** Agents and admins with their own login, their refresh tokens and one-time login links. */
export type UserRole = 'admin' | 'agent';

export interface User {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: UserRole;
  disabled: boolean;
  tokenVersion: number;
  createdAt: string;
}

interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: UserRole;
  disabled: boolean;
  token_version: number;
  created_at: Date;
  password_hash: string;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  name: row.name,
  role: row.role,
  disabled: row.disabled,
  tokenVersion: row.token_version,
  createdAt: row.created_at.toISOString(),
});

/** A token's or code's stored form: SHA-256, so a leaked table opens nothing. */
export const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

export class DuplicateEmail extends Error {}

export async function createUser(pool: pg.Pool, input: { tenantId: string; email: string; name: string; role: UserRole; passwordHash: string }): Promise<User> {
  try {
    const { rows } = await pool.query<UserRow>(
      `INSERT INTO users (id, tenant_id, email, name, role, password_hash) VALUES ($1, $2, lower($3), $4, $5, $6) RETURNING *`,
      [randomUUID(), input.tenantId, input.email, input.name, input.role, input.passwordHash],
    );
    return toUser(rows[0]!);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new DuplicateEmail(`a user with e-mail ${input.email} exists`);
    throw error;
  }
}

export async function findUserForLogin(pool: pg.Pool, tenantId: string, email: string): Promise<(User & { passwordHash: string }) | undefined> {
  const { rows } = await pool.query<UserRow>('SELECT * FROM users WHERE tenant_id = $1 AND email = lower($2)', [tenantId, email]);
  return rows[0] && { ...toUser(rows[0]), passwordHash: rows[0].password_hash };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user of that id in the tenant; undefined for an unknown id or one that is no user id at all (a service account's subject). */
export async function findUser(pool: pg.Pool, tenantId: string, id: string): Promise<User | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await pool.query<UserRow>('SELECT * FROM users WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return rows[0] && toUser(rows[0]);
}

export async function listUsers(pool: pg.Pool, tenantId: string): Promise<User[]> {
  const { rows } = await pool.query<UserRow>('SELECT * FROM users WHERE tenant_id = $1 ORDER BY created_at, email', [tenantId]);
  return rows.map(toUser);
}

/** Changes a user; disabling, a new password or `revoke` bump the token version, which ends every refresh token they hold. */
export async function updateUser(
  pool: pg.Pool,
  tenantId: string,
  id: string,
  patch: { name?: string; role?: UserRole; disabled?: boolean; passwordHash?: string; revoke?: boolean },
): Promise<User | undefined> {
  if (!UUID.test(id)) return undefined;
  const bump = patch.disabled === true || patch.passwordHash !== undefined || patch.revoke === true;
  const { rows } = await pool.query<UserRow>(
    `UPDATE users SET name = coalesce($3, name), role = coalesce($4, role), disabled = coalesce($5, disabled),
       password_hash = coalesce($6, password_hash), token_version = token_version + $7, updated_at = now()
     WHERE tenant_id = $1 AND id = $2 RETURNING *`,
    [tenantId, id, patch.name ?? null, patch.role ?? null, patch.disabled ?? null, patch.passwordHash ?? null, bump ? 1 : 0],
  );
  if (rows[0] && bump) await pool.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [id]);
  return rows[0] && toUser(rows[0]);
}

/** A new refresh token for the user (returned once, stored hashed). */
export async function issueRefreshToken(pool: pg.Pool, user: Pick<User, 'id' | 'tokenVersion'>, ttlSeconds: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await pool.query(`INSERT INTO refresh_tokens (id, user_id, token_hash, token_version, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`, [
    randomUUID(),
    user.id,
    digest(token),
    user.tokenVersion,
    ttlSeconds,
  ]);
  return token;
}

export type RefreshOutcome = { user: User } | { refused: 'unknown' | 'expired' | 'revoked' | 'reused' | 'disabled' };

/**
 * Spends a refresh token: valid, unexpired, not revoked, and of the user's current token
 * version. A token presented after it was spent is a sign it was stolen: every token of that
 * user is revoked. Row-locked, so two refreshes with one token cannot both succeed.
 */
export async function spendRefreshToken(pool: pg.Pool, token: string): Promise<RefreshOutcome> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string; user_id: string; token_version: number; expired: boolean; revoked_at: Date | null }>(
      `SELECT id, user_id, token_version, expires_at < now() AS expired, revoked_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
      [digest(token)],
    );
    const row = rows[0];
    let outcome: RefreshOutcome;
    if (!row) outcome = { refused: 'unknown' };
    else if (row.revoked_at) {
      await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [row.user_id]);
      outcome = { refused: 'reused' };
    } else if (row.expired) outcome = { refused: 'expired' };
    else {
      await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE id = $1', [row.id]);
      const user = (await client.query<UserRow>('SELECT * FROM users WHERE id = $1', [row.user_id])).rows[0]!;
      if (user.disabled) outcome = { refused: 'disabled' };
      else if (user.token_version !== row.token_version) outcome = { refused: 'revoked' };
      else outcome = { user: toUser(user) };
    }
    await client.query('COMMIT');
    return outcome;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function revokeRefreshToken(pool: pg.Pool, token: string): Promise<void> {
  await pool.query('UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [digest(token)]);
}

/** A one-time login link's code for the user, valid for `ttlSeconds`. */
export async function createLoginLink(pool: pg.Pool, userId: string, ttlSeconds: number): Promise<string> {
  const code = randomBytes(24).toString('base64url');
  await pool.query(`INSERT INTO login_links (code_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`, [digest(code), userId, ttlSeconds]);
  return code;
}

/** Uses a login link's code once: the user it logs in, or undefined when unknown, used or expired. */
export async function useLoginLink(pool: pg.Pool, code: string): Promise<User | undefined> {
  const { rows } = await pool.query<UserRow>(
    `WITH used AS (UPDATE login_links SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id)
     SELECT users.* FROM users JOIN used ON used.user_id = users.id WHERE NOT users.disabled`,
    [digest(code)],
  );
  return rows[0] && toUser(rows[0]);
}
