// Links that follow from a paper's arXiv id (the sources' own links are not stored: these never go stale).

export interface PaperLinks {
  /** The arXiv abstract page. */
  arxiv: string;
  pdf: string;
  /** The Hugging Face paper page (it exists for any arXiv paper). */
  huggingface: string;
}

export function paperLinks(arxivId: string): PaperLinks {
  const id = encodeURI(arxivId);
  return {
    arxiv: `https://arxiv.org/abs/${id}`,
    pdf: `https://arxiv.org/pdf/${id}`,
    huggingface: `https://huggingface.co/papers/${id}`,
  };
}
