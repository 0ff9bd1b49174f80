// What every source of listings hands to the ingest: the papers of one day's list, ranked, and the items it could
// not read. Sources only fetch and parse; storing is the ingest service's job (store-day.ts).

/** A paper as a source describes it: the facts stored in `papers`, keyed by the arXiv id. */
export interface FetchedPaper {
  /** The arXiv id without version, e.g. "2407.12345" (or an old-style "hep-th/9901001"). */
  id: string;
  /** Whitespace-normalised. */
  title: string;
  authors: string[];
  abstract: string;
  aiSummary: string | null;
  aiKeywords: string[];
  codeUrl: string | null;
  githubStars: number | null;
  projectUrl: string | null;
  thumbnailUrl: string | null;
  organization: string | null;
  publishedAt: Date | null;
  /** arXiv categories, primary first, when the source names them (arXiv does; Hugging Face does not). */
  categories: string[];
}

/** A paper's place on the day's list. */
export interface FetchedListing {
  paper: FetchedPaper;
  upvotes: number;
  comments: number;
  /** 1 = top of the list. Contiguous over the items that were read. */
  rank: number;
}

/** An item of the response that was not stored, and why. */
export interface SkippedItem {
  id?: string;
  reason: string;
}

export interface FetchedDay {
  day: string;
  /** What `listings.source` records: 'huggingface', 'arxiv' or 'file'. */
  source: string;
  /** Items in the response, read or not. */
  fetched: number;
  listings: FetchedListing[];
  skipped: SkippedItem[];
}

/**
 * A place the day's trending papers come from. `fetchDay` throws a PapermailError (sourceResponse when the answer
 * is not what the API promises, sourceUnavailable when it cannot be had) and never half-returns a day.
 */
export interface PaperSource {
  readonly name: string;
  fetchDay(day: string): Promise<FetchedDay>;
}
