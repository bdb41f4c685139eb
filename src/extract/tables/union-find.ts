// Union–find over a parent array (each entry the index of its parent, roots their own): lattice's grouping of
// crossing rules and merging of cells, and image-rulings' joining of runs into bands, share it.

/** The root of `i`, halving the path on the way (parent[i] points at its grandparent after the call). */
export function findRoot(parent: number[], i: number): number {
  while (parent[i] !== i) {
    const p = parent[i] ?? i;
    parent[i] = parent[p] ?? p;
    i = p;
  }
  return i;
}
