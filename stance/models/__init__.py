"""Models: the TF-IDF baseline, the fine-tuned transformer and its ONNX export, and the model folder.

A model folder is the contract between training and everything after it: each model saves itself to a
folder and loads back from one (``folder.load_model`` tells the kinds apart). Models may import
``stance.data``, ``stance.labels`` and ``stance.metrics``, never training, inference or evaluation.
"""
