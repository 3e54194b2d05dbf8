"""The audit as a person reads it: a rich terminal summary, audit.json, and one self-contained
audit.html (plotly's JS inlined, so it opens with no network)."""
