"""The run log: typed records, the versioned results, the store, and pure functions over them
(summaries, statistics, verdicts, baseline comparisons). The bottom layer: it imports no other part of the core."""
