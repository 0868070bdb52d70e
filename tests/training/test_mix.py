import numpy as np
from datasets import DatasetDict

from stance.data.build import to_dataset
from stance.training.mix import training_mix


def rows(texts, bits):
    return to_dataset([{"text": t, "labels": [float(b) for b in bits], "blame": bits[0], "cooperation": bits[1],
                        "hedging": bits[2], "doc_id": "d", "sentence_index": i, "kind": "", "speaker": "",
                        "country": "", "date": "", "topic": ""} for i, t in enumerate(texts)])


def test_real_sentences_join_training_with_their_weight_and_validation_whole():
    data = DatasetDict(train=rows(["w1", "w2"], (1, 0, 0)), validation=rows(["v"], (0, 1, 0)),
                       real_train=rows(["r1"], (0, 0, 1)), real_validation=rows(["rv"], (1, 1, 0)),
                       real_test=rows(["never"], (1, 1, 1)))
    mix = training_mix(data, real_weight=3.0)
    assert mix.texts == ["w1", "w2", "r1"] and mix.weights.tolist() == [1.0, 1.0, 3.0]
    np.testing.assert_array_equal(mix.labels, [[1, 0, 0], [1, 0, 0], [0, 0, 1]])
    assert mix.validation_texts == ["v", "rv"] and "never" not in mix.texts + mix.validation_texts


def test_without_real_splits_the_mix_is_the_written_corpus():
    data = DatasetDict(train=rows(["w1"], (1, 0, 0)), validation=rows(["v"], (0, 1, 0)), real_train=rows([], (0, 0, 0)))
    mix = training_mix(data)
    assert mix.texts == ["w1"] and mix.weights.tolist() == [1.0] and mix.validation_texts == ["v"]
