"""Evaluation: judging any model folder on any labelled data.

Reports, figures, side-by-side comparisons and error lists, built on ``stance.metrics``. Evaluation may
import models and data, never training or inference.
"""
