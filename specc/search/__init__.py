"""IR -> ConfigSpace; the ask/tell search (SMAC ParEGO, random, two-step); the Pareto set."""
