"""The retrieval-quality eval suite: gold collections (questions and conversations quoted from their
documents), span-overlap relevance, metrics per collection and language direction, the regression gate,
leave-one-collection-out tuning, and the reports."""
