"""cnnlib.captioning: BLEU against NLTK, decoding on a toy model, text side and models vs Keras."""

import itertools
import math
import re
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
    with pytest.raises(TypeError,
                       match=r"hypotheses\[0\] must be a list of tokens \(str\), not a str"):
        cap.corpus_bleu([["a red circle"]], ["a red circle"])
    with pytest.raises(ValueError, match="must have the same length, got 1 and 2"):
        cap.corpus_bleu([[["a"]]], [["a"], ["b"]])
    with pytest.raises(ValueError, match=r"references\[0\] is empty"):
        cap.corpus_bleu([[]], [["a"]])
    with pytest.raises(ValueError, match="max_n must be an int >= 1, got 0"):
        cap.corpus_bleu([[["a"]]], [["a"]], max_n=0)


def test_ngram_counts_and_tokenize():
    assert cap.ngram_counts(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}
    assert cap.ngram_counts(["a"], 2) == {}
    assert cap.tokenize("A dog, running.") == ["a", "dog", "running"]
    with pytest.raises(TypeError, match="caption must be a str, got int"):
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


class PrefixModel:
    """A toy decoder whose next-token distribution depends on the whole prefix.

    Tokens 0 pad, 1 start, 2 end, 3 and 4 words. The state of a row is one int coding the image
    and every token so far (``code * 5 + token``), so a decoder that hands a beam the state of
    another beam or image gets other probabilities. Each code has its own random distribution
    (pad and start almost never; the end token's weight multiplied by ``end_weight``).
    """

    V = 5

    def __init__(self, seed, end_weight=1.0):
        self.seed, self.end_weight, self.table = seed, end_weight, {}

    def log_probs(self, code):
        if code not in self.table:
            p = np.random.default_rng([self.seed, int(code)]).dirichlet(np.ones(self.V))
            p[:2] = 1e-9
            p[2] *= self.end_weight
            self.table[code] = np.log(p / p.sum())
        return self.table[code]

    def step(self, tokens, states):
        (codes,) = states
        codes = codes * self.V + np.asarray(tokens)
        return np.array([self.log_probs(int(c)) for c in codes]), [codes]

    def score(self, image, seq, end):
        """Total log-probability of ``seq`` (plus the end token when ``end``) for one image."""
        code, total, previous = image, 0.0, 1
        for token in list(seq) + ([2] if end else []):
            code = code * self.V + previous
            total += self.log_probs(code)[token]
            previous = token
        return total

    def greedy(self, image, max_len):
        code, seq, total, previous = image, [], 0.0, 1
        for _ in range(max_len):
            code = code * self.V + previous
            lp = self.log_probs(code)
            previous = int(lp.argmax())
            total += lp[previous]
            if previous == 2:
                break
            seq.append(previous)
        return seq, total

    def best(self, image, max_len):
        """Exhaustive search: every finished caption shorter than max_len, and every caption
        cut off at max_len tokens (beam search lets those compete too)."""
        words = [0, 1, 3, 4]
        candidates = [(self.score(image, seq, True), list(seq)) for length in range(max_len)
                      for seq in itertools.product(words, repeat=length)]
        candidates += [(self.score(image, seq, False), list(seq))
                       for seq in itertools.product(words, repeat=max_len)]
        return max(candidates)[::-1]


@pytest.mark.parametrize("end_weight", [1.0, 0.05])
@pytest.mark.parametrize("seed", range(5))
def test_beam_width_one_is_greedy_and_wide_beam_is_exhaustive(seed, end_weight):
    toy, max_len = PrefixModel(seed, end_weight), 4
    images = np.arange(3)  # three images, each with its own distributions
    states = [images.copy()]
    expected = [toy.greedy(i, max_len) for i in images]
    g, g_lp = cap.greedy_decode(toy.step, states, 1, 2, max_len=max_len)
    assert g == [seq for seq, _ in expected]
    np.testing.assert_allclose(g_lp, [lp for _, lp in expected], rtol=0, atol=1e-12)
    b1, b1_lp = cap.beam_search(toy.step, states, 1, 2, beam_width=1, max_len=max_len)
    assert b1 == g
    np.testing.assert_allclose(b1_lp, g_lp, rtol=0, atol=1e-12)
    # a beam as wide as the number of captions keeps them all: the exhaustive optimum
    wide, wide_lp = cap.beam_search(toy.step, states, 1, 2, beam_width=4 ** max_len,
                                    max_len=max_len)
    best = [toy.best(i, max_len) for i in images]
    assert wide == [seq for seq, _ in best]
    np.testing.assert_allclose(wide_lp, [lp for _, lp in best], rtol=0, atol=1e-12)
    assert np.all(wide_lp >= g_lp - 1e-12)
    # every returned score is the score of the returned caption
    for i, seq, lp in zip(images, wide, wide_lp):
        finished = len(seq) < max_len
        assert toy.score(i, seq, finished) == pytest.approx(lp, abs=1e-12)
    # the cases arise: beam search beats greedy, and (with a rare end token) the best caption
    # is one cut off at max_len, which competes with the finished ones
    if seed == 0:
        assert any(len(seq) == max_len for seq in wide) == (end_weight < 1)
        if end_weight == 1:
            assert wide != g and np.any(wide_lp > g_lp + 1e-6)


def test_decoders_reject_bad_input():
    with pytest.raises(ValueError, match="beam_width must be an int >= 1, got 0"):
        cap.beam_search(toy_step, [np.zeros(1)], 1, 2, beam_width=0, max_len=3)
    with pytest.raises(ValueError, match="max_len must be an int >= 1, got 0"):
        cap.greedy_decode(toy_step, [np.zeros(1)], 1, 2, max_len=0)
    with pytest.raises(TypeError, match="states must be a list of arrays with one row per image"):
        cap.greedy_decode(toy_step, np.zeros(1), 1, 2, max_len=3)
    with pytest.raises(ValueError, match=r"needs the same first dimension N, got \[1, 2\]"):
        cap.greedy_decode(toy_step, [np.zeros(1), np.zeros(2)], 1, 2, max_len=3)
    with pytest.raises(ValueError, match="end_token 9 is not a token of a 5-word vocabulary"):
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
    with pytest.raises(ValueError, match="objects must hold 1 to 3 objects, got 0"):
        cap.scene_caption([])
    with pytest.raises(TypeError, match=r"each object needs attributes shape, colour and centre"):
        cap.scene_caption(["red circle"])


def test_held_out_mask():
    scenes = [[obj("triangle", "blue", 1, 1)], [obj("triangle", "red", 1, 1)],
              [obj("circle", "blue", 1, 1), obj("triangle", "blue", 9, 9)]]
    assert cap.held_out_mask(scenes, [("blue", "triangle")]).tolist() == [True, False, True]
    with pytest.raises(ValueError, match=r"combinations must hold \(colour, shape\) pairs"):
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
    with pytest.raises(ValueError,
                       match=r"max_len must be an int >= 3 \(start, a word, end\), got 2"):
        cap.make_vectorizer(captions, max_len=2)
    with pytest.raises(ValueError, match=r"ids must be 2-D \(N, T\), got shape \(4,\)"):
        cap.teacher_forcing(np.zeros(4, int))
    with pytest.raises(ValueError, match=r"ids must be an int array of shape \(N, T\) with T >= 2"):
        cap.teacher_forcing(np.zeros((4, 1), int))
    with pytest.raises(TypeError, match="ids must hold integer ids, got dtype float64"):
        cap.teacher_forcing(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="token id 99 is outside a vocabulary of 10"):
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
    with pytest.raises(ValueError, match="every target is padding: nothing to average"):
        cap.masked_cross_entropy(np.zeros((2, 2), int), logits[:2, :2])
    with pytest.raises(ValueError,
                       match=re.escape("logits must have shape (N, T, V) = (4, 6) + (V,), "
                                       "got (4, 3, 7)")):
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
    with pytest.raises(ValueError, match="unknown captioner kind 'transformer'; "
                                         "allowed: show_and_tell, attention"):
        cap.build_captioner("transformer", (16, 16, 3), 9, 5)
    with pytest.raises(ValueError,
                       match=r"image height and width must be divisible by 4, got \(18, 18, 3\)"):
        cap.build_captioner(kind, (18, 18, 3), 9, 5)


def test_model_step_fn_log_probs_are_normalised():
    keras.utils.set_random_seed(0)
    m = cap.build_captioner("attention", (16, 16, 3), vocab_size=9, max_len=5, embed_dim=4,
                            units=6, filters=(4, 5))
    images = np.random.default_rng(0).random((3, 16, 16, 3)).astype("float32")
    states = cap.initial_states(m, images)
    features, h0, c0 = (keras.ops.convert_to_numpy(t) for t in m.encoder(images))
    for got, want in zip(states, [h0, c0, features]):
        np.testing.assert_allclose(got, want, atol=1e-6)
    record = []
    tokens = np.array([1, 2, 3])
    log_probs, new_states = cap.model_step_fn(m, record)(tokens, states)
    # the step model's logits, log-softmaxed; its new h and c; the features passed on unchanged
    logits, h1, c1, weights = (keras.ops.convert_to_numpy(t) for t in m.step(
        [tokens[:, None].astype("int32"), states[0], states[1], states[2]]))
    expected = logits - logits.max(axis=1, keepdims=True)
    expected -= np.log(np.exp(expected).sum(axis=1, keepdims=True))
    assert log_probs.shape == (3, 9)
    np.testing.assert_allclose(log_probs, expected, atol=1e-5)
    np.testing.assert_allclose(np.exp(log_probs).sum(axis=1), 1, atol=1e-6)
    assert len(new_states) == 3 and new_states[2] is states[2]
    np.testing.assert_allclose(new_states[0], h1, atol=1e-6)
    np.testing.assert_allclose(new_states[1], c1, atol=1e-6)
    assert not np.allclose(new_states[0], states[0])  # the state moved on
    # the recorded attention weights are the step's: one distribution over 16 cells per row
    assert len(record) == 1
    np.testing.assert_allclose(record[0], weights, atol=1e-6)
    assert record[0].shape == (3, 16) and np.allclose(record[0].sum(axis=1), 1, atol=1e-5)

    # decoding the real model: beam width 1 is greedy, a wider beam scores at least as well,
    # and every returned score is the log-probability of the returned caption
    g, g_lp = cap.greedy_decode(cap.model_step_fn(m), states, 1, 2, max_len=4)
    b1, b1_lp = cap.beam_search(cap.model_step_fn(m), states, 1, 2, beam_width=1, max_len=4)
    assert b1 == g and np.allclose(b1_lp, g_lp, atol=1e-9)
    record = []
    seqs, lps = cap.beam_search(cap.model_step_fn(m, record), states, 1, 2, beam_width=3,
                                max_len=4)
    assert [r.shape for r in record] == [(9, 16)] * len(record) and 1 <= len(record) <= 4
    assert len(seqs) == 3 and np.all(lps >= g_lp - 1e-6) and np.all(lps < 0)
    for i, (seq, lp) in enumerate(zip(seqs, lps)):
        assert len(seq) <= 4 and all(isinstance(t, int) and 0 <= t < 9 and t != 2 for t in seq)
        one = [s[i:i + 1] for s in states]
        if len(seq) < 4:  # finished: the end token counts
            assert cap.sequence_log_prob(cap.model_step_fn(m), one, seq, 1, 2) == pytest.approx(
                lp, abs=1e-4)
        else:  # cut off at max_len: the sum over its 4 tokens
            total, previous, st = 0.0, 1, one
            for token in seq:
                step_lp, st = cap.model_step_fn(m)(np.array([previous]), st)
                total, previous = total + step_lp[0, token], token
            assert total == pytest.approx(lp, abs=1e-4)


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
    assert capsys.readouterr().out.startswith("cnnlib.datasets: flickr8k <- 2 images")
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
    assert capsys.readouterr().out.startswith(
        "cnnlib.datasets: flickr8k <- nothing: the course sample is not reachable")


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
    with pytest.raises(ValueError, match=r"scale must have shape \(5,\), got \(4,\)"):
        cap.additive_attention(q, v, np.ones(4))


def test_peak_in_box_and_named_objects():
    weights = np.zeros((2, 16))
    weights[0, 5] = 1  # cell (1, 1) of a 4x4 grid over 32 px: centre (12, 12)
    weights[1, 15] = 1  # cell (3, 3): centre (28, 28)
    hits, chance = cap.peak_in_box(weights, (4, 4), 32, np.array([[8, 8, 16, 16], [8, 8, 16, 16]]))
    assert hits.tolist() == [True, False] and np.allclose(chance, 1 / 16)
    with pytest.raises(ValueError,
                       match=r"weights must have shape \(K, 9\) for a 3x3 grid, got \(2, 16\)"):
        cap.peak_in_box(weights, (3, 3), 32, np.zeros((2, 4)))
    two = [obj("square", "blue", 40, 12), obj("circle", "red", 8, 16)]
    pairs = cap.named_objects("a red circle above a blue square".split(), two)
    assert [(p, o.shape) for p, o in pairs] == [(1, "circle"), (2, "circle"), (5, "square"),
                                                 (6, "square")]
    assert cap.named_objects("a red circle".split(), two) == []


def test_sequence_log_prob_names_its_arguments():
    def step(tokens, states):
        return np.log(np.full((len(tokens), 3), 1 / 3)), states

    one = [np.zeros((1, 2))]
    assert cap.sequence_log_prob(step, one, [1, 1], 0, 2) == pytest.approx(3 * math.log(1 / 3))
    with pytest.raises(ValueError, match=r"^states must describe one image \(first dimension "
                                         r"1\), got 2$"):
        cap.sequence_log_prob(step, [np.zeros((2, 2))], [1], 0, 2)
    with pytest.raises(ValueError, match=r"^start_token must be an int >= 0 \(a token id\), "
                                         r"got -1$"):
        cap.sequence_log_prob(step, one, [1], -1, 2)
    with pytest.raises(TypeError, match=r"^end_token must be an int, got str \('2'\)$"):
        cap.sequence_log_prob(step, one, [1], 0, "2")
    # ids run from 0 to V - 1: V itself is not a token of a V-word vocabulary
    with pytest.raises(ValueError, match=r"^token 3 is not a token of a 3-word vocabulary$"):
        cap.sequence_log_prob(step, one, [1, 3], 0, 2)
    with pytest.raises(ValueError, match=r"^token 3 is not a token of a 3-word vocabulary$"):
        cap.sequence_log_prob(step, one, [1], 0, 3)


def test_bleu_inputs_are_checked_with_exact_messages():
    for n, shown in (("2", "str \\('2'\\)"), (True, "bool \\(True\\)")):
        with pytest.raises(TypeError, match=rf"^n must be an int, got {shown}$"):
            cap.ngram_counts(["a"], n)
    with pytest.raises(ValueError, match=r"^n must be an int >= 1, got 0$"):
        cap.ngram_counts(["a"], 0)
    with pytest.raises(TypeError, match=r"^tokens must be a list of tokens \(str\), not a str: "
                                        r"split it first$"):
        cap.ngram_counts("a b", 1)
    with pytest.raises(TypeError, match=r"^tokens must be a list of tokens \(str\), got int$"):
        cap.ngram_counts(5, 1)
    with pytest.raises(TypeError, match=r"^tokens must hold str tokens only$"):
        cap.ngram_counts(["a", 1], 1)
    ok = [[["a", "b"]]], [["a", "b"]]
    assert cap.corpus_bleu(*ok, max_n=1) == [1.0]
    for refs, hyps in (("a b", ok[1]), (ok[0], "a b")):
        with pytest.raises(TypeError, match=r"^references and hypotheses must be lists of "
                                            r"tokenized sentences$"):
            cap.corpus_bleu(refs, hyps)
    with pytest.raises(ValueError, match=r"^hypotheses is empty: BLEU needs at least one "
                                         r"sentence$"):
        cap.corpus_bleu([], [])
    for max_n, shown in (("2", "str \\('2'\\)"), (True, "bool \\(True\\)")):
        with pytest.raises(TypeError, match=rf"^max_n must be an int, got {shown}$"):
            cap.corpus_bleu(*ok, max_n=max_n)
    with pytest.raises(ValueError, match=r"^max_n must be an int >= 1, got 0$"):
        cap.corpus_bleu(*ok, max_n=0)
    with pytest.raises(TypeError, match=r"^references\[0\] must be a list of tokenized "
                                        r"reference sentences$"):
        cap.corpus_bleu(["a b"], [["a"]])
    with pytest.raises(TypeError, match=r"^references\[0\]\[1\] must be a list of tokens "
                                        r"\(str\), got int$"):
        cap.corpus_bleu([[["a"], 3]], [["a"]])


def test_bad_inputs_to_the_text_side_and_decoders():
    targets = np.array([[3, 1, 0]])
    logits = np.zeros((1, 3, 5))
    with pytest.raises(TypeError, match=r"pad must be an int, got str \('0'\)"):
        cap.masked_cross_entropy(targets, logits, pad="0")
    with pytest.raises(ValueError, match="pad must be an int >= 0"):
        cap.masked_cross_entropy(targets, logits, pad=-1)
    with pytest.raises(ValueError, match="logits must hold finite numbers"):
        cap.masked_cross_entropy(targets, np.full((1, 3, 5), np.nan))
    with pytest.raises(TypeError, match="targets must hold integer ids"):
        cap.masked_cross_entropy(targets.astype(float), logits)

    def step(tokens, states):
        return np.log(np.full((len(tokens), 4), 0.25)), states

    states = [np.zeros((1, 2))]
    assert cap.sequence_log_prob(step, states, [1, 2], 0, 3) == pytest.approx(3 * np.log(0.25))
    with pytest.raises(ValueError, match=r"tokens\[1\] must be an int >= 0 \(a token id\), got -1"):
        cap.sequence_log_prob(step, states, [1, -1], 0, 3)
    with pytest.raises(ValueError, match="token 7 is not a token of a 4-word vocabulary"):
        cap.sequence_log_prob(step, states, [7], 0, 3)
    with pytest.raises(TypeError, match="tokens must be a list of int token ids, got str"):
        cap.sequence_log_prob(step, states, "12", 0, 3)
    with pytest.raises(TypeError, match="beam_width must be an int, got float"):
        cap.beam_search(step, states, 0, 3, beam_width=2.0, max_len=3)
    with pytest.raises(TypeError, match="max_len must be an int, got bool"):
        cap.greedy_decode(step, states, 0, 3, max_len=True)
    with pytest.raises(TypeError, match=r"filters\[0\] must be an int, got float"):
        cap.build_captioner("attention", (16, 16, 3), 10, 5, filters=(8.0, 16))
    with pytest.raises(TypeError, match="image_shape\\[0\\] must be an int"):
        cap.build_captioner("attention", (16.0, 16, 3), 10, 5)
    with pytest.raises(TypeError, match=r"image_shape must be a tuple \(H, W, 3\) of positive "
                                        r"ints, got int"):
        cap.build_captioner("attention", 16, 10, 5)
    with pytest.raises(TypeError, match="kind must be a str, got NoneType"):
        cap.build_captioner(None, (16, 16, 3), 10, 5)


def test_attention_and_held_out_mask_refuse_wrong_types():
    with pytest.raises(TypeError, match="query must hold numbers"):
        cap.additive_attention("q", np.zeros((1, 2, 3)), np.ones(3))
    with pytest.raises(ValueError, match=r"values must be 3-D \(N, L, D\)"):
        cap.additive_attention(np.zeros((1, 2, 3)), np.zeros((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="query must hold finite numbers"):
        cap.additive_attention(np.full((1, 2, 3), np.inf), np.zeros((1, 2, 3)), np.ones(3))
    with pytest.raises(TypeError, match="objects_per_image must be a list, got NoneType"):
        cap.held_out_mask(None, [])


DECODERS = {
    "greedy": lambda step, states, start, end, max_len: cap.greedy_decode(step, states, start,
                                                                           end, max_len),
    "beam": lambda step, states, start, end, max_len: cap.beam_search(step, states, start, end,
                                                                       2, max_len),
}


@pytest.mark.parametrize("decode", DECODERS.values(), ids=DECODERS.keys())
def test_decoders_check_arguments_and_step_with_exact_messages(decode):
    one = [np.zeros(1)]
    with pytest.raises(ValueError, match=r"^start_token must be an int >= 0 \(a token id\), "
                                         r"got -1$"):
        decode(toy_step, one, -1, 2, 3)
    with pytest.raises(TypeError, match=r"^end_token must be an int, got str \('2'\)$"):
        decode(toy_step, one, 1, "2", 3)
    with pytest.raises(ValueError, match=r"^max_len must be an int >= 1, got 0$"):
        decode(toy_step, one, 1, 2, 0)
    with pytest.raises(TypeError, match=r"^states must be a list of arrays with one row per "
                                        r"image, got ndarray$"):
        decode(toy_step, np.zeros(1), 1, 2, 3)
    for bad in ([], [np.float64(0.0)]):
        with pytest.raises(ValueError, match=r"^states must be a non-empty list of arrays of "
                                             r"shape \(N, \.\.\.\)$"):
            decode(toy_step, bad, 1, 2, 3)
    # step must return a tuple (log_probs, states), with one row of log_probs per token
    for bad_step in (lambda t, s: [toy_step(t, s)[0], s], lambda t, s: (*toy_step(t, s), s)):
        with pytest.raises(TypeError, match=r"^step must return a pair \(log_probs \(M, V\), "
                                            r"new_states list\)$"):
            decode(bad_step, one, 1, 2, 3)
    with pytest.raises(ValueError, match=r"^step must return log_probs of shape \(M, V\) with "
                                         r"M = \d+, got \(\d+, 5\)$"):
        decode(lambda t, s: (np.vstack([toy_step(t, s)[0]] * 2), s), one, 1, 2, 3)


def test_beam_search_edge_cases():
    one = [np.zeros(1)]
    # one step: every caption is cut off after one token; the likelier first token wins
    assert cap.beam_search(toy_step, one, 1, 2, beam_width=2, max_len=1) == \
        ([[3]], pytest.approx([math.log(0.6)]))
    with pytest.raises(ValueError, match=r"^end_token 5 is not a token of a 5-word "
                                         r"vocabulary$"):
        cap.beam_search(toy_step, one, 1, 5, beam_width=2, max_len=3)
    # step gets integer token ids it can index with, as an embedding lookup does
    with np.errstate(divide="ignore"):
        table = np.log(np.array([[0.2] * 5, TOY[1], [0.2] * 5, TOY[3], TOY[4]]))
    assert cap.beam_search(lambda t, s: (table[t], s), one, 1, 2, beam_width=2,
                           max_len=4)[0] == [[4]]


def test_beam_search_breaks_ties_by_beam_then_token_id():
    """Like greedy's argmax, ties go to the first candidate: the earlier beam, then the lower
    token id. After the start token (0) the odd words 1, 3, ..., 17 tie at 1/9; after word t the
    end token (19) has probability t / 18 and the odd words share the rest. A beam of 3 keeps
    words 1, 3, 5 and ends with 5 (by hand: P = 1/9 * 5/18), though 17 would have been better."""
    def step(tokens, states):
        rows = []
        for t in tokens:
            p = np.zeros(20)
            if t == 0:
                p[1:19:2] = 1 / 9
            else:
                p[19], p[1:19:2] = t / 18, (1 - t / 18) / 9
            rows.append(p)
        with np.errstate(divide="ignore"):
            return np.log(np.array(rows)), states
    seqs, lp = cap.beam_search(step, [np.zeros(1)], 0, 19, beam_width=3, max_len=2)
    assert seqs == [[5]]
    assert lp == pytest.approx([math.log(1 / 9 * 5 / 18)])


@pytest.mark.parametrize("dtype", [np.float32, np.longdouble])
def test_decoders_return_float64_log_probs_whatever_step_returns(dtype):
    def step(tokens, states):
        log_probs, states = toy_step(tokens, states)
        return log_probs.astype(dtype), states

    for decode, best in [(DECODERS["greedy"], [3]), (DECODERS["beam"], [4])]:
        seqs, log_probs = decode(step, [np.zeros(1)], 1, 2, 6)
        assert seqs == [best] and log_probs.dtype == np.float64
