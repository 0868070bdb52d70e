"""Training: fitting models and the job that ``python train.py`` runs.

The trainer fine-tunes a transformer (``TrainConfig``, ``Trainer``); the job builds the data, trains,
evaluates, exports and compares; adaptation and DAPT learn from an unlabelled archive; active learning
chooses what to label next. Training may import every stage below it (evaluation, inference, models,
data), never the command line.
"""
