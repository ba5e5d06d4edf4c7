"""The retrieval-quality eval suite: gold questions, span-overlap relevance, metrics, reports."""
