"""cnnlib.captioning: BLEU against NLTK, decoding on a toy model, text side and models vs Keras."""

import itertools
import math
from types import SimpleNamespace

import keras
import numpy as np
import pytest
from nltk.translate.bleu_score import corpus_bleu as nltk_corpus_bleu

from cnnlib import captioning as cap

WEIGHTS = [(1.0,), (0.5, 0.5), (1 / 3, 1 / 3, 1 / 3), (0.25, 0.25, 0.25, 0.25)]


def nltk_bleu(references, hypotheses):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NLTK warns when an n-gram order has no match
        out = nltk_corpus_bleu(references, hypotheses, weights=WEIGHTS)
    return [float(x) for x in out]


def random_corpus(rng, n_sentences, vocab=6, max_refs=4, max_len=12):
    words = [f"w{i}" for i in range(vocab)]
    refs, hyps = [], []
    for _ in range(n_sentences):
        refs.append([list(rng.choice(words, rng.integers(1, max_len + 1)))
                     for _ in range(rng.integers(1, max_refs + 1))])
        hyps.append(list(rng.choice(words, rng.integers(0, max_len + 1))))
    return refs, hyps


# --- BLEU ------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(40))
def test_corpus_bleu_matches_nltk_on_random_corpora(seed):
    rng = np.random.default_rng(seed)
    refs, hyps = random_corpus(rng, int(rng.integers(1, 8)), vocab=int(rng.integers(2, 8)))
    ours = cap.corpus_bleu(refs, hyps)
    expected = nltk_bleu(refs, hyps)
    assert np.allclose(ours, expected, rtol=0, atol=1e-9), (ours, expected)


def test_corpus_bleu_brevity_penalty_and_multiple_references():
    refs = [[["a", "red", "circle", "above", "a", "blue", "square"],
             ["a", "red", "circle", "over", "a", "blue", "square"]]]
    short = [["a", "red", "circle", "above", "a"]]  # 5 of 7 words: BP = exp(1 - 7/5)
    ours = cap.corpus_bleu(refs, short)
    assert ours[0] == pytest.approx(math.exp(1 - 7 / 5), abs=1e-12)  # every unigram matches
    assert np.allclose(ours, nltk_bleu(refs, short), atol=1e-9)
    # the closest reference length is used, the shorter one on ties
    refs2 = [[["x"] * 4, ["x"] * 8, ["x"] * 6]]
    for length in range(1, 10):
        hyp = [["x"] * length]
        assert np.allclose(cap.corpus_bleu(refs2, hyp), nltk_bleu(refs2, hyp), atol=1e-9)
    # one perfect hypothesis
    assert cap.corpus_bleu([[["a", "b", "c", "d"]]], [["a", "b", "c", "d"]]) == [1.0] * 4


def test_corpus_bleu_zero_cases_and_clipping():
    refs = [[["the", "cat", "is", "on", "the", "mat"]]]
    assert cap.corpus_bleu(refs, [["dog"]]) == [0.0] * 4
    assert cap.corpus_bleu(refs, [[]]) == [0.0] * 4
    hyp = [["the"] * 7]  # clipped: 2 of 7 unigrams count
    assert cap.corpus_bleu(refs, hyp)[0] == pytest.approx(2 / 7)
    assert np.allclose(cap.corpus_bleu(refs, hyp), nltk_bleu(refs, hyp), atol=1e-9)


def test_corpus_bleu_is_corpus_level_not_a_mean_of_sentences():
    refs = [[["a", "b", "c", "d"]], [["e", "f", "g", "h"]]]
    hyps = [["a", "b", "c", "d"], ["e", "f", "x", "h"]]
    assert np.allclose(cap.corpus_bleu(refs, hyps), nltk_bleu(refs, hyps), atol=1e-9)


def test_corpus_bleu_rejects_bad_input():
    with pytest.raises(TypeError, match="list of tokens"):
        cap.corpus_bleu([["a red circle"]], ["a red circle"])
    with pytest.raises(ValueError, match="same length"):
        cap.corpus_bleu([[["a"]]], [["a"], ["b"]])
    with pytest.raises(ValueError, match="empty"):
        cap.corpus_bleu([[]], [["a"]])
    with pytest.raises(ValueError, match="max_n"):
        cap.corpus_bleu([[["a"]]], [["a"]], max_n=0)


def test_ngram_counts_and_tokenize():
    assert cap.ngram_counts(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}
    assert cap.ngram_counts(["a"], 2) == {}
    assert cap.tokenize("A dog, running.") == ["a", "dog", "running"]
    with pytest.raises(TypeError):
        cap.tokenize(3)


# --- decoding on a toy model -------------------------------------------------------------------

# tokens: 0 pad, 1 start, 2 end, 3 "A", 4 "B". A Markov model on the last token:
# after start: A 0.6, B 0.4; after A: end 0.4, A 0.3, B 0.3; after B: end 0.9, A 0.05, B 0.05.
# Greedy takes A (0.6) then end (0.4): P = 0.24. The best sequence is B end: P = 0.36.
TOY = {1: [0, 0, 0, 0.6, 0.4], 3: [0, 0, 0.4, 0.3, 0.3], 4: [0, 0, 0.9, 0.05, 0.05]}


def toy_step(tokens, states):
    with np.errstate(divide="ignore"):
        log_probs = np.log(np.array([TOY[int(t)] for t in tokens]))
    (count,) = states
    return log_probs, [count + 1]


def brute_force_best(max_len):
    best, best_lp = None, -np.inf
    for length in range(max_len):
        for seq in itertools.product([3, 4], repeat=length):
            lp = cap.sequence_log_prob(toy_step, [np.zeros(1)], list(seq), 1, 2)
            if lp > best_lp:
                best, best_lp = list(seq), lp
    return best, best_lp


def test_greedy_is_worse_than_beam_on_the_toy_model():
    states = [np.zeros(3)]
    greedy, greedy_lp = cap.greedy_decode(toy_step, states, 1, 2, max_len=6)
    assert greedy == [[3]] * 3
    assert np.allclose(greedy_lp, math.log(0.24))
    beam, beam_lp = cap.beam_search(toy_step, states, 1, 2, beam_width=2, max_len=6)
    assert beam == [[4]] * 3
    assert np.allclose(beam_lp, math.log(0.36))
    best, best_lp = brute_force_best(max_len=6)
    assert best == [4] and math.isclose(best_lp, math.log(0.36))


@pytest.mark.parametrize("seed", range(5))
def test_beam_width_one_is_greedy_and_wide_beam_is_exhaustive(seed):
    rng = np.random.default_rng(seed)
    v = 5  # 0 pad, 1 start, 2 end, 3 and 4 words
    table = rng.dirichlet(np.ones(v), size=(v, 4))  # depends on the last token and the step
    table[:, :, :2] = 1e-9  # never pad or start
    table /= table.sum(axis=2, keepdims=True)

    def step(tokens, states):
        (t,) = states
        return np.log(table[tokens, np.minimum(t, 3).astype(int)]), [t + 1]

    states = [np.zeros(2)]
    g, g_lp = cap.greedy_decode(step, states, 1, 2, max_len=4)
    b1, b1_lp = cap.beam_search(step, states, 1, 2, beam_width=1, max_len=4)
    assert g == b1 and np.allclose(g_lp, b1_lp)
    wide, wide_lp = cap.beam_search(step, states, 1, 2, beam_width=v ** 3, max_len=4)
    best_lp = -np.inf
    for length in range(4):
        for seq in itertools.product([3, 4], repeat=length):
            best_lp = max(best_lp, cap.sequence_log_prob(step, [np.zeros(1)], list(seq), 1, 2))
    assert np.allclose(wide_lp, best_lp)
    assert np.all(wide_lp >= g_lp - 1e-12)


def test_decoders_reject_bad_input():
    with pytest.raises(ValueError, match="beam_width"):
        cap.beam_search(toy_step, [np.zeros(1)], 1, 2, beam_width=0, max_len=3)
    with pytest.raises(ValueError, match="max_len"):
        cap.greedy_decode(toy_step, [np.zeros(1)], 1, 2, max_len=0)
    with pytest.raises(TypeError, match="states"):
        cap.greedy_decode(toy_step, np.zeros(1), 1, 2, max_len=3)
    with pytest.raises(ValueError, match="first dimension"):
        cap.greedy_decode(toy_step, [np.zeros(1), np.zeros(2)], 1, 2, max_len=3)
    with pytest.raises(ValueError, match="end_token"):
        cap.beam_search(toy_step, [np.zeros(1)], 1, 9, beam_width=2, max_len=3)


# --- captions of scenes -------------------------------------------------------------------------

def obj(shape, colour, row, col):
    return SimpleNamespace(shape=shape, colour=colour, centre=(row, col))


def test_scene_caption_grammar():
    assert cap.scene_caption([obj("circle", "red", 10, 10)]) == "a red circle"
    two = [obj("square", "blue", 40, 12), obj("circle", "red", 8, 16)]
    assert cap.scene_caption(two) == "a red circle above a blue square"
    side = [obj("square", "blue", 20, 50), obj("circle", "red", 24, 10)]
    assert cap.scene_caption(side) == "a red circle left of a blue square"
    three = [obj("triangle", "green", 5, 50), obj("square", "blue", 30, 30),
             obj("circle", "red", 50, 5)]
    assert cap.scene_caption(three) == "a red circle , a blue square and a green triangle"
    assert [o.shape for o in cap.caption_order(two)] == ["circle", "square"]
    with pytest.raises(ValueError, match="1 to 3"):
        cap.scene_caption([])
    with pytest.raises(TypeError, match="centre"):
        cap.scene_caption(["red circle"])


def test_held_out_mask():
    scenes = [[obj("triangle", "blue", 1, 1)], [obj("triangle", "red", 1, 1)],
              [obj("circle", "blue", 1, 1), obj("triangle", "blue", 9, 9)]]
    assert cap.held_out_mask(scenes, [("blue", "triangle")]).tolist() == [True, False, True]
    with pytest.raises(ValueError, match="pairs"):
        cap.held_out_mask(scenes, ["blue triangle"])


# --- text side ------------------------------------------------------------------------------

def test_vectorizer_teacher_forcing_and_words():
    captions = ["a red circle", "a blue square above a red circle"]
    vec = cap.make_vectorizer(captions, max_len=10)
    vocab = vec.get_vocabulary()
    assert vocab[:2] == ["", "[UNK]"] and cap.START in vocab and cap.END in vocab
    ids = keras.ops.convert_to_numpy(vec(cap.add_start_end(captions + ["a pink circle"])))
    assert ids.shape == (3, 10)
    assert ids[0, 0] == vocab.index(cap.START) and ids[0, 4] == vocab.index(cap.END)
    assert ids[0, 5:].tolist() == [0] * 5
    assert ids[2, 2] == 1  # "pink" is unknown
    assert cap.ids_to_words(ids[1], vocab) == captions[1]
    inputs, targets = cap.teacher_forcing(ids)
    assert np.array_equal(inputs[:, 1:], targets[:, :-1]) and inputs.shape == (3, 9)
    with pytest.raises(ValueError, match="max_len"):
        cap.make_vectorizer(captions, max_len=2)
    with pytest.raises(ValueError, match="shape"):
        cap.teacher_forcing(np.zeros(4, int))
    with pytest.raises(ValueError, match="outside"):
        cap.ids_to_words([99], vocab)


def test_masked_cross_entropy_matches_keras_ignore_class():
    rng = np.random.default_rng(0)
    targets = rng.integers(1, 7, size=(4, 6))
    targets[0, 3:] = 0
    targets[2, 1:] = 0
    logits = rng.normal(size=(4, 6, 7)).astype("float32")
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    expected = float(keras.ops.convert_to_numpy(loss(targets, logits)))
    assert cap.masked_cross_entropy(targets, logits) == pytest.approx(expected, rel=1e-5)
    # padding really is ignored: changing the logits there changes nothing
    changed = logits.copy()
    changed[targets == 0] += 5.0
    assert cap.masked_cross_entropy(targets, changed) == pytest.approx(
        cap.masked_cross_entropy(targets, logits))
    with pytest.raises(ValueError, match="padding"):
        cap.masked_cross_entropy(np.zeros((2, 2), int), logits[:2, :2])
    with pytest.raises(ValueError, match="logits"):
        cap.masked_cross_entropy(targets, logits[:, :3])


# --- models -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", cap.MODEL_KINDS)
def test_step_model_reproduces_the_training_model(kind):
    """Decoding one token at a time gives the same logits as the teacher-forced model."""
    keras.utils.set_random_seed(0)
    m = cap.build_captioner(kind, (16, 16, 3), vocab_size=9, max_len=5, embed_dim=4, units=6,
                            filters=(4, 5))
    rng = np.random.default_rng(0)
    images = rng.random((2, 16, 16, 3)).astype("float32")
    tokens = rng.integers(1, 9, size=(2, 5)).astype("int32")
    full = keras.ops.convert_to_numpy(m.train([images, tokens]))
    h, c, features = cap.initial_states(m, images)
    for t in range(5):
        logits, h, c, weights = (keras.ops.convert_to_numpy(x) for x in
                                 m.step([tokens[:, t:t + 1], h, c, features]))
        assert np.allclose(logits, full[:, t], atol=1e-5)
        if kind == "attention":
            assert weights.shape == (2, 16) and np.allclose(weights.sum(axis=1), 1, atol=1e-5)
    with pytest.raises(ValueError, match="kind"):
        cap.build_captioner("transformer", (16, 16, 3), 9, 5)
    with pytest.raises(ValueError, match="divisible"):
        cap.build_captioner(kind, (18, 18, 3), 9, 5)


def test_model_step_fn_log_probs_are_normalised():
    keras.utils.set_random_seed(0)
    m = cap.build_captioner("attention", (16, 16, 3), vocab_size=9, max_len=5, embed_dim=4,
                            units=6, filters=(4, 5))
    states = cap.initial_states(m, np.zeros((3, 16, 16, 3)))
    record = []
    log_probs, new_states = cap.model_step_fn(m, record)(np.array([1, 2, 3]), states)
    assert np.allclose(np.exp(log_probs).sum(axis=1), 1) and len(record) == 1
    seqs, _ = cap.beam_search(cap.model_step_fn(m), states, 1, 2, beam_width=3, max_len=4)
    assert len(seqs) == 3 and all(len(s) <= 4 for s in seqs)


# --- Flickr8k ---------------------------------------------------------------------------------

def test_load_flickr8k_captions(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="no flickr8k/captions.txt"):
        cap.load_flickr8k_captions(tmp_path)
    folder = tmp_path / "flickr8k"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "a.jpg").write_bytes(b"")
    (folder / "captions.txt").write_text(
        "image,caption\na.jpg,A dog runs .\na.jpg,\"A dog, running.\"\nb.jpg,A cat .\n")
    data = cap.load_flickr8k_captions(tmp_path)
    assert data.captions == {"a.jpg": ["A dog runs .", "A dog, running."], "b.jpg": ["A cat ."]}
    assert data.images == ["a.jpg"]
    assert "flickr8k <- 2 images" in capsys.readouterr().out
    (folder / "captions.txt").write_text("file,text\na.jpg,x\n")
    with pytest.raises(ValueError, match="header"):
        cap.load_flickr8k_captions(tmp_path)
    with pytest.raises(TypeError, match="data_dir"):
        cap.load_flickr8k_captions(3)


def test_load_flickr8k_from_the_course_sample(capsys):
    data = cap.load_flickr8k_captions()
    assert len(data.captions) == 1000 and len(data.images) == 20
    assert all(len(c) == 5 for c in data.captions.values())
    assert capsys.readouterr().out.rstrip().endswith("from the course sample in this checkout's "
                                                     "data/")


@pytest.mark.usefixtures("offline_datasets")
def test_load_flickr8k_unreachable(capsys):
    assert cap.load_flickr8k_captions() is None
    assert "course sample is not reachable" in capsys.readouterr().out


# --- attention --------------------------------------------------------------------------------

def test_additive_attention_matches_keras():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(2, 3, 5)).astype("float32")
    v = rng.normal(size=(2, 7, 5)).astype("float32")
    layer = keras.layers.AdditiveAttention()
    out, scores = layer([q, v], return_attention_scores=True)
    layer.set_weights([rng.normal(size=5).astype("float32")])
    out, scores = (keras.ops.convert_to_numpy(t)
                   for t in layer([q, v], return_attention_scores=True))
    context, weights = cap.additive_attention(q, v, layer.get_weights()[0])
    assert np.allclose(weights, scores, atol=1e-5) and np.allclose(context, out, atol=1e-5)
    with pytest.raises(ValueError, match="scale"):
        cap.additive_attention(q, v, np.ones(4))


def test_peak_in_box_and_named_objects():
    weights = np.zeros((2, 16))
    weights[0, 5] = 1  # cell (1, 1) of a 4x4 grid over 32 px: centre (12, 12)
    weights[1, 15] = 1  # cell (3, 3): centre (28, 28)
    hits, chance = cap.peak_in_box(weights, (4, 4), 32, np.array([[8, 8, 16, 16], [8, 8, 16, 16]]))
    assert hits.tolist() == [True, False] and np.allclose(chance, 1 / 16)
    with pytest.raises(ValueError, match="weights"):
        cap.peak_in_box(weights, (3, 3), 32, np.zeros((2, 4)))
    two = [obj("square", "blue", 40, 12), obj("circle", "red", 8, 16)]
    pairs = cap.named_objects("a red circle above a blue square".split(), two)
    assert [(p, o.shape) for p, o in pairs] == [(1, "circle"), (2, "circle"), (5, "square"),
                                                 (6, "square")]
    assert cap.named_objects("a red circle".split(), two) == []
