/**
 * Reads a V8 heap snapshot (`.heapsnapshot`, from `--heapsnapshot-signal`
 * or `v8.writeHeapSnapshot()`) and says what the heap holds: its total,
 * the kinds of objects, the module sources kept in memory by package, and
 * the biggest retainers (dominator subtrees, as Chrome's "Retained size").
 * Used by bench/echo-heap.ts and on its own:
 *
 * `node bench/heap-summary.ts <file.heapsnapshot> [top]`
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface RawSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
      readonly edge_fields: readonly string[];
      readonly edge_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly edges: readonly number[];
  readonly strings: readonly string[];
}

export interface HeapSummary {
  readonly totalBytes: number;
  readonly objectCount: number;
  /** Self size by V8's node type (`string`, `code`, `object`, `closure`, …). */
  readonly byKind: Readonly<Record<string, number>>;
  /** Loaded scripts (their Script object, source text and line table) by where they come from: a package, a folder of ours, or Node itself. */
  readonly scriptsBySource: Readonly<Record<string, { readonly scripts: number; readonly bytes: number }>>;
  /** The largest dominator subtrees, found by opening containers (contexts, arrays, maps) down to what they hold. */
  readonly retainers: readonly { readonly name: string; readonly retainedBytes: number }[];
}

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));

/** `file:///…/node_modules/ioredis/built/x.js` → `ioredis`; `…/demo-server/routes/chat/x.ts` → `demo-server/routes/chat`; Node's own → `node:internal`. */
function sourceOf(url: string): string {
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg !== null) return pkg[1] ?? 'node_modules';
  if (path.startsWith(REPOSITORY)) {
    const parts = path.slice(REPOSITORY.length).split('/');
    return parts.slice(0, Math.min(3, parts.length - 1)).join('/');
  }
  return path.startsWith('/') ? 'elsewhere' : 'node:internal';
}

/** Containers whose retained size says little by itself: the summary opens them and lists what they hold. */
function isContainer(kind: string, name: string): boolean {
  return kind === 'synthetic' || kind === 'array' || kind === 'hidden' || name === 'system / Context' || name === 'Map' || name === 'Set' || name === 'Object' || name === 'Module';
}

/**
 * Immediate dominators of a graph given as CSR arrays, by the iterative
 * algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast Dominance
 * Algorithm", 2001), over a reverse postorder from `root`. Weak edges are
 * left out: they do not keep anything alive.
 */
function dominators(nodeCount: number, firstEdge: Uint32Array, targets: Uint32Array, strong: Uint8Array, root: number): Int32Array {
  const order: number[] = [];
  const rpo = new Int32Array(nodeCount).fill(-1);
  // Iterative DFS for a postorder.
  const visited = new Uint8Array(nodeCount);
  const stack: number[] = [root];
  const cursor = new Uint32Array(nodeCount);
  visited[root] = 1;
  for (let node = 0; node < nodeCount; node++) cursor[node] = firstEdge[node] ?? 0;
  while (stack.length > 0) {
    const node = stack[stack.length - 1] ?? 0;
    const end = firstEdge[node + 1] ?? 0;
    let pushed = false;
    while ((cursor[node] ?? 0) < end) {
      const edge = cursor[node] ?? 0;
      cursor[node] = edge + 1;
      const to = targets[edge] ?? 0;
      if (strong[edge] === 1 && visited[to] === 0) {
        visited[to] = 1;
        stack.push(to);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      stack.pop();
      order.push(node);
    }
  }
  order.reverse();
  for (const [index, node] of order.entries()) rpo[node] = index;
  // Predecessors of reachable nodes.
  const predecessorCount = new Uint32Array(nodeCount + 1);
  for (let node = 0; node < nodeCount; node++) {
    if (rpo[node] === -1) continue;
    for (let edge = firstEdge[node] ?? 0; edge < (firstEdge[node + 1] ?? 0); edge++) if (strong[edge] === 1) predecessorCount[(targets[edge] ?? 0) + 1] = (predecessorCount[(targets[edge] ?? 0) + 1] ?? 0) + 1;
  }
  for (let node = 0; node < nodeCount; node++) predecessorCount[node + 1] = (predecessorCount[node + 1] ?? 0) + (predecessorCount[node] ?? 0);
  const predecessors = new Uint32Array(predecessorCount[nodeCount] ?? 0);
  const filled = predecessorCount.slice(0, nodeCount);
  for (let node = 0; node < nodeCount; node++) {
    if (rpo[node] === -1) continue;
    for (let edge = firstEdge[node] ?? 0; edge < (firstEdge[node + 1] ?? 0); edge++) {
      if (strong[edge] !== 1) continue;
      const to = targets[edge] ?? 0;
      predecessors[filled[to] ?? 0] = node;
      filled[to] = (filled[to] ?? 0) + 1;
    }
  }
  const dominator = new Int32Array(nodeCount).fill(-1);
  dominator[root] = root;
  const intersect = (a: number, b: number): number => {
    let left = a;
    let right = b;
    while (left !== right) {
      while ((rpo[left] ?? 0) > (rpo[right] ?? 0)) left = dominator[left] ?? root;
      while ((rpo[right] ?? 0) > (rpo[left] ?? 0)) right = dominator[right] ?? root;
    }
    return left;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of order) {
      if (node === root) continue;
      let candidate = -1;
      for (let index = predecessorCount[node] ?? 0; index < (predecessorCount[node + 1] ?? 0); index++) {
        const from = predecessors[index] ?? 0;
        if (dominator[from] === -1) continue;
        candidate = candidate === -1 ? from : intersect(from, candidate);
      }
      if (candidate !== -1 && dominator[node] !== candidate) {
        dominator[node] = candidate;
        changed = true;
      }
    }
  }
  return dominator;
}

/** Summarizes the snapshot in `text` (its JSON); `top` retainers are listed. */
export function summarizeHeap(text: string, top = 12): HeapSummary {
  const raw = JSON.parse(text) as RawSnapshot;
  const { meta } = raw.snapshot;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const kinds = meta.node_types[0];
  const edgeKinds = meta.edge_types[0];
  const typeField = meta.node_fields.indexOf('type');
  const nameField = meta.node_fields.indexOf('name');
  const sizeField = meta.node_fields.indexOf('self_size');
  const edgeCountField = meta.node_fields.indexOf('edge_count');
  const edgeTypeField = meta.edge_fields.indexOf('type');
  const edgeNameField = meta.edge_fields.indexOf('name_or_index');
  const edgeToField = meta.edge_fields.indexOf('to_node');
  const { nodes, edges, strings } = raw;
  const nodeCount = nodes.length / nodeFields;
  const edgeCount = edges.length / edgeFields;
  const firstEdge = new Uint32Array(nodeCount + 1);
  const targets = new Uint32Array(edgeCount);
  const strong = new Uint8Array(edgeCount);
  const weak = edgeKinds.indexOf('weak');
  for (let node = 0, edge = 0; node < nodeCount; node++) {
    firstEdge[node] = edge;
    edge += nodes[node * nodeFields + edgeCountField] ?? 0;
  }
  firstEdge[nodeCount] = edgeCount;
  for (let edge = 0; edge < edgeCount; edge++) {
    targets[edge] = (edges[edge * edgeFields + edgeToField] ?? 0) / nodeFields;
    strong[edge] = edges[edge * edgeFields + edgeTypeField] === weak ? 0 : 1;
  }
  const kindOf = (node: number) => kinds[nodes[node * nodeFields + typeField] ?? 0] ?? '?';
  const nameOf = (node: number) => strings[nodes[node * nodeFields + nameField] ?? 0] ?? '';
  const sizeOf = (node: number) => nodes[node * nodeFields + sizeField] ?? 0;

  let totalBytes = 0;
  const byKind: Record<string, number> = {};
  for (let node = 0; node < nodeCount; node++) {
    totalBytes += sizeOf(node);
    byKind[kindOf(node)] = (byKind[kindOf(node)] ?? 0) + sizeOf(node);
  }

  // Scripts are `code` nodes named by their URL or path; their source and line ends hang off them.
  const scriptsBySource: Record<string, { scripts: number; bytes: number }> = {};
  for (let node = 0; node < nodeCount; node++) {
    const name = nameOf(node);
    if (kindOf(node) !== 'code' || !(name.startsWith('file://') || name.startsWith('/') || name.startsWith('node:'))) continue;
    let bytes = sizeOf(node);
    for (let edge = firstEdge[node] ?? 0; edge < (firstEdge[node + 1] ?? 0); edge++) {
      const label = strings[edges[edge * edgeFields + edgeNameField] ?? 0];
      if (label === 'source' || label === 'line_ends') bytes += sizeOf(targets[edge] ?? 0);
    }
    const entry = (scriptsBySource[sourceOf(name)] ??= { scripts: 0, bytes: 0 });
    entry.scripts += 1;
    entry.bytes += bytes;
  }

  const dominator = dominators(nodeCount, firstEdge, targets, strong, 0);
  const retained = new Float64Array(nodeCount);
  const depth = new Int32Array(nodeCount).fill(-1);
  depth[0] = 0;
  const depthOf = (node: number): number => {
    const path: number[] = [];
    let at = node;
    while ((depth[at] ?? -1) === -1 && dominator[at] !== -1) {
      path.push(at);
      at = dominator[at] ?? 0;
    }
    let level = depth[at] ?? 0;
    for (const step of path.reverse()) depth[step] = ++level;
    return depth[node] ?? 0;
  };
  const byDepth: number[] = [];
  for (let node = 0; node < nodeCount; node++) if (dominator[node] !== -1) byDepth.push(node);
  for (const node of byDepth) depthOf(node);
  byDepth.sort((a, b) => (depth[b] ?? 0) - (depth[a] ?? 0));
  for (const node of byDepth) {
    retained[node] = (retained[node] ?? 0) + sizeOf(node);
    if (node !== 0) retained[dominator[node] ?? 0] = (retained[dominator[node] ?? 0] ?? 0) + (retained[node] ?? 0);
  }
  const children = new Map<number, number[]>();
  for (const node of byDepth) {
    if (node === 0) continue;
    const parent = dominator[node] ?? 0;
    const list = children.get(parent) ?? [];
    list.push(node);
    children.set(parent, list);
  }

  // Open containers from the root, biggest first, until `top` named things are found.
  const retainers: { name: string; retainedBytes: number }[] = [];
  const frontier = [0];
  const minimum = totalBytes / 500;
  while (frontier.length > 0 && retainers.length < top) {
    frontier.sort((a, b) => (retained[b] ?? 0) - (retained[a] ?? 0));
    const node = frontier.shift() ?? 0;
    const kind = kindOf(node);
    const name = nameOf(node);
    const held = (children.get(node) ?? []).filter((child) => (retained[child] ?? 0) >= minimum);
    if (node === 0 || (isContainer(kind, name) && held.length > 0)) {
      frontier.push(...held);
      continue;
    }
    const label = kind === 'string' ? `string "${name.slice(0, 50).replace(/\s+/g, ' ')}…"` : kind === 'code' && name.length > 0 ? `code ${name.replace(REPOSITORY, '')}` : `${kind} ${name.slice(0, 80)}`;
    retainers.push({ name: label, retainedBytes: retained[node] ?? 0 });
  }
  return { totalBytes, objectCount: nodeCount, byKind, scriptsBySource, retainers };
}

export async function summarizeHeapFile(path: string, top = 12): Promise<HeapSummary> {
  return summarizeHeap(await readFile(path, 'utf8'), top);
}

const MB = 1e6;

/** The summary as lines of text. */
export function formatHeap(summary: HeapSummary): string[] {
  const kinds = Object.entries(summary.byKind)
    .sort((a, b) => b[1] - a[1])
    .filter(([, bytes]) => bytes >= 0.05 * MB)
    .map(([kind, bytes]) => `${kind} ${(bytes / MB).toFixed(2)}`);
  const sources = Object.entries(summary.scriptsBySource)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, 10)
    .map(([source, entry]) => `${source} ${(entry.bytes / MB).toFixed(2)} (${String(entry.scripts)})`);
  return [
    `${(summary.totalBytes / MB).toFixed(2)} MB in ${summary.objectCount.toLocaleString('en-US')} objects`,
    `by kind (MB): ${kinds.join(', ')}`,
    `scripts by source (MB, count): ${sources.join(', ')}`,
    'biggest retainers:',
    ...summary.retainers.map((retainer) => `  ${(retainer.retainedBytes / MB).toFixed(2)} MB  ${retainer.name}`),
  ];
}

if (import.meta.main) {
  const [path, top] = process.argv.slice(2);
  if (path === undefined) {
    console.error('Usage: node bench/heap-summary.ts <file.heapsnapshot> [top]');
    process.exit(2);
  }
  console.log(formatHeap(await summarizeHeapFile(path, top === undefined ? 12 : Number(top))).join('\n'));
}
