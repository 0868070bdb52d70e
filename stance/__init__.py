"""stance: blame, cooperation and hedging in diplomatic speech, sentence by sentence."""

__version__ = "0.1.0"


def __getattr__(name: str):
    """Import the predictor lazily, so ``import stance`` stays light."""
    if name in ("predict", "Predictor", "Prediction"):
        from stance import predictor

        return getattr(predictor, name)
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
