import { randomUUID } from 'node:crypto';
import type { AccessService } from '../access/access.service.js';
import { visibilityOf } from '../access/principal.js';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { CasePort, CategoryView, CaseView } from './case-port.js';
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

/** What the Open311 adapter needs. */
export interface Open311Deps {
  repository: IntakeRepository;
  cases: CasePort;
  access: Pick<AccessService, 'authenticate'>;
  tree: () => JurisdictionTree;
  clock?: () => number;
}

const MAX_LIST = 1000;
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
    const one = (name: string): string | undefined => {
      const value = params[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const code = one('service_code');
    if (!code) throw new Open311Error(400, 'service_code is required');
    const lat = one('lat');
    const lon = one('long');
    const address = one('address_string')?.trim() || undefined;
    if ((lat === undefined || lon === undefined) && !address) {
      throw new Open311Error(400, 'a location is required: lat and long (WGS84), or address_string');
    }
    const apiKey = one('api_key');
    if (!apiKey) throw new Open311Error(400, 'api_key is required');
    const principal = await this.deps.access.authenticate({ apiKey });
    if (!principal?.permissions.has('open311:submit')) throw new Open311Error(403, 'api_key is not valid');
    const category = await this.category(code);
    if (lat === undefined || lon === undefined) {
      throw new Open311Error(
        400,
        'cityops has no geocoder: send lat and long with address_string (address_string alone cannot be located)',
      );
    }
    const latitude = decimal(lat, 'lat', -90, 90);
    const longitude = decimal(lon, 'long', -180, 180);
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
    return [{ service_request_id: String(stored.id), token, service_notice: NOTICE, account_id: null }];
  }

  /** GET requests with the spec's filters: ids (overriding the rest), service_code, dates, status. */
  async list(query: {
    service_request_id?: string | undefined;
    service_code?: string | undefined;
    start_date?: string | undefined;
    end_date?: string | undefined;
    status?: string | undefined;
  }) {
    const statuses = query.status
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (statuses?.some((s) => s !== 'open' && s !== 'closed')) {
      throw new Open311Error(400, 'status is open, closed or open,closed');
    }
    let records: Open311Record[];
    if (query.service_request_id !== undefined) {
      const ids = query.service_request_id.split(',').map((s) => s.trim());
      if (ids.length > MAX_LIST || !ids.every((id) => /^\d{1,15}$/.test(id))) {
        throw new Open311Error(400, 'service_request_id is a comma-separated list of request ids');
      }
      records = await this.deps.repository.listOpen311({ ids: ids.map(Number), limit: MAX_LIST });
    } else {
      const to = query.end_date !== undefined ? w3c(query.end_date, 'end_date') : undefined;
      const from =
        query.start_date !== undefined
          ? w3c(query.start_date, 'start_date')
          : (to ?? this.clock()) - DEFAULT_DAYS * 86_400_000;
      if (to !== undefined && from >= to) throw new Open311Error(400, 'start_date must be before end_date');
      records = await this.deps.repository.listOpen311({
        serviceCode: query.service_code?.split(',')[0]?.trim(),
        from,
        to: to === undefined ? undefined : to + 1,
        limit: MAX_LIST,
      });
    }
    const out = await this.present(records);
    return statuses && statuses.length > 0 ? out.filter((r) => statuses.includes(r.status)) : out;
  }

  /** GET requests/{id}: one request in a list, as the spec shapes it. */
  async get(id: string) {
    const record = /^\d{1,15}$/.test(id) ? await this.deps.repository.open311ById(Number(id)) : null;
    if (!record) throw new Open311Error(404, `no service request has the id ${id.slice(0, 40)}`);
    return this.present([record]);
  }

  /** GET tokens/{token}: the request id a token became. */
  async token(token: string) {
    const record = await this.deps.repository.open311ByToken(token);
    if (!record) throw new Open311Error(404, 'no service request has this token');
    return [{ service_request_id: String(record.id), token: record.token }];
  }

  private async present(records: Open311Record[]) {
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
        status_notes: view?.notes ?? null,
        service_name: names.get(r.serviceCode) ?? r.serviceCode,
        service_code: r.serviceCode,
        description: r.description,
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
