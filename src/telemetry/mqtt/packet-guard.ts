import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** Read state: the fixed header's first byte, its remaining-length bytes, or the body being skipped. */
const enum State {
  Type,
  Length,
  Body,
}

/**
 * A socket as aedes sees it, with one addition: it closes the connection as soon as a packet header
 * announces more than `maxPacketBytes`. aedes buffers a whole packet before parsing it and has no
 * size limit, so without this one client could make the broker hold 256 MiB (MQTT's maximum).
 * Only the fixed headers are read (the type byte and the 1–4 remaining-length bytes); bodies are
 * counted and passed through untouched, so the cost is a few operations per packet.
 */
export class GuardedConnection extends Duplex {
  private state = State.Type;
  private length = 0;
  private multiplier = 1;
  private skip = 0;

  constructor(
    private readonly socket: Socket,
    private readonly maxPacketBytes: number,
    private readonly onTooLarge: (announcedBytes: number) => void,
  ) {
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => {
      if (!this.scan(chunk)) return;
      // Backpressure: stop reading the socket while aedes has not consumed what it was given.
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  /** The peer's address, for logs. */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.write(chunk)) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }

  /** Follows packet boundaries through the chunk; false (and the socket closed) on an oversized packet. */
  private scan(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case State.Type:
          i++;
          this.state = State.Length;
          this.length = 0;
          this.multiplier = 1;
          break;
        case State.Length: {
          const byte = chunk[i++] ?? 0;
          this.length += (byte & 0x7f) * this.multiplier;
          this.multiplier *= 128;
          // More than four length bytes is malformed; the parser would reject it, we just stop counting.
          if (this.length > this.maxPacketBytes || (byte & 0x80 && this.multiplier > 128 ** 4)) {
            this.onTooLarge(this.length);
            this.socket.destroy();
            return false;
          }
          if ((byte & 0x80) === 0) {
            this.skip = this.length;
            this.state = this.skip === 0 ? State.Type : State.Body;
          }
          break;
        }
        case State.Body: {
          const taken = Math.min(this.skip, chunk.length - i);
          i += taken;
          this.skip -= taken;
          if (this.skip === 0) this.state = State.Type;
          break;
        }
      }
    }
    return true;
  }
}
