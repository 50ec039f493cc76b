import { createHash, randomUUID } from 'node:crypto';
import type { AccessService } from '../access/access.service.js';
import { visibilityOf } from '../access/principal.js';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { CasePort, CategoryView, CaseView, PublicEntry } from './case-port.js';
import { Open311Error, w3cTime } from './open311-format.js';
import type { IntakeRepository, Open311Record } from './intake.repository.js';

/** One GeoReport attribute of a service definition. */
export interface Open311Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
}

/** A submitted request as the routes hand it over: form fields, repeated ones as arrays. */
export type Open311Params = Record<string, string | string[]>;

/** GET requests' parameters (empty ones already removed by the routes). */
export interface Open311ListParams {
  service_request_id?: string | undefined;
  service_code?: string | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  status?: string | undefined;
  page?: string | undefined;
  page_size?: string | undefined;
  /** `true` adds extended_attributes.timeline: the case's public timeline. */
  extensions?: string | undefined;
}

/** What the Open311 adapter needs. */
export interface Open311Deps {
  repository: IntakeRepository;
  cases: CasePort;
  access: Pick<AccessService, 'authenticate'>;
  tree: () => JurisdictionTree;
  clock?: () => number;
}

const MAX_LIST = 1000;
/** How deep page × page_size may reach, and how many requests one GET may read to fill a page. */
const MAX_PAGED = 10_000;
const MAX_SCANNED = 20_000;
const DEFAULT_DAYS = 90;
const W3C = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const NOTICE =
  '已受理，按类别时限办理；expected_datetime 为当前预计办结时间 Received; handled within the time limit of its category.';

const HAZARD: Open311Attribute = {
  variable: true,
  code: 'hazard',
  datatype: 'singlevaluelist',
  required: false,
  datatype_description: null,
  order: 1,
  description: '是否危及人身安全 Is anyone in danger?',
  values: [
    { key: 'yes', name: '是 Yes' },
    { key: 'no', name: '否 No' },
  ],
};
const ASSET: Open311Attribute = {
  variable: true,
  code: 'asset_id',
  datatype: 'string',
  required: false,
  datatype_description: '部件上的编号 the number marked on the asset',
  order: 2,
  description: '部件编号 Asset number',
};

/**
 * Open311 GeoReport v2 (市民上报): services are the case catalog's citizen-reportable categories;
 * a posted request becomes (or joins) a case through the cases intake, and is shown open or
 * closed from that case. Requests keep their own id and token, so a request stays findable when
 * its case is de-duplicated onto another citizen's.
 */
export class Open311Service {
  private readonly clock: () => number;

  constructor(private readonly deps: Open311Deps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** GET services: every enabled citizen-reportable category. */
  async services() {
    return (await this.citizenCategories()).map((c) => ({
      service_code: c.code,
      service_name: c.zh,
      description: `${c.zh} ${c.en}`,
      metadata: true,
      type: 'realtime',
      keywords: [c.kind === 'component' ? '部件' : '事件', c.group, c.en].join(', '),
      group: c.group,
    }));
  }

  /** GET services/{code}: the service's attributes. */
  async definition(code: string) {
    const category = await this.category(code);
    return { service_code: category.code, attributes: attributesOf(category) };
  }

  /** POST requests: checks the api_key and the fields, reports the case, stores the request. */
  async submit(params: Open311Params) {
    const one = oneOf(params);
    // The key first: a caller without one learns nothing about the fields (missing is 403 too).
    const principal = await this.principal(one('api_key'));
    const code = one('service_code');
    if (!code) throw new Open311Error(400, 'service_code is required');
    const lat = one('lat');
    const lon = one('long');
    const address = one('address_string')?.trim() || undefined;
    const addressId = one('address_id')?.trim() || undefined;
    const category = await this.category(code);
    if ((lat === undefined) !== (lon === undefined)) {
      throw new Open311Error(
        400,
        'lat and long go together: send both (WGS84), or neither with address_string',
      );
    }
    if (lat === undefined && !address) {
      // address_id alone names an address in a gazetteer cityops does not have.
      throw new Open311Error(
        400,
        addressId
          ? 'address_id cannot stand alone (cityops has no address register): send lat and long, or address_string'
          : 'a location is required: lat and long (WGS84), or address_string (address_id only with one of them)',
      );
    }
    // No point: the case opens in the key's jurisdiction, flagged 待定位 for an operator to locate.
    const latitude = lat === undefined ? null : decimal(lat, 'lat', -90, 90);
    const longitude = lon === undefined ? null : decimal(lon, 'long', -180, 180);
    const description = (one('description') ?? '').trim();
    if (description.length > 4000) throw new Open311Error(400, 'description is longer than 4000 characters');
    const mediaUrl = one('media_url')?.trim() || null;
    if (mediaUrl !== null && !isHttpUrl(mediaUrl)) {
      throw new Open311Error(400, 'media_url must be an http(s) URL');
    }
    const attributes = checkAttributes(params, attributesOf(category));
    const raw: Record<string, unknown> = { ...params };
    delete raw.api_key;
    const token = randomUUID();
    const now = this.clock();
    let outcome;
    try {
      outcome = await this.deps.cases.report(
        {
          source: 'open311',
          sourceRef: token,
          category: category.code,
          lon: longitude,
          lat: latitude,
          address,
          description: description || category.zh,
          reportedAt: now,
          reporter: principal.name,
          priority: attributes.hazard === 'yes' ? 'urgent' : undefined,
          attachments: mediaUrl ? [mediaUrl] : undefined,
          raw,
        },
        visibilityOf(principal, this.deps.tree()),
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'OUTSIDE_JURISDICTION') {
        throw new Open311Error(400, 'the location lies outside the jurisdiction this api_key reports for');
      }
      if (error instanceof AppError && error.status < 500) throw new Open311Error(400, error.message);
      throw error;
    }
    const stored = await this.deps.repository.insertOpen311({
      token,
      caseId: outcome.caseId,
      serviceCode: category.code,
      description,
      lon: longitude,
      lat: latitude,
      address: address ?? null,
      mediaUrl,
      requestedAt: now,
      raw,
    });
    // Every service is realtime: the id exists when the answer leaves, so no token (the spec: one or
    // the other). The token is still stored, and GET tokens/… still answers for it.
    return [{ service_request_id: String(stored.id), service_notice: NOTICE, account_id: null }];
  }

  /** POST servicerequestupdates (FixMyStreet): a citizen's follow-up, kept as a private comment. */
  async comment(params: Open311Params) {
    const one = oneOf(params);
    const principal = await this.principal(one('api_key'));
    const id = one('service_request_id') ?? '';
    const description = (one('description') ?? '').trim();
    if (!description) throw new Open311Error(400, 'description is required');
    if (description.length > 4000) throw new Open311Error(400, 'description is longer than 4000 characters');
    const record = /^\d{1,15}$/.test(id) ? await this.deps.repository.open311ById(Number(id)) : null;
    if (!record) throw new Open311Error(404, `no service request has the id ${id.slice(0, 40)}`);
    // A case merged away takes no comments; the case it was merged into does.
    const view = await this.deps.cases.view(record.caseId);
    // A key comments only within its own scope, as it reports: a district's app cannot write on the
    // timeline of another district's cases (outside is answered like absent).
    const notFound = () => new Open311Error(404, `no service request has the id ${id.slice(0, 40)}`);
    let seq: number;
    try {
      seq = await this.deps.cases.comment(
        view?.id ?? record.caseId,
        `市民补充 (Open311 #${record.id}): ${description}`,
        `open311:${principal.name}`,
        visibilityOf(principal, this.deps.tree()),
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'CASE_NOT_FOUND') throw notFound();
      if (error instanceof AppError && error.status < 500) throw new Open311Error(400, error.message);
      throw error;
    }
    return [{ update_id: `c${seq}` }];
  }

  /** GET servicerequestupdates (FixMyStreet): public replies on the cases of Open311 requests. */
  async updates(query: { start_date?: string | undefined; end_date?: string | undefined }) {
    const { from, to } = this.window(query);
    const replies = await this.deps.cases.publicUpdates(from, to ?? Number.MAX_SAFE_INTEGER, MAX_LIST);
    const caseIds = [...new Set(replies.flatMap((u) => u.caseIds))];
    const requests =
      caseIds.length === 0 ? [] : await this.deps.repository.listOpen311({ caseIds, limit: MAX_LIST * 10 });
    const out = [];
    for (const u of replies) {
      for (const r of requests.filter((q) => u.caseIds.includes(q.caseId))) {
        out.push({
          update_id: `${u.seq}-${r.id}`,
          service_request_id: String(r.id),
          status: u.open ? 'open' : 'closed',
          updated_datetime: w3cTime(u.at),
          description: u.note,
          media_url: null,
        });
      }
    }
    return out.slice(0, MAX_LIST);
  }

  /** A changeset that changes exactly when the service list (the citizen catalog) does. */
  async changeset(): Promise<string> {
    const digest = createHash('sha256')
      .update(JSON.stringify(await this.services()))
      .digest('hex');
    return `cityops-${digest.slice(0, 16)}`;
  }

  private async principal(apiKey: string | undefined) {
    if (!apiKey) throw new Open311Error(403, 'api_key is required: a key of kind open311');
    const principal = await this.deps.access.authenticate({ apiKey });
    if (!principal?.permissions.has('open311:submit')) throw new Open311Error(403, 'api_key is not valid');
    return principal;
  }

  /** start_date/end_date as [from, to): 90 days before the end (or now) by default. */
  private window(query: { start_date?: string | undefined; end_date?: string | undefined }) {
    const end = query.end_date !== undefined ? w3c(query.end_date, 'end_date') : undefined;
    const from =
      query.start_date !== undefined
        ? w3c(query.start_date, 'start_date')
        : (end ?? this.clock()) - DEFAULT_DAYS * 86_400_000;
    if (end !== undefined && from >= end) throw new Open311Error(400, 'start_date must be before end_date');
    return { from, to: end === undefined ? undefined : end + 1 };
  }

  /**
   * GET requests with the spec's filters: ids (overriding the rest), service codes (any of them),
   * dates (90 days by default), status — applied before the page is cut, so `status=open` finds
   * open requests older than a page of closed ones — then page and page_size.
   */
  async list(query: Open311ListParams) {
    const statuses = query.status
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (statuses?.some((s) => s !== 'open' && s !== 'closed')) {
      throw new Open311Error(400, 'status is open, closed or open,closed');
    }
    const page = positive(query.page, 'page', 1, 1_000_000);
    const pageSize = positive(query.page_size, 'page_size', MAX_LIST, MAX_LIST);
    const wanted = (r: { status: string }) => !statuses?.length || statuses.includes(r.status);
    const extended = query.extensions === 'true';
    const skip = (page - 1) * pageSize;
    // One unauthenticated GET must not walk the whole table: pages reach the first MAX_PAGED
    // requests, and a walk reads at most MAX_SCANNED; narrow the window (start_date, end_date) for more.
    if (skip + pageSize > MAX_PAGED) {
      throw new Open311Error(
        400,
        `page × page_size reaches at most ${MAX_PAGED} requests; narrow start_date and end_date instead`,
      );
    }
    if (query.service_request_id !== undefined) {
      const ids = query.service_request_id.split(',').map((s) => s.trim());
      if (ids.length > MAX_LIST || !ids.every((id) => /^\d{1,15}$/.test(id))) {
        throw new Open311Error(400, 'service_request_id is a comma-separated list of request ids');
      }
      const records = await this.deps.repository.listOpen311({ ids: ids.map(Number), limit: MAX_LIST });
      return (await this.present(records, extended)).filter(wanted).slice(skip, skip + pageSize);
    }
    const { from, to } = this.window(query);
    const serviceCodes = query.service_code
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // Status lives with the case, not the request: walk the window newest first in batches,
    // keeping matches, until the page is full or the window is exhausted.
    const out: Awaited<ReturnType<Open311Service['present']>> = [];
    let before: { requestedAt: number; id: number } | undefined;
    for (let scanned = 0; scanned < MAX_SCANNED; scanned += MAX_LIST) {
      const batch = await this.deps.repository.listOpen311({
        serviceCodes: serviceCodes?.length ? serviceCodes : undefined,
        from,
        to,
        before,
        limit: MAX_LIST,
      });
      out.push(...(await this.present(batch, extended)).filter(wanted));
      const last = batch.at(-1);
      if (out.length >= skip + pageSize || batch.length < MAX_LIST || !last) break;
      before = { requestedAt: last.requestedAt, id: last.id };
    }
    return out.slice(skip, skip + pageSize);
  }

  /** GET requests/{id}: one request in a list, as the spec shapes it. */
  async get(id: string, extended = false) {
    const record = /^\d{1,15}$/.test(id) ? await this.deps.repository.open311ById(Number(id)) : null;
    if (!record) throw new Open311Error(404, `no service request has the id ${id.slice(0, 40)}`);
    return this.present([record], extended);
  }

  /** GET tokens/{token}: the request id a token became. */
  async token(token: string) {
    const record = await this.deps.repository.open311ByToken(token);
    if (!record) throw new Open311Error(404, 'no service request has this token');
    return [{ service_request_id: String(record.id), token: record.token }];
  }

  private async present(records: Open311Record[], extended: boolean) {
    const names = new Map((await this.deps.cases.categories()).map((c) => [c.code, c.zh]));
    const views = new Map<string, CaseView | null>();
    for (const r of records) {
      if (!views.has(r.caseId)) views.set(r.caseId, await this.deps.cases.view(r.caseId));
    }
    return records.map((r) => {
      const view = views.get(r.caseId) ?? null;
      return {
        service_request_id: String(r.id),
        status: view?.open === false ? 'closed' : 'open',
        // Only a public reply (公开回复), never a staff note: see docs/open311.md.
        status_notes: view?.notes ?? null,
        service_name: names.get(r.serviceCode) ?? r.serviceCode,
        service_code: r.serviceCode,
        description: r.description || null,
        agency_responsible: view?.agency ?? null,
        service_notice: NOTICE,
        requested_datetime: w3cTime(r.requestedAt),
        updated_datetime: w3cTime(Math.max(view?.updatedAt ?? r.requestedAt, r.requestedAt)),
        expected_datetime: view?.open && view.expectedAt !== null ? w3cTime(view.expectedAt) : null,
        address: r.address,
        address_id: null,
        zipcode: null,
        lat: r.lat,
        long: r.lon,
        media_url: r.mediaUrl,
        ...(extended ? { extended_attributes: { timeline: (view?.timeline ?? []).map(timelineEntry) } } : {}),
      };
    });
  }

  private async citizenCategories(): Promise<CategoryView[]> {
    return (await this.deps.cases.categories()).filter((c) => c.citizenReportable);
  }

  private async category(code: string): Promise<CategoryView> {
    const category = (await this.citizenCategories()).find((c) => c.code === code);
    if (!category) throw new Open311Error(404, `no service has the code ${code.slice(0, 64)}`);
    return category;
  }
}

/** A public timeline entry as Open311 extensions show it. */
function timelineEntry(e: PublicEntry) {
  return {
    updated_datetime: w3cTime(e.at),
    status: e.open ? 'open' : 'closed',
    case_status: e.status,
    description: e.note,
  };
}

/** The first value of a form field (repeated fields are lists). */
function oneOf(params: Open311Params) {
  return (name: string): string | undefined => {
    const value = params[name];
    return Array.isArray(value) ? value[0] : value;
  };
}

function positive(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d{1,7}$/.test(text.trim()) ? Number(text) : 0;
  if (value < 1 || value > max) {
    throw new Open311Error(400, `${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

function attributesOf(category: CategoryView): Open311Attribute[] {
  return category.kind === 'component' ? [HAZARD, ASSET] : [HAZARD];
}

/** attribute[code] fields, checked against the definition. */
function checkAttributes(params: Open311Params, definition: Open311Attribute[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const match = /^attribute\[([^\]]*)\](\[\])?$/.exec(name);
    if (!match) continue;
    const code = match[1] ?? '';
    const attribute = definition.find((a) => a.code === code);
    if (!attribute) {
      throw new Open311Error(400, `attribute[${code.slice(0, 40)}] is not an attribute of this service`);
    }
    const text = Array.isArray(value) ? (value[0] ?? '') : value;
    if (text.length > 200) throw new Open311Error(400, `attribute[${code}] is longer than 200 characters`);
    if (attribute.values && !attribute.values.some((v) => v.key === text)) {
      throw new Open311Error(
        400,
        `attribute[${code}] must be one of ${attribute.values.map((v) => v.key).join(', ')}`,
      );
    }
    out[code] = text;
  }
  for (const a of definition) {
    if (a.required && out[a.code] === undefined) {
      throw new Open311Error(400, `attribute[${a.code}] is required`);
    }
  }
  return out;
}

function decimal(text: string, name: string, min: number, max: number): number {
  const value = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new Open311Error(400, `${name} must be a number from ${min} to ${max}`);
  }
  return value;
}

function w3c(text: string, name: string): number {
  const ms = W3C.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00+08:00` : text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new Open311Error(400, `${name} must be a W3C date-time, e.g. 2026-11-25T08:00:00+08:00`);
  }
  return ms;
}

function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
