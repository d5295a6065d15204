/**
 * The start of keys that one Lua script or one multi-key command touches together, such as a
 * queue's keys or the cache's tag versions. A Redis Cluster hashes only the text between the
 * first `{` and `}` of a key, so every key starting with this lands in one slot; the deployment's
 * REDIS_PREFIX inside the tag keeps deployments (and test apps) apart and spread over slots.
 * The rate-limit storage names its keys the same way: `{<prefix>:rl:...}:hits`.
 */
export const slotGroup = (prefix: string, area: string): string => `{${prefix}:${area}}`;
