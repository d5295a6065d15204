/** Names of the service's own metrics; prom-client's nodejs_* and process_* come on top. */
export const METRIC = {
  httpRequests: 'http_requests_total',
  httpDuration: 'http_request_duration_seconds',
  httpInFlight: 'http_requests_in_flight',
  ordersCreated: 'orders_created_total',
  ordersCancelled: 'orders_cancelled_total',
  orderBatchSize: 'order_batch_size',
  cacheRequests: 'cache_requests_total',
  queueJobs: 'queue_jobs',
  dbPoolConnections: 'db_pool_connections',
  dbPoolMax: 'db_pool_max_connections',
  dbPoolAcquire: 'db_pool_acquire_duration_seconds',
  outboxOldestAge: 'outbox_oldest_unrelayed_age_seconds',
  dbReplicaPoolConnections: 'db_replica_pool_connections',
  dbReplicaPoolMax: 'db_replica_pool_max_connections',
  dbReplicaLag: 'db_replica_lag_seconds',
  dbReplicaInUse: 'db_replica_in_use',
} as const;

/** Every request whose path matched no route shares this label, so cardinality stays bounded. */
export const UNMATCHED_ROUTE = 'unmatched';
