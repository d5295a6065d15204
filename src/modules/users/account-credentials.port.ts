import type { Tx } from '../../infra/database/database.js';
import type { OutboxEvent } from '../../infra/queue/outbox-events.js';
import type { UserRow } from './users.repository.js';

export interface CredentialChange {
  /** The user as the change saved it. */
  user: UserRow;
  passwordChanged: boolean;
  emailChanged: boolean;
  /** The login that made the change: it stays signed in when the password changes. */
  sessionId: string;
}

/**
 * What the profile needs from whoever owns credentials, logins and mailed links (the auth
 * module provides it under ACCOUNT_CREDENTIALS, so users never imports auth): checking the
 * current password as a sign-in would (a locked account throws the 429), hashing a new one,
 * and, inside the change's transaction, what a new password or address means for the user's
 * logins and links. `changed` answers the events to record with the change (a new-address mail).
 */
export interface AccountCredentials {
  verifyCurrentPassword(user: UserRow, password: string): Promise<boolean>;
  hashPassword(password: string): Promise<string>;
  changed(tx: Tx, change: CredentialChange): Promise<OutboxEvent[]>;
}

export const ACCOUNT_CREDENTIALS = Symbol('ACCOUNT_CREDENTIALS');
