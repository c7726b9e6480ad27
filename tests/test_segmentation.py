"""Story segmentation of the Arabic document (pipeline/align/segmentation.py): the Viterbi path over
English documents, its features for the link model, and the calibration of its switch penalty."""

import numpy as np
import pytest

from pipeline.align.segmentation import (
    calibrate_penalty,
    path_accuracy,
    path_features,
    story_path,
    story_scores,
)

# Six Arabic paragraphs of one document, two English documents: paragraphs 0-2 tell story 0, 3-5 story
# 1, but paragraph 1 alone looks a little more like story 1 (a sentence of story 0 that mentions it).
BLIP = np.array([[2.0, 0.0], [0.0, 0.5], [2.0, 0.0], [0.0, 2.0], [0.0, 2.0], [0.0, 2.0]])


@pytest.mark.parametrize(
    "penalty, ar_doc, expected",
    [
        (0.0, [0, 0, 0, 0, 0, 0], [0, 1, 0, 1, 1, 1]),  # free switching: each paragraph's own best
        (1.0, [0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]),  # the blip follows its neighbours
        (10.0, [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]),  # switching dearer than any evidence: one story
        (10.0, [0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1]),  # a new Arabic document starts its own path
    ],
)
def test_story_path_follows_neighbours_unless_the_evidence_outweighs_the_penalty(penalty, ar_doc, expected):
    assert story_path(BLIP, np.array(ar_doc), penalty).tolist() == expected


def test_one_english_document_is_every_paragraph_s_path():
    assert story_path(np.zeros((3, 1)), np.zeros(3, dtype=int), 1.0).tolist() == [0, 0, 0]


def test_story_scores_do_not_let_a_hub_document_stand_out():
    # Document 0 is close to every paragraph (boilerplate); document 1 matches paragraph 0, document 2
    # paragraph 2: each paragraph's own best cosine is the hub, its story score is not.
    best = np.array([[0.8, 0.6, 0.1], [0.8, 0.1, 0.1], [0.8, 0.1, 0.6], [0.8, 0.1, 0.1]])
    scores = story_scores(best, np.zeros_like(best))
    assert scores.argmax(axis=1)[[0, 2]].tolist() == [1, 2]


def test_path_features_mark_the_path_its_segment_mean_and_the_best_segment_of_a_document():
    # Path 0, 0, 1, 0: document 0 has two segments, the first (mean 3) better than the last (mean 1).
    scores = np.array([[3.0, 0.0], [3.0, 0.0], [0.0, 3.0], [1.0, 0.0]])
    i = np.repeat(np.arange(4), 2)
    pair_doc = np.tile(np.arange(2), 4)
    got = path_features(i, pair_doc, scores, np.zeros(4, dtype=int), penalty=0.5)
    assert got["on_path"].tolist() == [1, 0, 1, 0, 0, 1, 1, 0]
    assert got["path_score"].tolist() == [3.0, 0.0, 3.0, 0.0, 0.0, 3.0, 1.0, 0.0]
    # the last paragraph is on the path, but its segment is document 0's weaker one: a story is told once
    assert got["path_unique"].tolist() == [1, 0, 1, 0, 0, 1, 0, 0]


def test_path_features_of_no_pairs_are_empty():
    got = path_features(np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros((0, 0)), np.zeros(0, dtype=int), 1.0)
    assert all(len(v) == 0 for v in got.values())


def test_the_calibrated_penalty_recovers_the_gold_stories_of_noisy_scores():
    rng = np.random.default_rng(3)
    gold = np.repeat(np.arange(8), 4)  # eight stories of four paragraphs each
    scores = rng.normal(size=(32, 8))
    scores[np.arange(32), gold] += 1.5  # each paragraph leans towards its story, with much noise
    ar_doc = np.zeros(32, dtype=int)
    free, _ = path_accuracy(scores, ar_doc, gold, 0.0)
    penalty, accuracy = calibrate_penalty([(scores, ar_doc, gold)])
    assert penalty > 0.0 and accuracy > free / 32
    # paragraphs without a gold document (-1) are not counted
    assert path_accuracy(scores, ar_doc, np.full(32, -1), penalty) == (0, 0)
