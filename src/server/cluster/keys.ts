/**
 * The Redis key names of a cluster, in one place. Every key of one room shares a hash tag
 * (`{room key}`), so a room's keys sit together on one Redis shard.
 *
 * @module
 */

/** Key names under `prefix` (default `msrp-bot:<domain>:`). */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** Hash: room key → room URI, every room of the cluster. */
  get rooms(): string {
    return `${this.prefix}rooms`
  }

  /** Hash: node id → its SIP URI, every node that has started (so each knows the others' addresses). */
  get nodes(): string {
    return `${this.prefix}nodes`
  }

  /** String `token node address`, with a TTL: who owns the room. */
  lease(room: string): string {
    return `${this.prefix}room:{${room}}:lease`
  }

  /** Counter: the room's fencing tokens (INCR on every new lease). */
  fence(room: string): string {
    return `${this.prefix}room:{${room}}:fence`
  }

  /** Hash: uri, config, version, createdAt, lastSeq. */
  meta(room: string): string {
    return `${this.prefix}room:{${room}}:meta`
  }

  /** List: the kept history entries (JSON), oldest first. */
  history(room: string): string {
    return `${this.prefix}room:{${room}}:history`
  }

  /** Hash: identity key → last history sequence number it saw. */
  marks(room: string): string {
    return `${this.prefix}room:{${room}}:marks`
  }

  /** Hash: node id → `address expiresAt` for a registered address of record. */
  registration(aor: string): string {
    return `${this.prefix}reg:{${aor}}`
  }
}
