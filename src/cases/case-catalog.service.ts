import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import {
  DEFAULT_CATEGORIES,
  DEFAULT_DEPARTMENT_TYPES,
  DEFAULT_ROUTING_RULES,
  INCIDENT_GROUP,
  type Category,
  type DepartmentType,
  type HandlingLevel,
  type RoutingRule,
} from './case-catalog.js';
import { chainOf } from './case-records.js';
import { routeCase, type CaseChain } from './case-routing.js';
import type { CaseRepository } from './case.repository.js';
import type { CaseRecord, RoutingReason } from './case.types.js';

/**
 * The catalog (部件和事件 categories, department types, the routing table) held in memory, and
 * the routing decisions made from it. Edits are written through the repository first.
 */
export class CaseCatalog {
  private categories = new Map<string, Category>();
  private departmentTypes = new Map<string, DepartmentType>();
  private rules: RoutingRule[] = [];

  private constructor(
    private readonly repository: CaseRepository,
    private readonly jurisdictions: JurisdictionService,
  ) {}

  /** Seeds the default catalog on first start (never again: the city's edits stay) and loads it. */
  static async load(repository: CaseRepository, jurisdictions: JurisdictionService): Promise<CaseCatalog> {
    await repository.seedCatalog({
      categories: [...DEFAULT_CATEGORIES],
      departmentTypes: [...DEFAULT_DEPARTMENT_TYPES],
      rules: [...DEFAULT_ROUTING_RULES],
    });
    const catalog = new CaseCatalog(repository, jurisdictions);
    await catalog.reload();
    return catalog;
  }

  /** Re-reads the catalog (categories, department types, routing rules). */
  async reload(): Promise<void> {
    const snapshot = await this.repository.catalog();
    this.categories = new Map(snapshot.categories.map((c) => [c.code, withDefaults(c)]));
    this.departmentTypes = new Map(snapshot.departmentTypes.map((t) => [t.code, t]));
    this.rules = snapshot.rules;
  }

  /** The category catalog. */
  listCategories(): Category[] {
    return [...this.categories.values()];
  }

  /** One category, or undefined. */
  find(code: string): Category | undefined {
    return this.categories.get(code);
  }

  /** One category, or UNKNOWN_CASE_CATEGORY. */
  category(code: string): Category {
    const category = this.categories.get(code);
    if (!category) {
      throw new AppError(
        'UNKNOWN_CASE_CATEGORY',
        `"${code}" is not a case category; GET /api/v1/cases/categories lists them.`,
      );
    }
    return category;
  }

  /** Adds or replaces a category. */
  async putCategory(category: Category): Promise<Category> {
    if (!this.departmentTypes.has(category.departmentType)) {
      throw new AppError('UNKNOWN_DEPARTMENT', `No department type "${category.departmentType}".`);
    }
    await this.repository.putCategory(category);
    this.categories.set(category.code, category);
    return category;
  }

  /** The department types. */
  listDepartmentTypes(): DepartmentType[] {
    return [...this.departmentTypes.values()];
  }

  /** Adds or replaces a department type. */
  async putDepartmentType(type: DepartmentType): Promise<DepartmentType> {
    await this.repository.putDepartmentType(type);
    this.departmentTypes.set(type.code, type);
    return type;
  }

  /**
   * The departments at a unit (部门名录): one per type that exists at the unit's level. They are
   * resolved, not stored: "water bureau of 北碚区" is the type `water` at unit 500109.
   */
  departmentsAt(
    unit: string,
    visible: Visibility,
  ): { id: string; type: DepartmentType; unit: string; level: HandlingLevel }[] {
    const tree = this.jurisdictions.units;
    const node = tree.get(unit);
    if (!node || !(visible.contains(unit) || (visible.root !== null && tree.isWithin(visible.root, unit)))) {
      throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction has the code "${unit}".`);
    }
    const level: HandlingLevel | undefined =
      node.level === 'township'
        ? 'township'
        : node.level === 'county'
          ? 'county'
          : node.level === 'province'
            ? 'city'
            : undefined;
    if (!level) return [];
    return this.listDepartmentTypes()
      .filter((t) => t.levels.includes(level))
      .map((type) => ({ id: `${type.code}@${unit}`, type, unit, level }));
  }

  /** The routing table. */
  listRoutingRules(): RoutingRule[] {
    return [...this.rules];
  }

  /** Adds or replaces a routing rule. */
  async putRoutingRule(rule: RoutingRule): Promise<RoutingRule> {
    if (rule.category !== '*') this.category(rule.category);
    if (rule.departmentType !== null && !this.departmentTypes.has(rule.departmentType)) {
      throw new AppError('UNKNOWN_DEPARTMENT', `No department type "${rule.departmentType}".`);
    }
    await this.repository.putRoutingRule(rule);
    this.rules = [...this.rules.filter((r) => r.id !== rule.id), rule];
    return rule;
  }

  /** Removes a routing rule; removing one that is not there is not an error (idempotent). */
  async deleteRoutingRule(id: string): Promise<void> {
    await this.repository.deleteRoutingRule(id);
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  /** The automatic routing decision (派遣) for a category and priority at a chain. */
  route(
    category: Category,
    priority: CaseRecord['priority'],
    chain: CaseChain,
    crossCounty = false,
  ): RoutingReason {
    return routeCase({
      category,
      priority,
      chain,
      rules: this.rules,
      departmentTypes: this.departmentTypes,
      crossCounty,
    });
  }

  /** An operator's explicit choice (`type` or `type@unit`), checked against the case's chain. */
  manualRouting(record: CaseRecord, category: Category, department: string, by: string): RoutingReason {
    const [typeCode, unit] = department.split('@');
    const type = this.departmentTypes.get(typeCode ?? '');
    if (!type) throw new AppError('UNKNOWN_DEPARTMENT', `No department type "${typeCode}".`);
    const chain = chainOf(record);
    let level: HandlingLevel;
    if (unit !== undefined) {
      const found = (['township', 'county', 'city'] as const).find(
        (l) => (l === 'township' ? chain.township : l === 'county' ? chain.county : chain.city) === unit,
      );
      if (!found || !type.levels.includes(found)) {
        throw new AppError(
          'UNKNOWN_DEPARTMENT',
          `"${department}" is not a department over this case's location.`,
        );
      }
      level = found;
    } else {
      const auto = routeCase({
        category,
        priority: record.priority,
        chain,
        rules: [
          {
            id: 'manual',
            category: '*',
            priority: '*',
            level: record.level,
            departmentType: type.code,
            note: '',
          },
        ],
        departmentTypes: this.departmentTypes,
      });
      level = auto.level;
    }
    const target = level === 'township' ? chain.township : level === 'county' ? chain.county : chain.city;
    return {
      rule: null,
      category: category.code,
      priority: record.priority,
      level,
      departmentType: type.code,
      unit: target,
      text: `人工指定 chosen by ${by}: ${type.zh} ${target}`,
    };
  }
}

/** A category stored before a field existed gets that field's default. */
function withDefaults(c: Omit<Category, 'citizenReportable'> & { citizenReportable?: boolean }): Category {
  return { ...c, citizenReportable: c.citizenReportable ?? c.group !== INCIDENT_GROUP };
}
