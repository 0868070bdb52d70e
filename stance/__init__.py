"""stance: blame, cooperation and hedging in diplomatic speech, sentence by sentence.

The package has one folder per stage, and imports run one way, from the top of this list down:

- ``cli``: the command line (parse, call, print);
- ``training``: the trainer, the job behind ``train.py``, adaptation, active learning;
- ``inference`` (predictor, batch scorer) and ``evaluation`` (reports, comparisons);
- ``models``: the baseline, the transformer, ONNX, the model folder;
- ``data``: documents, segmentation, annotations, splits, real speech, archives;
- ``labels`` and ``metrics``: the label names and the metrics every stage shares.

``tests/test_layout.py`` fails on an import that runs against this direction.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """Import the predictor lazily, so ``import stance`` stays light."""
    if name in ("predict", "Predictor", "Prediction"):
        from stance.inference import predictor

        return getattr(predictor, name)
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
