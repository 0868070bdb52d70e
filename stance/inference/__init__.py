"""Inference: using a trained model folder.

``Predictor`` (one sentence or many, either model kind, ONNX when exported) and the batch scorer that
streams tables of any size. Inference may import models and data, never training or evaluation.
"""
