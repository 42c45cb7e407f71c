/** One link of a page summary (PageSummary.astro). */
export interface SummaryEntry {
  /** `#id` of the element on this page. */
  readonly href: string;
  readonly label: string;
  /** Shown before the label, e.g. "Lab" or "Exercise". */
  readonly kind?: string;
  /** Render the label as code (an endpoint path). */
  readonly code?: boolean;
  readonly children?: readonly SummaryEntry[];
}
