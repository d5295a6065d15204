import { Gauge, register, type GaugeConfiguration } from 'prom-client';

/**
 * A gauge read when Prometheus scrapes (its `collect` reads live state: queue lengths, pool
 * use). prom-client keeps one registry per process, so a gauge of an app that has closed is
 * replaced by the next app's, and an app removes only its own gauge when it closes.
 */
export class ScrapeGauge<L extends string> {
  readonly gauge: Gauge<L>;
  private readonly name: string;

  constructor(config: GaugeConfiguration<L>) {
    this.name = config.name;
    register.removeSingleMetric(config.name);
    this.gauge = new Gauge(config);
  }

  remove(): void {
    if (register.getSingleMetric(this.name) === this.gauge) register.removeSingleMetric(this.name);
  }
}
