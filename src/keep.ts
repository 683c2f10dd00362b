/** The value `map` keeps for `key`, made by `make` on first use: per-isolate caches of things costly to build. */
export function kept<K extends object | string | undefined, V>(
  map: Map<K, V> | (K extends object ? WeakMap<K, V> : never),
  key: K,
  make: () => V,
): V {
  const known = (map as Map<K, V>).get(key);
  if (known !== undefined) return known;
  const made = make();
  (map as Map<K, V>).set(key, made);
  return made;
}
