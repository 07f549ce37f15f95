"""Lead summaries, pure: the first sentences of the story's body, as editors write ledes.

A standfirst that the body repeats is read once (as the standfirst), never twice; no
sentence enters a summary twice; subheads are not sentences.
"""

from __future__ import annotations

from collections.abc import Iterator

from digest.clean import jaccard, word_set
from digest.lead import is_junk, is_pull_quote, opens_quote, strip_dateline
from digest.model import Article, Story

_REPEAT = 0.6
MAX_SUMMARY_CHARS = 1200


def with_sentences(article: Article) -> Article:
    """The article with ``sentences`` filled in: one tuple per body paragraph.

    >>> from digest.model import Block
    >>> a = Article("a", "a.txt", "", "T", blocks=(Block("p", "One. Two.", "One. Two."),))
    >>> with_sentences(a).sentences
    (('One.', 'Two.'),)
    """
    from dataclasses import replace

    from digest.sentences import split_sentences

    return replace(article, sentences=tuple(split_sentences(p) for p in article.paragraphs))


class _Sentences:
    """An article's body sentences in order, split as they are asked for.

    A summary reads the first few sentences (and, after a quotation, a few dozen more),
    so splitting the rest of the body is wasted: it was a sixth of loading a file. The
    sentences are the article's ``sentences`` where it has them, else each paragraph's
    ``split_sentences``, exactly as ``with_sentences`` gives them.
    """

    def __init__(self, article: Article) -> None:
        from digest.sentences import split_sentences

        self._items: list[str] = []
        self._paragraphs: Iterator[tuple[str, ...]] = (
            iter(article.sentences)
            if article.sentences
            else (split_sentences(b.text) for b in article.blocks if not b.is_heading)
        )

    def _fill(self, count: int) -> None:
        """Split paragraphs until ``count`` sentences are known or the body ends."""
        while len(self._items) < count:
            paragraph = next(self._paragraphs, None)
            if paragraph is None:
                return
            self._items.extend(paragraph)

    def __iter__(self) -> Iterator[str]:
        at = 0
        while True:
            self._fill(at + 1)
            if at >= len(self._items):
                return
            yield self._items[at]
            at += 1

    def between(self, start: int, stop: int) -> list[str]:
        """The sentences ``start`` to ``stop`` (fewer where the body ends first)."""
        self._fill(stop)
        return self._items[start:stop]


def _cut(sentence: str, max_words: int) -> str:
    words = sentence.split()
    if len(words) <= max_words:
        return sentence
    return " ".join(words[:max_words]).rstrip(",;:—–-") + "…"


def lead_summary(article: Article, sentences: int = 3, max_words: int = 120) -> tuple[str, ...]:
    """The first ``sentences`` sentences of the body, within ``max_words`` words.

    A dateline opening the first sentence is dropped; bylines, timestamps, captions,
    prompts and pull quotes are skipped (see ``digest.lead``), and so are sentences
    that repeat the standfirst or an earlier sentence. Whole
    sentences are dropped to fit the word budget, and a single over-long first sentence
    is cut at a word boundary with an ellipsis. A front-matter ``summary`` wins.

    >>> from digest.model import Block
    >>> text = "LONDON (AP) - Heavy rain fell. Heavy rain fell. By Jo Bloggs. Roads were shut."
    >>> body = (Block("p", text, ""),)
    >>> lead_summary(with_sentences(Article("a", "a", "", "T", blocks=body)), 2)
    ('Heavy rain fell.', 'Roads were shut.')
    """
    if article.summary_override:
        return article.summary_override
    flat = _Sentences(article)
    chosen: list[str] = []
    # The word sets of the standfirst and of the chosen sentences, worked out once each
    # (``similarity(a, b)`` is ``jaccard(word_set(a), word_set(b))``).
    dek_words = word_set(article.dek) if article.dek else None
    chosen_words: list[frozenset[str]] = []
    used = 0
    for i, sentence in enumerate(flat):
        if len(chosen) == sentences:
            break
        if not chosen:
            sentence = strip_dateline(sentence)
        if is_junk(sentence) or (
            opens_quote(sentence) and is_pull_quote(sentence, flat.between(i + 1, i + 60))
        ):
            continue
        words = word_set(sentence) if dek_words is not None or chosen_words else None
        if words is not None and (
            (dek_words is not None and jaccard(words, dek_words) >= _REPEAT)
            or any(jaccard(words, earlier) >= _REPEAT for earlier in chosen_words)
        ):
            continue
        count = len(sentence.split())
        if chosen and used + count > max_words:
            break
        if not chosen:
            sentence = _cut(sentence, min(max_words, MAX_SUMMARY_CHARS // 8))
            if len(sentence) > MAX_SUMMARY_CHARS:
                sentence = sentence[: MAX_SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
            words = None  # maybe cut: later sentences are compared with what is kept
        elif sum(len(s) + 1 for s in chosen) + len(sentence) > MAX_SUMMARY_CHARS:
            break
        chosen.append(sentence)
        chosen_words.append(words if words is not None else word_set(sentence))
        used += count
    return tuple(chosen)


def summarize(story: Story, sentences: int = 3, max_words: int = 120) -> Story:
    """The story with its summary: the lead sentences of its lead article (worked out
    when the article was loaded, where the build did so with the same settings)."""
    return story.summarized(story.lead.summary or lead_summary(story.lead, sentences, max_words))
