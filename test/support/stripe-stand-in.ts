import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { freePort } from './processes.js';
import { close, listen } from './stand-in-server.js';

export const STRIPE_TEST_SECRET_KEY = 'sk_test_stand_in';

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
  form: URLSearchParams;
}

export interface StandInIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  client_secret: string;
  metadata: Record<string, string>;
  latest_charge: string | null;
  created: number;
  livemode: false;
}

interface StandInCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  refunded: boolean;
  payment_intent: string;
  metadata: Record<string, string>;
}

interface Failure {
  status: number;
  times: number;
}

const id = (prefix: string): string => `${prefix}_${randomBytes(8).toString('hex')}`;

/** Stripe's bracket form (metadata[order_id]=1) read back into an object. */
const metadataOf = (form: URLSearchParams): Record<string, string> => {
  const metadata: Record<string, string> = {};
  for (const [key, value] of form) {
    const match = /^metadata\[(.+)\]$/.exec(key);
    if (match?.[1]) metadata[match[1]] = value;
  }
  return metadata;
};

/**
 * A local stand-in for the parts of Stripe's API the shop uses (POST /v1/payment_intents, GET
 * /v1/payment_intents/:id, POST /v1/payment_intents/:id/cancel, POST /v1/refunds), answering
 * as Stripe documents them: form-encoded requests, JSON objects, Idempotency-Key replays the
 * first answer. It records every request, can be told to fail a path or to go down (its port
 * refuses connections), and sends webhooks signed with stripe.webhooks.generateTestHeaderString.
 */
export class StripeStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly intents = new Map<string, StandInIntent>();
  readonly charges = new Map<string, StandInCharge>();
  readonly refunds: { id: string; payment_intent: string; amount: number; status: string }[] = [];
  readonly webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  /** What a new refund answers: `succeeded` (final) or `pending` (a webhook confirms it). */
  refundStatus: 'succeeded' | 'pending' = 'succeeded';
  /**
   * How long making a PaymentIntent takes. Meanwhile a request with the same Idempotency-Key
   * is answered 409 idempotency_error, as Stripe answers a request that conflicts with one
   * still executing (and keeps no result for it).
   */
  createDelayMs = 0;
  private readonly executing = new Set<string>();
  private readonly replies = new Map<string, { status: number; body: string }>();
  private readonly failures = new Map<string, Failure>();
  private server: Server | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<StripeStandIn> {
    const standIn = new StripeStandIn(await freePort());
    await standIn.up();
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers the next `times` requests to paths starting with `path` with `status`. */
  fail(path: string, times: number, status = 500): void {
    this.failures.set(path, { status, times });
  }

  async up(): Promise<void> {
    this.server = await listen(this.port, (req, res) => {
      void this.handle(req, res);
    });
  }

  /** Stops listening: calls to the stand-in are refused, as when Stripe is unreachable. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await close(server);
  }

  /** The customer completes the PaymentIntent (Stripe.js), with no webhook sent. */
  succeed(intentId: string): StandInIntent {
    const intent = this.intent(intentId);
    const charge: StandInCharge = {
      id: id('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_refunded: 0,
      currency: intent.currency,
      refunded: false,
      payment_intent: intent.id,
      metadata: {},
    };
    this.charges.set(charge.id, charge);
    Object.assign(intent, {
      status: 'succeeded',
      amount_received: intent.amount,
      latest_charge: charge.id,
    });
    return intent;
  }

  intent(intentId: string): StandInIntent {
    const intent = this.intents.get(intentId);
    if (!intent) throw new Error(`no PaymentIntent ${intentId}`);
    return intent;
  }

  chargeOf(intentId: string): StandInCharge {
    const chargeId = this.intent(intentId).latest_charge;
    const charge = chargeId ? this.charges.get(chargeId) : undefined;
    if (!charge) throw new Error(`PaymentIntent ${intentId} has no charge`);
    return charge;
  }

  /** A signed event as Stripe would post it; `timestamp` (unix seconds) to make a stale one. */
  event(
    type: string,
    object: object,
    options: { id?: string; timestamp?: number; secret?: string } = {},
  ): { body: string; signature: string; id: string } {
    const eventId = options.id ?? id('evt');
    const body = JSON.stringify({
      id: eventId,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: options.secret ?? this.webhookSecret,
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    });
    return { body, signature, id: eventId };
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const method = req.method ?? 'GET';
    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : undefined;
    const authorization = req.headers.authorization;
    this.requests.push({ method, path: url.pathname, idempotencyKey, authorization, form });
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      if (idempotencyKey && method === 'POST')
        this.replies.set(idempotencyKey, { status, body: text });
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
      res.end(text);
    };
    for (const [path, failure] of this.failures) {
      if (url.pathname.startsWith(path) && failure.times > 0) {
        failure.times -= 1;
        res.writeHead(failure.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: 'stand-in failure' } }));
        return;
      }
    }
    if (authorization !== `Bearer ${STRIPE_TEST_SECRET_KEY}`) {
      send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key' } });
      return;
    }
    const replay =
      idempotencyKey && method === 'POST' ? this.replies.get(idempotencyKey) : undefined;
    if (replay) {
      res.writeHead(replay.status, {
        'content-type': 'application/json',
        'idempotent-replayed': 'true',
      });
      res.end(replay.body);
      return;
    }
    if (idempotencyKey && this.executing.has(idempotencyKey)) {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            type: 'idempotency_error',
            message: 'There is currently another in-progress request using this Idempotent Key',
          },
        }),
      );
      return;
    }
    if (method === 'POST' && url.pathname === '/v1/payment_intents' && this.createDelayMs > 0) {
      if (idempotencyKey) this.executing.add(idempotencyKey);
      await new Promise((resolve) => setTimeout(resolve, this.createDelayMs));
      if (idempotencyKey) this.executing.delete(idempotencyKey);
    }
    this.route(method, url, form, send);
  }

  private route(
    method: string,
    url: URL,
    form: URLSearchParams,
    send: (status: number, body: unknown) => void,
  ): void {
    const intentPath = /^\/v1\/payment_intents\/([^/]+)(\/cancel)?$/.exec(url.pathname);
    if (method === 'POST' && url.pathname === '/v1/payment_intents') {
      const intentId = id('pi');
      const intent: StandInIntent = {
        id: intentId,
        object: 'payment_intent',
        amount: Number(form.get('amount')),
        amount_received: 0,
        currency: form.get('currency') ?? '',
        status: 'requires_payment_method',
        client_secret: `${intentId}_secret_${randomBytes(6).toString('hex')}`,
        metadata: metadataOf(form),
        latest_charge: null,
        created: Math.floor(Date.now() / 1000),
        livemode: false,
      };
      this.intents.set(intentId, intent);
      send(200, intent);
      return;
    }
    if (intentPath?.[1] && this.intents.has(intentPath[1])) {
      const intent = this.intent(intentPath[1]);
      if (method === 'GET' && !intentPath[2]) {
        const expand = [...url.searchParams.values()].includes('latest_charge');
        const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
        send(200, expand && charge ? { ...intent, latest_charge: charge } : intent);
        return;
      }
      if (method === 'POST' && intentPath[2]) {
        if (intent.status === 'succeeded' || intent.status === 'canceled') {
          send(400, {
            error: {
              type: 'invalid_request_error',
              code: 'payment_intent_unexpected_state',
              message: `This PaymentIntent's status is ${intent.status}`,
            },
          });
          return;
        }
        intent.status = 'canceled';
        send(200, intent);
        return;
      }
    }
    if (method === 'POST' && url.pathname === '/v1/refunds') {
      const intentId = form.get('payment_intent') ?? '';
      const charge = this.intents.has(intentId) ? this.chargeOf(intentId) : undefined;
      if (!charge) {
        send(400, { error: { type: 'invalid_request_error', message: 'No such payment_intent' } });
        return;
      }
      if (charge.refunded) {
        send(400, {
          error: {
            type: 'invalid_request_error',
            code: 'charge_already_refunded',
            message: 'Charge has already been refunded.',
          },
        });
        return;
      }
      const amount = Number(form.get('amount') ?? charge.amount);
      const refund = { id: id('re'), payment_intent: intentId, amount, status: this.refundStatus };
      this.refunds.push(refund);
      if (this.refundStatus === 'succeeded') this.markRefunded(charge, amount);
      send(200, {
        object: 'refund',
        currency: charge.currency,
        metadata: metadataOf(form),
        ...refund,
      });
      return;
    }
    send(404, {
      error: {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${url.pathname})`,
      },
    });
  }

  /** The refund went through (for a pending one: before its charge.refunded webhook). */
  markRefunded(charge: StandInCharge, amount: number): void {
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
  }
}
