import type { FastifyReply } from 'fastify';

/** The two output formats of GeoReport v2 (XML is the spec's required one). */
export type Open311Format = 'json' | 'xml';

/** An error as the spec answers it: HTTP status, and `[{code, description}]` in the body. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
    this.name = 'Open311Error';
  }
}

// Element names of list items, by the name of the list that holds them.
const ITEM_NAMES: Record<string, string> = {
  services: 'service',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  service_requests: 'request',
  service_request_updates: 'request_update',
  timeline: 'entry',
  errors: 'error',
};

// Characters XML 1.0 does not allow at all (C0 controls other than tab, LF, CR; lone surrogates; U+FFFE/F).
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML content, dropping characters XML cannot carry. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Serialises a GeoReport value as XML under `root`: objects become child elements in key order,
 * lists repeat their item element (`services` → `service`), null becomes an empty element. Keys
 * are our own fixed names, never client text, so only values need escaping.
 */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value)}\n`;
}

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = ITEM_NAMES[name] ?? 'item';
    return `<${name}>${value.map((v) => element(item, v)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => element(key, child))
      .join('');
    return `<${name}>${children}</${name}>`;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** Sends a GeoReport answer in the asked format; lists go under `root` in XML. */
export function sendOpen311(
  reply: FastifyReply,
  format: Open311Format,
  root: string,
  body: unknown,
  status = 200,
) {
  reply.status(status);
  if (format === 'xml') {
    return reply.type('text/xml; charset=utf-8').send(toXml(root, body));
  }
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Sends an error as `[{code, description}]` (JSON) or `<errors><error>…` (XML). */
export function sendOpen311Error(reply: FastifyReply, format: Open311Format, error: Open311Error) {
  return sendOpen311(
    reply,
    format,
    'errors',
    [{ code: error.status, description: error.description }],
    error.status,
  );
}

/** W3C date-time (ISO 8601 with a zone) of epoch ms, in China Standard Time as the city reads it. */
export function w3cTime(ms: number): string {
  const local = new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19);
  return `${local}+08:00`;
}
