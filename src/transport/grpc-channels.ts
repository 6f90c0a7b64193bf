import { Client, credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type { MethodDefinition, ServiceClientConstructor, GrpcObject } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** A method of a loaded proto, as grpc-js calls it. */
export type GrpcMethod = MethodDefinition<unknown, unknown>;

/**
 * What one thread's gRPC steps share: the protos they load (once per file, with @grpc/proto-loader, field
 * names kept as in the proto) and one Client per virtual user and server, each with its own connection (a
 * local subchannel pool), as k6 gives each VU its own: a user's calls share its HTTP/2 connection, users do
 * not share theirs, so connections scale with users as a real client population's do. Closed once, when
 * the thread's runs are over. Measured roughly (20 users, back-to-back unary calls to the built-in echo on a
 * busy 2-core machine): 370–440 calls/s so, 510–650 with one shared connection per thread.
 */
export class GrpcChannels {
  readonly #methods = new Map<string, GrpcMethod>();
  readonly #clients = new Map<string, Client>();
  readonly #connectTimeoutMs: number;
  #closed = false;

  constructor(connectTimeoutMs: number) {
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  /** `service`'s `method` from the proto at `protoPath` (checked when the scenario was read; a throw here is a bug). */
  method(protoPath: string, includeDirs: readonly string[], service: string, method: string): GrpcMethod {
    const key = `${protoPath}\n${service}/${method}`;
    const known = this.#methods.get(key);
    if (known !== undefined) return known;
    const definition = loadSync(protoPath, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: false,
      oneofs: true,
      includeDirs: [...includeDirs],
    });
    let namespace: GrpcObject | ServiceClientConstructor = loadPackageDefinition(definition);
    for (const part of service.split('.')) namespace = (namespace as GrpcObject)[part] as GrpcObject | ServiceClientConstructor;
    const found = (namespace as ServiceClientConstructor | undefined)?.service?.[method] as GrpcMethod | undefined;
    if (found === undefined) throw new Error(`${service}/${method} is not in ${protoPath}`);
    this.#methods.set(key, found);
    return found;
  }

  /** User `userIndex`'s client of the server at `address` (host:port), made on first use. */
  client(userIndex: number, address: string): Client {
    const key = `${userIndex} ${address}`;
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = new Client(address, credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
        // Fail a call at once when the server cannot be reached (no waitForReady), and try it again soon after.
        'grpc.initial_reconnect_backoff_ms': Math.min(1000, this.#connectTimeoutMs),
        'grpc.max_reconnect_backoff_ms': Math.min(1000, this.#connectTimeoutMs),
      });
      this.#clients.set(key, client);
    }
    return client;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
