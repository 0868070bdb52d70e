"""stance: blame, cooperation and hedging in diplomatic speech, sentence by sentence."""

__version__ = "0.1.0"
