"""The packaged embedding models, loaded for real (once per module: loading is slow)."""

from __future__ import annotations

import numpy as np
import pytest

from cohub.pipeline import embed

SENTENCES = [
    "They paid us for our time and covered the bus fare.",
    "We got money for coming to the meetings, and travel expenses.",
    "The venue had no lift, so I could not get up the stairs.",
]


@pytest.fixture(scope="module", params=[embed.E5, embed.MINILM])
def engine(request):
    return embed.engine(request.param)


def test_vectors_are_unit_length_and_similar_meanings_are_close(engine):
    vectors = engine.embed(SENTENCES)
    assert vectors.shape == (3, engine.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, different = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > different + 0.1


def test_same_text_same_vector_and_a_key_naming_model_and_version(engine):
    first = engine.embed(SENTENCES[:1])
    again = engine.embed(SENTENCES[:1] + SENTENCES[1:2])[:1]
    np.testing.assert_allclose(first, again, atol=1e-5)
    assert engine.model_name in engine.key and engine.model_version in engine.key
    assert engine.embed([]).shape == (0, engine.dim)


def test_e5_reads_other_languages():
    e5 = embed.engine(embed.E5)
    english, welsh, other = e5.embed(
        ["I was paid for my time.", "Cefais fy nhalu am fy amser.", "The room was too noisy."]
    )
    assert float(english @ welsh) > float(welsh @ other)


def test_unknown_engine_is_refused_plainly():
    with pytest.raises(embed.EmbedError, match="no embedding model called 'bert'"):
        embed.engine("bert")


def test_vectors_round_trip_as_bytes_and_text_hash_folds_spacing():
    vector = np.arange(4, dtype=np.float32) / 7
    np.testing.assert_array_equal(embed.from_bytes(embed.to_bytes(vector), 4), vector)
    with pytest.raises(ValueError, match="4 numbers, not 5"):
        embed.from_bytes(embed.to_bytes(vector), 5)
    assert embed.text_hash("paid  for\nmy time") == embed.text_hash("paid for my time")
    assert embed.text_hash("paid") != embed.text_hash("unpaid")
