import { isURL } from 'class-validator';

/**
 * Whether a URL has an "@" after its host: a password with an unencoded "@" (or "/" before it),
 * whose remainder would be taken for the host and the database, and shown as such in logs.
 */
export const hasStrayAt = (url: URL): boolean => /@/.test(url.pathname + url.search + url.hash);

export const ENCODE_CREDENTIALS =
  'has an "@" after its host: percent-encode "@", "/", ":" and "#" in the user name and password (%40, %2F, %3A, %23)';

/** One PostgreSQL read replica: its URL, and the name it goes by in logs and metrics. */
export interface ReplicaEndpoint {
  /** host:port, unique among the replicas; never carries a credential. */
  readonly name: string;
  readonly url: string;
}

/** A DATABASE_REPLICA_URLS entry that does not make sense; the message names it, masked. */
export class ReplicaUrlError extends Error {}

const POSTGRES_URL = {
  protocols: ['postgres', 'postgresql'],
  require_tld: false,
  require_protocol: true,
};

/**
 * An entry as it may be shown: everything up to the last "@" of a URL is credentials (a
 * password may itself hold "@", ":" or "/"), so all of it is masked.
 */
export const maskedEntry = (entry: string): string => {
  const at = entry.lastIndexOf('@');
  if (at < 0) return entry;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(entry)?.[0] ?? '';
  return `${scheme}***@${entry.slice(at + 1)}`;
};

/**
 * DATABASE_REPLICA_URLS: comma-separated postgres:// URLs (empty entries, as a trailing comma
 * leaves, are ignored). Each must parse, name a host, and differ from the others: the same
 * server twice would only be a second pool to it. The primary itself may be listed (a set-up
 * without replicas yet, or a test): its check finds no standby there, so it serves no replica
 * reads, and the primary answers them as it does without replicas.
 */
export function parseReplicaUrls(text: string | undefined): ReplicaEndpoint[] {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const where = `entry ${index + 1} (${JSON.stringify(maskedEntry(entry))})`;
    if (!isURL(entry, POSTGRES_URL)) {
      throw new ReplicaUrlError(`${where} must be a postgres:// URL`);
    }
    const url = new URL(entry);
    if (hasStrayAt(url)) throw new ReplicaUrlError(`${where} ${ENCODE_CREDENTIALS}`);
    const name = `${url.hostname}:${url.port || '5432'}`;
    if (seen.has(name)) throw new ReplicaUrlError(`${where} names ${name} a second time`);
    seen.add(name);
    return { name, url: entry };
  });
}
