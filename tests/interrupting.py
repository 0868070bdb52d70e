"""A predictor that stops after a given number of chunks, as an interrupted scoring run would."""


class Interrupting:
    """Wraps a predictor and fails after ``limit`` calls, as a killed run would stop."""

    def __init__(self, inner, limit):
        self.inner, self.limit, self.calls = inner, limit, 0
        self.source, self.thresholds, self.truncated = inner.source, inner.thresholds, 0

    def predict_proba(self, texts, batch_size=32):
        self.calls += 1
        if self.calls > self.limit:
            raise KeyboardInterrupt
        return self.inner.predict_proba(texts, batch_size)
