"""Sentiment classification with binary cross-entropy: "I loved the movie" should come
out 1, "What a waste of time" 0.

Each sentence becomes a bag of words (one input per vocabulary word: 1 if the word occurs), and
the network's single sigmoid output D(x) is trained on
    L = −y log D(x) − (1 − y) log(1 − D(x)),
which is 0 exactly when the network is sure and right. The sentences ship with the example.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

import gradfall as gf
from _shared import figure_path, options, saved

POSITIVE = [
    "I loved the movie", "what a wonderful film", "the acting was brilliant",
    "a beautiful and moving story", "I enjoyed every minute", "great fun from start to finish",
    "the best film of the year", "a delightful surprise", "superb music and lovely scenes",
    "I would happily watch it again", "funny clever and warm", "an excellent cast",
    "the story kept me hooked", "truly a great experience", "I really liked the ending",
    "charming and full of heart", "the director did a fantastic job", "a joy to watch",
    "wonderful performances all round", "it made me smile",
]
NEGATIVE = [
    "what a waste of time", "the movie was boring", "terrible acting and a dull plot",
    "I hated every minute", "the worst film of the year", "a tedious mess",
    "I fell asleep halfway through", "awful dialogue and poor music", "do not bother watching it",
    "it was far too long and slow", "a disappointing story", "bad jokes and a weak cast",
    "the ending made no sense", "I want my money back", "painfully dull",
    "the plot was silly and predictable", "a boring waste of a good cast", "I really disliked it",
    "nothing works in this film", "it made me yawn",
]
HELD_OUT = [("I loved the music and the story", 1), ("what a boring film", 0),
            ("a wonderful cast and a great ending", 1), ("a dull waste of money", 0)]


def words(sentence: str) -> list[str]:
    return re.findall(r"[a-z']+", sentence.lower())


def bag_of_words(sentences: Sequence[str],
                 vocabulary: Mapping[str, int]) -> npt.NDArray[np.float32]:
    X = np.zeros((len(sentences), len(vocabulary)), dtype=np.float32)
    for i, sentence in enumerate(sentences):
        for word in words(sentence):
            if word in vocabulary:
                X[i, vocabulary[word]] = 1.0
    return X


def main() -> None:
    args = options(__doc__)
    sentences = POSITIVE + NEGATIVE
    y = np.array([1] * len(POSITIVE) + [0] * len(NEGATIVE), dtype=np.float32)
    vocabulary = {w: i for i, w in enumerate(sorted({w for s in sentences for w in words(s)}))}
    X = bag_of_words(sentences, vocabulary)
    net = gf.Network([len(vocabulary), 16, 1], activation="relu", output="sigmoid",
                     loss="binary_cross_entropy", seed=0)
    epochs = 10 if args.quick else 200
    history = net.fit(X, y, epochs=epochs, batch_size=8, optimizer=gf.Adam(lr=0.01))
    print(f"{len(sentences)} sentences, {len(vocabulary)} words, {epochs} epochs: "
          f"cross-entropy {history.loss[0]:.4f} -> {history.loss[-1]:.4f}, "
          f"training accuracy {net.score(X, y):.2f}")
    held_X = bag_of_words([s for s, _ in HELD_OUT], vocabulary)
    held_y = np.array([label for _, label in HELD_OUT], dtype=np.float32)
    for (sentence, label), p in zip(HELD_OUT, net.forward(held_X)[:, 0]):
        print(f"  D({sentence!r}) = {p:.3f}   (truth {label})")
    print(f"held-out accuracy {net.score(held_X, held_y):.2f}")
    path = figure_path(args, "sentiment_loss.png")
    if path:
        gf.plot.loss_curve(history, path, title="Sentiment: binary cross-entropy")
        saved(path)


if __name__ == "__main__":
    main()
