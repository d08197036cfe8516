"""Finding policies from a household's own words: "vay von ho ngheo", "bhty", "tiền điện".

How a question is read, in order:

1. `fold` (lower-case, no diacritics, đ→d) and split into words.
2. Spelling: a word the catalogue does not know is corrected to the nearest known word (rapidfuzz
   Damerau-Levenshtein: 1 edit up to 6 letters, 2 from 7), and two known words typed together
   ("baohiem") are split. Short Vietnamese syllables one letter apart are different words, so
   below 6 letters only a missing, extra or swapped letter is corrected ("bhty", "ngeo", "gup"),
   never a changed one ("tiết" stays "tiet", not "tiền"); words under 3 letters are left alone.
3. Compounds from the YAML ("cận nghèo", "mượn tiền") become one word, so "cận nghèo" never counts
   as "nghèo" and "cần vay" is not "cận"; then stopwords ("tôi", "muốn", "được") are dropped.

Each policy is indexed as phrases: its title and its keywords, each also rewritten with every
synonym from the YAML (so "vay vốn hộ nghèo" also gives "mượn tiền hộ nghèo" and "vay hộ nghèo").
Words are weighted by rarity across policies (idf), so "bhyt" counts for more than "hộ". A
policy's score (0-100) is half how much of its best phrase the question covers and half how much
of the question the policy's words cover. A phrase counts only when at least two of its words
(or its only word) are in the question and they carry half its weight; a policy with no such
phrase, or scoring under the YAML's `min_score`, is not returned, and the caller offers the
categories instead.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from domain.folding import fold
from domain.policies import Catalogue, Policy, SearchSettings

__all__ = ["SearchIndex", "build_index", "search"]

_WORD = re.compile(r"[0-9a-z]+")
_MIN_PHRASE_COVERAGE = 0.5
_PHRASE_WEIGHT = 0.5
_QUERY_WEIGHT = 0.5
_MIN_CORRECTABLE_LENGTH = 3
_LONG_WORD_LENGTH = 7
_SUBSTITUTION_MIN_LENGTH = 6
_RECENT_QUESTIONS = 512  # per catalogue


@dataclass(frozen=True)
class _Entry:
    policy: Policy
    phrases: tuple[frozenset[str], ...]
    words: frozenset[str]


@dataclass(frozen=True)
class SearchIndex:
    """Everything `search` needs, derived once from a catalogue."""

    entries: tuple[_Entry, ...]
    known_words: tuple[str, ...]  # raw words, most frequent first (wins ties in correction)
    known_set: frozenset[str]
    known_long: tuple[str, ...]  # known words of 3 letters or more, same order
    joined: Mapping[str, tuple[str, str]]  # "baohiem" → ("bao", "hiem")
    compounds: Mapping[tuple[str, ...], str]
    stopwords: frozenset[str]
    weights: Mapping[str, float]
    min_score: float
    # word → positions in `entries` of the policies that have it: a policy sharing no word with
    # the question scores 0, so only these are scored
    by_word: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # recent questions → every match, best first (a question is searched twice per message:
    # once to choose the route, once to answer; households ask the same few things)
    recent: dict[tuple[str, date], list[tuple[Policy, float]]] = field(
        default_factory=dict, compare=False, repr=False)


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


# --- building ------------------------------------------------------------------------------------


def build_index(catalogue: Catalogue) -> SearchIndex:
    """Index every entry of the catalogue (expired ones too; `search` filters by date)."""
    settings = catalogue.search_settings
    groups = _synonym_groups(settings)
    compounds = {tuple(_words(c)): "".join(_words(c)) for c in settings.compounds}
    stopwords = frozenset(w for s in settings.stopwords for w in _words(s))

    raw_counts: Counter[str] = Counter()
    joined: dict[str, tuple[str, str]] = {}
    entries: list[_Entry] = []
    for policy in catalogue.policies:
        texts = [policy.title, *policy.keywords]
        phrases: list[frozenset[str]] = []
        for text in _expand(texts, groups):
            raw = _words(text)
            raw_counts.update(raw)
            joined.update({a + b: (a, b) for a, b in itertools.pairwise(raw)})
            phrase = frozenset(_normalise(raw, compounds, stopwords))
            if phrase and phrase not in phrases:
                phrases.append(phrase)
        words = frozenset().union(*phrases)
        entries.append(_Entry(policy=policy, phrases=tuple(phrases), words=words))

    raw_counts.update({w: 0 for w in stopwords})  # known, so never "corrected" into a keyword
    known = tuple(w for w, _ in raw_counts.most_common())
    known_set = frozenset(known)
    by_word: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        for word in entry.words:
            by_word.setdefault(word, []).append(position)
    return SearchIndex(
        entries=tuple(entries),
        known_words=known,
        known_set=known_set,
        known_long=tuple(w for w in known if len(w) >= _MIN_CORRECTABLE_LENGTH),
        joined={k: v for k, v in joined.items() if k not in known_set},
        compounds=compounds,
        stopwords=stopwords,
        weights=_idf(entries),
        min_score=settings.min_score,
        by_word={word: tuple(positions) for word, positions in by_word.items()},
    )


def _synonym_groups(settings: SearchSettings) -> list[list[str]]:
    """Each group: the canonical words and their variants, folded, longest first."""
    groups = []
    for canonical, variants in settings.synonyms.items():
        members = {" ".join(_words(m)) for m in [canonical, *variants]} - {""}
        groups.append(sorted(members, key=len, reverse=True))
    return groups


def _expand(texts: Iterable[str], groups: list[list[str]]) -> list[str]:
    """The texts plus, per synonym group, each text with its longest member swapped."""
    result: list[str] = []
    for text in texts:
        folded = " ".join(_words(text))
        result.append(folded)
        padded = f" {folded} "
        for members in groups:
            present = next((m for m in members if f" {m} " in padded), None)
            if present is None:
                continue
            result.extend(
                padded.replace(f" {present} ", f" {other} ", 1).strip()
                for other in members
                if other != present
            )
    return result


def _idf(entries: list[_Entry]) -> dict[str, float]:
    document_frequency: Counter[str] = Counter()
    for entry in entries:
        document_frequency.update(entry.words)
    total = len(entries)
    return {w: math.log(1 + total / df) for w, df in document_frequency.items()}


# --- reading a question --------------------------------------------------------------------------


def _normalise(
    raw: list[str], compounds: Mapping[tuple[str, ...], str], stopwords: frozenset[str]
) -> list[str]:
    """Join compounds, then drop stopwords."""
    joined: list[str] = []
    i = 0
    while i < len(raw):
        for words, token in compounds.items():
            if tuple(raw[i : i + len(words)]) == words:
                joined.append(token)
                i += len(words)
                break
        else:
            joined.append(raw[i])
            i += 1
    return [w for w in joined if w not in stopwords]


def _correct(word: str, index: SearchIndex) -> list[str]:
    if word in index.known_set:
        return [word]
    if word in index.joined:
        return list(index.joined[word])
    if len(word) < _MIN_CORRECTABLE_LENGTH or word.isdigit():
        return [word]
    max_edits = 2 if len(word) >= _LONG_WORD_LENGTH else 1
    # Never shorten a 3-letter word: "pho" is not a typo of "ho".
    choices = index.known_words if len(word) > _MIN_CORRECTABLE_LENGTH else index.known_long
    candidates = process.extract(
        word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=max_edits, limit=None
    )
    for candidate, _, _ in candidates:
        if _plausible_typo(word, candidate):
            return [candidate]
    return [word]


def _plausible_typo(word: str, candidate: str) -> bool:
    """Short Vietnamese syllables one letter apart are different words ("tiết"/"tiền",
    "hôm"/"học"), so below 6 letters only a missing, extra or swapped letter counts as a typo.
    """
    if len(word) >= _SUBSTITUTION_MIN_LENGTH:
        return True
    return len(word) != len(candidate) or sorted(word) == sorted(candidate)


def read_question(query: str, index: SearchIndex) -> set[str]:
    """The known, weighted words of a question after spelling, compounds and stopwords."""
    corrected = [fixed for word in _words(query) for fixed in _correct(word, index)]
    return {
        w for w in _normalise(corrected, index.compounds, index.stopwords) if w in index.weights
    }


# --- scoring -------------------------------------------------------------------------------------


def _weight(words: Iterable[str], weights: Mapping[str, float]) -> float:
    return sum(weights[w] for w in words)


def _phrase_coverage(
    phrase: frozenset[str], question: set[str], weights: Mapping[str, float]
) -> float:
    """Share of the phrase's weight found in the question; 0 unless two of its words are.

    One shared word is weak evidence ("an" in "làm ăn", "nhà" in "làm nhà"); a one-word phrase
    ("bhyt") counts in full.
    """
    shared = phrase & question
    if len(shared) < min(2, len(phrase)):
        return 0.0
    return _weight(shared, weights) / _weight(phrase, weights)


def _score(entry: _Entry, question: set[str], weights: Mapping[str, float]) -> float:
    phrase_coverage = max(_phrase_coverage(p, question, weights) for p in entry.phrases)
    if phrase_coverage < _MIN_PHRASE_COVERAGE:
        return 0.0
    question_coverage = _weight(question & entry.words, weights) / _weight(question, weights)
    return 100 * (_PHRASE_WEIGHT * phrase_coverage + _QUERY_WEIGHT * question_coverage)


MAX_QUERY = 300  # characters of a question that are read


_INDEXES: dict[int, tuple[Catalogue, SearchIndex]] = {}


def index_of(catalogue: Catalogue) -> SearchIndex:
    """The catalogue's search index, built on its first search and kept for the process (a
    catalogue does not change once loaded; the entry holds it, so its id is never reused)."""
    entry = _INDEXES.get(id(catalogue))
    if entry is None:
        if len(_INDEXES) >= 8:  # tests load many catalogues; a process keeps one or two
            _INDEXES.clear()
        entry = _INDEXES[id(catalogue)] = (catalogue, build_index(catalogue))
    return entry[1]


def search(
    catalogue: Catalogue, query: str, on: date, limit: int = 5
) -> list[tuple[Policy, float]]:
    """Policies in force on `on` that match a free-text question, best first, score 0-100.

    Empty when nothing reaches the catalogue's `search.min_score`: the caller then offers the
    categories. Ties go to the higher `priority`.
    """
    index = index_of(catalogue)
    query = query[:MAX_QUERY]  # a question is a line, not a page
    key = (query, on)
    found = index.recent.get(key)
    if found is None:
        found = _search(index, query, on)
        if len(index.recent) >= _RECENT_QUESTIONS:
            index.recent.clear()
        index.recent[key] = found
    return found[:limit]


def _search(index: SearchIndex, query: str, on: date) -> list[tuple[Policy, float]]:
    question = read_question(query, index)
    if not question:
        return []
    if index.min_score > 0:  # only policies sharing a word with the question can score
        positions = sorted({p for word in question for p in index.by_word.get(word, ())})
        candidates: Iterable[_Entry] = [index.entries[p] for p in positions]
    else:
        candidates = index.entries
    scored = [
        (entry.policy, round(_score(entry, question, index.weights), 1))
        for entry in candidates
        if entry.policy.is_visible(on)
    ]
    found = [(policy, score) for policy, score in scored if score >= index.min_score]
    found.sort(key=lambda item: (-item[1], -item[0].priority, item[0].id))
    return found
