/**
 * The site's budgets (design.md, "Budgets"), apart from bench/site.ts so
 * that publishing and the Performance page read them without loading
 * Lighthouse.
 */
export const SITE_BUDGETS = { scriptGzipBytes: 20 * 1024, lighthouseScore: 100, axeViolations: 0, offOriginRequests: 0 } as const;
