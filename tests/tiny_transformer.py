"""A tiny randomly initialised BERT and its tokenizer, built on the spot for fast training tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

from stance.models.transformer import TransformerClassifier, label_maps

TEXTS = ["we welcome the talks", "they attacked our border", "it may seem that some firms erred",
         "we must act together", "the minister arrives on monday", "they broke the promise and we urge talks"] * 4
LABELS = np.array([[0, 1, 0], [1, 0, 0], [1, 0, 1], [0, 1, 0], [0, 0, 0], [1, 1, 0]] * 4)


def tiny_classifier(folder: Path, seed: int = 0) -> TransformerClassifier:
    words = sorted({word for text in TEXTS for word in text.split()})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    tokenizer = BertTokenizer(vocab=str(folder / "vocab.txt"))
    config = BertConfig(vocab_size=len(words) + 5, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        initializer_range=0.2, intermediate_size=64, hidden_dropout_prob=0.0,
                        max_position_embeddings=64, num_labels=3, **label_maps())
    torch.manual_seed(seed)
    return TransformerClassifier(BertForSequenceClassification(config), tokenizer, max_length=32)
