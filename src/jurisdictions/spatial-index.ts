import type { MultiPolygon } from './geo.types.js';

/** One polygon set to index, e.g. a township and its boundary. */
export interface IndexItem {
  code: string;
  polygons: MultiPolygon;
}

/** Tuning knobs for {@link SpatialIndex.build}; the defaults suit the township data set. */
export interface SpatialIndexOptions {
  /** Cell edge length in degrees; by default derived from the edge count and `maxCells`. */
  cellSize?: number;
  /** Cap on the number of grid cells when `cellSize` is not given (default 2²²). */
  maxCells?: number;
}

/** Size figures of a built index, for logs and benchmarks. */
export interface SpatialIndexStats {
  cols: number;
  rows: number;
  cellSize: number;
  boundaryCells: number;
  edgeRefs: number;
  bytes: number;
}

// Cells per polygon edge when sizing the grid. Measured on the 4,142 townships (bench/lookup.bench.ts):
// 16 per edge gave 19 M lookups/s in 20 MiB, 4 gives 20 M/s in 9 MiB and builds 3× faster; below 2 the
// crossed cells hold too many edges and throughput falls off.
const CELLS_PER_EDGE = 4;
const DEFAULT_MAX_CELLS = 1 << 22;
// Cell values: ≥ 0 is the owning item, -1 is outside every item, ≤ -2 encodes boundary cell -(v + 2).
const OUTSIDE = -1;

/**
 * Where the horizontal line y crosses edge (ax,ay)–(bx,by). Every inside test here uses this one
 * formula with the half-open rule `(ay > y) !== (by > y)`, so the sweep and the reference agree.
 */
function crossX(ax: number, ay: number, bx: number, by: number, y: number): number {
  return ax + ((y - ay) * (bx - ax)) / (by - ay);
}

/** Even-odd point-in-multipolygon by ray casting; the slow reference the index is checked against. */
export function pointInMultiPolygon(lon: number, lat: number, polygons: MultiPolygon): boolean {
  let inside = false;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      let prev = ring[ring.length - 1];
      for (const cur of ring) {
        if (prev === undefined) break;
        const [ax = 0, ay = 0] = prev;
        const [bx = 0, by = 0] = cur;
        if (ay > lat !== by > lat && lon < crossX(ax, ay, bx, by, lat)) inside = !inside;
        prev = cur;
      }
    }
  }
  return inside;
}

/** All polygon edges of all items, flattened; edges of item i are [itemStart[i], itemStart[i+1]). */
interface EdgeTable {
  ax: Float64Array;
  ay: Float64Array;
  bx: Float64Array;
  by: Float64Array;
  item: Int32Array;
  itemStart: Uint32Array;
}

/** Collects every edge of every item; rings may be closed or not (the closing edge is implied). */
function flattenEdges(items: readonly IndexItem[]): EdgeTable {
  const ax: number[] = [];
  const ay: number[] = [];
  const bx: number[] = [];
  const by: number[] = [];
  const item: number[] = [];
  const itemStart = new Uint32Array(items.length + 1);
  items.forEach(({ polygons }, i) => {
    itemStart[i] = ax.length;
    for (const polygon of polygons) {
      for (const ring of polygon) {
        let prev = ring[ring.length - 1];
        for (const cur of ring) {
          if (prev === undefined) break;
          const [x0 = NaN, y0 = NaN] = prev;
          const [x1 = NaN, y1 = NaN] = cur;
          if (!Number.isFinite(x0 + y0 + x1 + y1)) {
            throw new Error(`${items[i]?.code}: non-finite coordinate`);
          }
          if (x0 !== x1 || y0 !== y1) {
            ax.push(x0);
            ay.push(y0);
            bx.push(x1);
            by.push(y1);
            item.push(i);
          }
          prev = cur;
        }
      }
    }
  });
  itemStart[items.length] = ax.length;
  return {
    ax: Float64Array.from(ax),
    ay: Float64Array.from(ay),
    bx: Float64Array.from(bx),
    by: Float64Array.from(by),
    item: Int32Array.from(item),
    itemStart,
  };
}

/** Compressed buckets: the values of bucket b are values[start[b] .. start[b+1]). */
interface Buckets {
  start: Uint32Array;
  values: Int32Array;
}

/** Groups `vals` by `keys` (each in [0, count)) with a counting sort. */
function bucketize(count: number, keys: readonly number[], vals: readonly number[]): Buckets {
  const start = new Uint32Array(count + 1);
  for (const k of keys) start[k + 1]!++;
  for (let i = 0; i < count; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, count);
  const values = new Int32Array(keys.length);
  keys.forEach((k, i) => (values[fill[k]!++] = vals[i]!));
  return { start, values };
}

/** Distance from (px, py) to edge e. */
function segmentDistance(px: number, py: number, t: EdgeTable, e: number): number {
  const [ax, ay] = [t.ax[e]!, t.ay[e]!];
  const [dx, dy] = [t.bx[e]! - ax, t.by[e]! - ay];
  const s = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - s * dx, py - ay - s * dy);
}

/** Even-odd test of one item from the edge table (same rule as pointInMultiPolygon). */
function insideItem(t: EdgeTable, item: number, x: number, y: number): boolean {
  let inside = false;
  for (let e = t.itemStart[item]!; e < t.itemStart[item + 1]!; e++) {
    const [ay, by] = [t.ay[e]!, t.by[e]!];
    if (ay > y !== by > y && x < crossX(t.ax[e]!, ay, t.bx[e]!, by, y)) inside = !inside;
  }
  return inside;
}

/** Orientation of q against the directed line a→b (positive: q on the left); coordinates are ref-relative. */
function orient(ax: number, ay: number, bx: number, by: number, qx: number, qy: number): number {
  return (bx - ax) * (qy - ay) - (by - ay) * (qx - ax);
}

/** The arrays behind a built index; "boundary cell b" is a cell some edge crosses. */
interface Grid {
  codes: readonly string[];
  x0: number;
  y0: number;
  size: number;
  cols: number;
  rows: number;
  /** Per cell: owning item (≥ 0), OUTSIDE, or -(b + 2) for boundary cell b. */
  cells: Int32Array;
  /** Boundary cell b: reference point (x, y), on no edge. */
  refXY: Float64Array;
  /** Boundary cell b: candidates [candStart[b], candStart[b+1]), ascending item order. */
  candStart: Uint32Array;
  candItem: Int32Array;
  /** 1 when the reference point is inside the candidate. */
  candInside: Uint8Array;
  /** Boundary cell b: edges [edgeStart[b], edgeStart[b+1]). */
  edgeStart: Uint32Array;
  /** Edge e: ax, ay, bx, by relative to the cell's reference point. */
  edgeXY: Float64Array;
  /** Edge e: candidate slot (counted from candStart[b]) of its item. */
  edgeCand: Uint16Array;
  /** Edge e: 1 when the reference point lies left of the edge. */
  edgeSide: Uint8Array;
  maxCandidates: number;
}

function buildGrid(items: readonly IndexItem[], options: SpatialIndexOptions): Grid {
  const t = flattenEdges(items);
  const nEdges = t.item.length;
  let [minX, minY, maxX, maxY] = nEdges ? [Infinity, Infinity, -Infinity, -Infinity] : [0, 0, 0, 0];
  for (let e = 0; e < nEdges; e++) {
    minX = Math.min(minX, t.ax[e]!, t.bx[e]!);
    maxX = Math.max(maxX, t.ax[e]!, t.bx[e]!);
    minY = Math.min(minY, t.ay[e]!, t.by[e]!);
    maxY = Math.max(maxY, t.ay[e]!, t.by[e]!);
  }
  const [w, h] = [maxX - minX, maxY - minY];
  const target = Math.max(1, Math.min(options.maxCells ?? DEFAULT_MAX_CELLS, nEdges * CELLS_PER_EDGE));
  const size = options.cellSize ?? (Math.max(Math.sqrt((w * h) / target), Math.max(w, h) / target) || 1);
  const cols = Math.floor(w / size) + 1;
  const rows = Math.floor(h / size) + 1;
  if (!(size > 0) || cols * rows > 2 ** 28) throw new Error(`grid of ${cols}×${rows} cells is too large`);
  const [x0, y0] = [minX, minY];
  // Edges within eps of a cell count as crossing it, which absorbs rounding in the query's cell
  // computation; reference points keep at least eps from every edge so their side is never in doubt.
  const eps = Math.max(size * 1e-6, Math.max(-minX, maxX, -minY, maxY) * 1e-12);
  const clamp = (v: number, n: number): number => Math.min(n - 1, Math.max(0, v));

  // Which edges come near each cell, and which may cross each row's centre line.
  const cellKeys: number[] = [];
  const cellVals: number[] = [];
  const rowKeys: number[] = [];
  const rowVals: number[] = [];
  for (let e = 0; e < nEdges; e++) {
    const [ax, ay, bx, by] = [t.ax[e]!, t.ay[e]!, t.bx[e]!, t.by[e]!];
    const r0 = clamp(Math.floor((Math.min(ay, by) - eps - y0) / size), rows);
    const r1 = clamp(Math.floor((Math.max(ay, by) + eps - y0) / size), rows);
    for (let r = r0; r <= r1; r++) {
      let [t0, t1] = [0, 1];
      if (ay !== by) {
        const u = (y0 + r * size - eps - ay) / (by - ay);
        const v = (y0 + (r + 1) * size + eps - ay) / (by - ay);
        [t0, t1] = [Math.max(0, Math.min(u, v)), Math.min(1, Math.max(u, v))];
        if (t0 > t1) continue;
      }
      const [xa, xb] = [ax + t0 * (bx - ax), ax + t1 * (bx - ax)];
      const c0 = clamp(Math.floor((Math.min(xa, xb) - eps - x0) / size), cols);
      const c1 = clamp(Math.floor((Math.max(xa, xb) + eps - x0) / size), cols);
      for (let c = c0; c <= c1; c++) {
        cellKeys.push(r * cols + c);
        cellVals.push(e);
      }
      if (ay !== by) {
        rowKeys.push(r);
        rowVals.push(e);
      }
    }
  }
  const byCell = bucketize(cols * rows, cellKeys, cellVals);
  const byRow = bucketize(rows, rowKeys, rowVals);

  const cells = new Int32Array(cols * rows);
  const parity = new Uint8Array(items.length);
  const stamp = new Int32Array(items.length).fill(-1);
  const slot = new Int32Array(items.length);
  const active: number[] = []; // items containing the current sweep position, ascending
  const out = { refXY: [] as number[], candStart: [0], candItem: [] as number[], candInside: [] as number[] };
  const edges = { start: [0], xy: [] as number[], cand: [] as number[], side: [] as number[] };
  let maxCandidates = 1;

  const toggle = (item: number): void => {
    parity[item]! ^= 1;
    let k = 0;
    while (k < active.length && active[k]! < item) k++;
    if (parity[item]) active.splice(k, 0, item);
    else active.splice(k, 1);
  };
  const minDistance = (x: number, y: number, e0: number, e1: number): number => {
    let d = Infinity;
    for (let k = e0; k < e1; k++) d = Math.min(d, segmentDistance(x, y, t, byCell.values[k]!));
    return d;
  };

  /** Fills boundary cell `cell` (sweep state at its centre is current) and returns its cell value. */
  const boundaryCell = (cell: number, cx: number, cy: number): number => {
    const [e0, e1] = [byCell.start[cell]!, byCell.start[cell + 1]!];
    let [rx, ry] = [cx, cy];
    if (minDistance(cx, cy, e0, e1) < eps) {
      // The centre touches an edge: take the first point of a low-discrepancy (R2) sequence that
      // keeps clear of all edges, or failing that the clearest one.
      let best = -1;
      for (let k = 1; k <= 64 && best < eps; k++) {
        const x = cx + size * 0.9 * (((0.5 + k * 0.7548776662466927) % 1) - 0.5);
        const y = cy + size * 0.9 * (((0.5 + k * 0.5698402909980532) % 1) - 0.5);
        const d = minDistance(x, y, e0, e1);
        if (d > best) [best, rx, ry] = [d, x, y];
      }
    }
    const atCentre = rx === cx && ry === cy;
    // Candidates: items with an edge here (membership varies) and items containing the whole cell.
    const cands: { item: number; inside: boolean; whole: boolean }[] = [];
    for (let k = e0; k < e1; k++) {
      const item = t.item[byCell.values[k]!]!;
      if (stamp[item] === cell) continue;
      stamp[item] = cell;
      const inside = atCentre ? parity[item] === 1 : insideItem(t, item, rx, ry);
      cands.push({ item, inside, whole: false });
    }
    for (const item of active) if (stamp[item] !== cell) cands.push({ item, inside: true, whole: true });
    cands.sort((a, b) => a.item - b.item);
    // An item covering the whole cell shadows every later candidate.
    const whole = cands.findIndex((c) => c.whole);
    if (whole === 0) return cands[0]!.item;
    if (whole > 0) cands.length = whole + 1;
    maxCandidates = Math.max(maxCandidates, cands.length);
    if (cands.length > 0xffff) throw new Error('too many overlapping items in one cell');
    cands.forEach(({ item, inside }, k) => {
      slot[item] = k;
      stamp[item] = -2 - cell; // marks "kept" for the edge pass below
      out.candItem.push(item);
      out.candInside.push(inside ? 1 : 0);
    });
    for (let k = e0; k < e1; k++) {
      const e = byCell.values[k]!;
      const item = t.item[e]!;
      if (stamp[item] !== -2 - cell) continue;
      const [ax, ay, bx, by] = [t.ax[e]! - rx, t.ay[e]! - ry, t.bx[e]! - rx, t.by[e]! - ry];
      edges.xy.push(ax, ay, bx, by);
      edges.cand.push(slot[item]!);
      edges.side.push(orient(ax, ay, bx, by, 0, 0) > 0 ? 1 : 0);
    }
    out.refXY.push(rx, ry);
    out.candStart.push(out.candItem.length);
    edges.start.push(edges.cand.length);
    return -2 - (out.candStart.length - 2);
  };

  const xs: number[] = [];
  const owners: number[] = [];
  const order: number[] = [];
  for (let r = 0; r < rows; r++) {
    // Scanline along the row's centre line: the items containing each cell centre.
    const cy = y0 + (r + 0.5) * size;
    xs.length = owners.length = order.length = 0;
    for (let k = byRow.start[r]!; k < byRow.start[r + 1]!; k++) {
      const e = byRow.values[k]!;
      const [ay, by] = [t.ay[e]!, t.by[e]!];
      if (ay > cy === by > cy) continue;
      order.push(xs.length);
      xs.push(crossX(t.ax[e]!, ay, t.bx[e]!, by, cy));
      owners.push(t.item[e]!);
    }
    order.sort((a, b) => xs[a]! - xs[b]!);
    let k = 0;
    for (let c = 0; c < cols; c++) {
      const cx = x0 + (c + 0.5) * size;
      // A crossing at x ≤ cx is no longer to the right of the centre, so it flips membership.
      for (; k < order.length && xs[order[k]!]! <= cx; k++) toggle(owners[order[k]!]!);
      const cell = r * cols + c;
      const crossed = byCell.start[cell + 1]! > byCell.start[cell]!;
      cells[cell] = crossed ? boundaryCell(cell, cx, cy) : (active[0] ?? OUTSIDE);
    }
    for (; k < order.length; k++) toggle(owners[order[k]!]!);
  }

  return {
    codes: items.map((i) => i.code),
    ...{ x0, y0, size, cols, rows, cells, maxCandidates },
    refXY: Float64Array.from(out.refXY),
    candStart: Uint32Array.from(out.candStart),
    candItem: Int32Array.from(out.candItem),
    candInside: Uint8Array.from(out.candInside),
    edgeStart: Uint32Array.from(edges.start),
    edgeXY: Float64Array.from(edges.xy),
    edgeCand: Uint16Array.from(edges.cand),
    edgeSide: Uint8Array.from(edges.side),
  };
}

/**
 * Point-to-polygon lookup over a uniform grid. Cells that no edge crosses store their owner directly
 * (filled by a scanline pass); crossed cells store the edges crossing them and, per candidate item,
 * whether a reference point in the cell is inside it. A query there starts from those memberships and
 * flips one for every edge the segment reference→query crosses (even-odd rule).
 */
export class SpatialIndex {
  private readonly scratch: Uint8Array;

  private constructor(private readonly g: Grid) {
    this.scratch = new Uint8Array(g.maxCandidates);
  }

  /** Builds the index; where items overlap, the one earlier in `items` wins. */
  static build(items: readonly IndexItem[], options: SpatialIndexOptions = {}): SpatialIndex {
    return new SpatialIndex(buildGrid(items, options));
  }

  /** Code of the item containing (lon, lat), or null when the point is outside all items. */
  lookup(lon: number, lat: number): string | null {
    const i = this.lookupIndex(lon, lat);
    return i < 0 ? null : this.g.codes[i]!;
  }

  /** Position in the build's `items` of the item containing (lon, lat), or -1. */
  lookupIndex(lon: number, lat: number): number {
    const g = this.g;
    const c = Math.floor((lon - g.x0) / g.size);
    const r = Math.floor((lat - g.y0) / g.size);
    // A negated conjunction so that NaN coordinates also land outside.
    if (!(c >= 0 && c < g.cols && r >= 0 && r < g.rows)) return OUTSIDE;
    const v = g.cells[r * g.cols + c]!;
    if (v > -2) return v;
    const b = -2 - v;
    const qx = lon - g.refXY[2 * b]!;
    const qy = lat - g.refXY[2 * b + 1]!;
    const c0 = g.candStart[b]!;
    const n = g.candStart[b + 1]! - c0;
    const par = this.scratch;
    for (let k = 0; k < n; k++) par[k] = g.candInside[c0 + k]!;
    const xy = g.edgeXY;
    for (let e = g.edgeStart[b]!, end = g.edgeStart[b + 1]!; e < end; e++) {
      const ax = xy[4 * e]!;
      const ay = xy[4 * e + 1]!;
      const bx = xy[4 * e + 2]!;
      const by = xy[4 * e + 3]!;
      // Segment ref (the origin) → q crosses the edge iff a and b lie on different sides of it — a
      // vertex on the line counts as the non-positive side, so a shared vertex is crossed once — and
      // ref and q lie on different sides of the edge (ref is never on an edge, so its side is stored).
      if (qx * ay - qy * ax > 0 !== qx * by - qy * bx > 0) {
        if (orient(ax, ay, bx, by, qx, qy) > 0 !== (g.edgeSide[e] === 1)) par[g.edgeCand[e]!]! ^= 1;
      }
    }
    for (let k = 0; k < n; k++) if (par[k] === 1) return g.candItem[c0 + k]!;
    return OUTSIDE;
  }

  /** Grid dimensions and memory footprint. */
  /**
   * True when some polygon edge passes within one grid cell of the point (its cell or one of the
   * eight around it is crossed by an edge). False means no polygon lies within `cellSize` degrees,
   * which lets a caller skip searching nearby for a point that fell just outside every polygon.
   */
  nearEdge(lon: number, lat: number): boolean {
    const g = this.g;
    const c = Math.floor((lon - g.x0) / g.size);
    const r = Math.floor((lat - g.y0) / g.size);
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const cc = c + dc;
        const rr = r + dr;
        if (cc >= 0 && cc < g.cols && rr >= 0 && rr < g.rows && g.cells[rr * g.cols + cc]! <= -2) return true;
      }
    }
    return false;
  }

  /** The grid cell size in degrees. */
  get cellSize(): number {
    return this.g.size;
  }

  stats(): SpatialIndexStats {
    const { cols, rows, size, candStart, edgeCand } = this.g;
    const arrays = Object.values(this.g).filter((v) => ArrayBuffer.isView(v));
    const bytes = arrays.reduce((sum: number, a: ArrayBufferView) => sum + a.byteLength, 0);
    return {
      cols,
      rows,
      cellSize: size,
      boundaryCells: candStart.length - 1,
      edgeRefs: edgeCand.length,
      bytes,
    };
  }
}
