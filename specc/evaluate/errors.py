"""Why a trial failed. A failure is recorded with its category and the tool's message; the caller
goes on with the next trial."""

from __future__ import annotations

__all__ = ["CATEGORIES", "TrialFailure"]

# category -> what it means; trials of the last four are retried on the next run, the others are
# properties of the design and stay cached.
CATEGORIES = {
    "nan_loss": "training diverged (loss not finite)",
    "invalid": "the design is not buildable as asked (e.g. hls4ml would change a knob)",
    "data": "the dataset could not be read",
    "model": "the model file could not be loaded, or does not fit the data",
    "conversion": "hls4ml could not convert the model",
    "compile": "the C simulation library did not compile (g++)",
    "synthesis": "the HLS tool failed or wrote no report",
    "timeout": "the trial ran past its wall-time limit",
    "memory": "the trial ran out of memory",
    "crash": "the trial's process died or raised an unexpected error",
}
RETRIED = ("synthesis", "timeout", "memory", "crash")


class TrialFailure(Exception):
    """A trial that cannot produce metrics, with a category from ``CATEGORIES``."""

    def __init__(self, category: str, message: str):
        assert category in CATEGORIES, category
        super().__init__(message)
        self.category = category
        self.message = message
