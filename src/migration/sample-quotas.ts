/**
 * Splits an export-wide sample size over its files in proportion to their item counts (largest remainder),
 * so each file samples its share while loading and no file's sample has to travel through the orchestration.
 * A proportional stratified sample is as uniform as a single reservoir over the whole export.
 */
export function sampleQuotas(itemCounts: number[], sampleSize: number): number[] {
  const total = itemCounts.reduce((sum, n) => sum + n, 0);
  if (total === 0 || sampleSize <= 0) return itemCounts.map(() => 0);
  const target = Math.min(sampleSize, total);
  const exact = itemCounts.map((n) => (n * target) / total);
  const quotas = exact.map((q, i) => Math.min(Math.floor(q), itemCounts[i]));
  let left = target - quotas.reduce((sum, q) => sum + q, 0);
  const order = exact
    .map((q, i) => ({ i, remainder: q - Math.floor(q) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let k = 0; left > 0 && k < order.length * 2; k++) {
    const { i } = order[k % order.length];
    if (quotas[i] < itemCounts[i]) {
      quotas[i]++;
      left--;
    }
  }
  return quotas;
}
