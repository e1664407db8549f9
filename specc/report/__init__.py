"""A run's results -> ``report.html`` / ``report.md`` (overall and per Pareto point)."""
