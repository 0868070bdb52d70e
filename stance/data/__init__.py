"""Data: from raw text to labelled sentences.

Documents in ``seeds/`` and the annotation passes in ``data/annotations/`` are read, segmented into
sentences, joined and split by document; real speech is named by reference into an archive and read
back from it; unlabelled archives are streamed and sampled. This stage knows nothing of models: it may
import only ``stance.labels`` and its own modules.
"""
