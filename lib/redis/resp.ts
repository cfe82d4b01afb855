/**
 * RESP2, the Redis wire format: commands go out as arrays of bulk strings; replies are
 * simple strings, errors, integers, bulk strings (null for a missing value) and arrays.
 * The parser is incremental: a reply may arrive split across any number of TCP chunks.
 */

/** An error reply (`-ERR …`, `-WRONGPASS …`); its first word is the Redis error code. */
export class RedisReplyError extends Error {
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
    this.code = message.split(' ', 1)[0] ?? 'ERR';
  }
}

export type RespValue = string | number | null | RedisReplyError | RespValue[];

const CRLF = '\r\n';

export function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}${CRLF}`), bytes, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

export class RespProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespProtocolError';
  }
}

/** Marker for "the buffer ends before this value does". */
const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: RespValue; end: number } | typeof INCOMPLETE;

export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);

  /** Adds received bytes and returns every reply they complete, in order. */
  feed(chunk: Buffer): RespValue[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const values: RespValue[] = [];
    let offset = 0;
    for (;;) {
      const parsed = this.parseAt(offset);
      if (parsed === INCOMPLETE) break;
      values.push(parsed.value);
      offset = parsed.end;
    }
    this.buffer = offset >= this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
    return values;
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  private line(offset: number): { text: string; end: number } | typeof INCOMPLETE {
    const at = this.buffer.indexOf(CRLF, offset, 'latin1');
    if (at === -1) return INCOMPLETE;
    return { text: this.buffer.toString('utf8', offset, at), end: at + 2 };
  }

  private integer(text: string): number {
    if (!/^-?\d+$/.test(text)) throw new RespProtocolError(`expected an integer, got "${text.slice(0, 40)}"`);
    return Number(text);
  }

  private parseAt(offset: number): Parsed {
    if (offset >= this.buffer.length) return INCOMPLETE;
    const type = String.fromCharCode(this.buffer[offset]!);
    const header = this.line(offset + 1);
    if (header === INCOMPLETE) return INCOMPLETE;
    switch (type) {
      case '+':
        return { value: header.text, end: header.end };
      case '-':
        return { value: new RedisReplyError(header.text), end: header.end };
      case ':':
        return { value: this.integer(header.text), end: header.end };
      case '$': {
        const length = this.integer(header.text);
        if (length < 0) return { value: null, end: header.end };
        const end = header.end + length + 2;
        if (this.buffer.length < end) return INCOMPLETE;
        if (this.buffer.toString('latin1', end - 2, end) !== CRLF) throw new RespProtocolError('bulk string not terminated by CRLF');
        return { value: this.buffer.toString('utf8', header.end, end - 2), end };
      }
      case '*': {
        const count = this.integer(header.text);
        if (count < 0) return { value: null, end: header.end };
        const items: RespValue[] = [];
        let end = header.end;
        for (let i = 0; i < count; i++) {
          const item = this.parseAt(end);
          if (item === INCOMPLETE) return INCOMPLETE;
          items.push(item.value);
          end = item.end;
        }
        return { value: items, end };
      }
      default:
        throw new RespProtocolError(`unknown reply type byte 0x${this.buffer[offset]!.toString(16)}`);
    }
  }
}
