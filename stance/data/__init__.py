"""The corpus: documents in `seeds/`, annotations in `data/annotations/`, and the built splits."""
