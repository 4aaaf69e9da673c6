"""One line of a text dump: its comparison key, its class, and a site's recurring lines.

The rule reader's view of a line (:func:`_line_class`): prose, chrome,
undecided, or a wall (a comments header, the copyright line) the article
never crosses, from its length, function-word density, punctuation and
chrome vocabulary in any of the listed languages. The reader classifies a
whole page at once (:func:`_page_classes`, the same classes; the tests pin
the two together). :func:`recurring_lines`
finds the lines a site repeats on its pages.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from analysis.dates import looks_like_dateline as _looks_like_dateline
from analysis.dates import word_count as _word_count
from analysis.textlines import PageText, letter_words, line_memo

# Each line is measured by several stages (classes, weights, features,
# confidence); a bounded memo keeps that to one regex pass per line.
word_count = line_memo(_word_count)
looks_like_dateline = line_memo(_looks_like_dateline)


_WORD = re.compile(r"\w+")
# Scripts written without spaces: count characters, not "words".
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Sentence end: a stop, possibly followed by closing quotes or brackets.
_TERMINAL = re.compile(r"""[.!?…:。！？]["'”’»)\]]*$""")

# Small function-word lists.  A single multilingual union is enough: what
# matters is the *density* of function words, which separates prose from
# menus and headline lists in any of these languages.
_STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be
    been being has have had do does did not no it its this that these those he she
    they we you i his her their our your my me him them who which what when where
    how than then there here so such can could will would should may might must
    also about after before over into out up more most some any all one just only
    und der die das den dem des ein eine einer ist sind war nicht mit von zu auf
    für sich auch es im wie bei aus nach noch oder aber wird werden hat haben
    le la les un une des du de et est en dans que qui pour pas sur au aux par
    plus ne se ce il elle ils sont avec ont été son sa ses leur
    el los las del y es por con para una su al lo como más pero sus le ya fue
    o os da do dos das em no na nos um uma não com por para se que é mais foi
    il di che non per una sono della nel alla anche ma come gli
    yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan yg juga
    karena sudah bahwa atau oleh ada kita saya
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы
    по только ее мне было вот от меня еще нет о из ему теперь когда даже ну ли
    если уже или ни быть был него до вас нибудь уж вам сказал ведь там потом
    себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам
    это также при этом который которые
    ve bir bu da de için ile olarak daha çok gibi en ama ki ne o şu her
    olan kadar sonra ise değil var yok
    və bu bir ki da də ilə üçün olan kimi isə çox daha sonra həm
    """.split()
)

# Chrome vocabulary: only trusted on short lines, where it is the whole point
# of the line ("Share on Facebook", "Follow us !", "Read more").
_CHROME_SHORT = re.compile(
    r"\b(?:share|shares|tweet|follow us|subscribe|sign (?:in|up)|log ?in|"
    r"newsletter|advertisement|advert|sponsored|reklam|iklan|реклама|"
    r"read more|read next|see also|related|most (?:read|popular)|trending|"
    r"latest|comments?|print|email|whatsapp|facebook|twitter|linkedin|"
    r"pinterest|instagram|youtube|copied|caption|photo|image|credit|getty|"
    r"gallery|video|watch|click here|skip to|menu|search|back to top|"
    r"download|app store|google play|loading|paylaş|поделиться|подписаться)\b",
    re.IGNORECASE,
)
# Subscription nags are sentences too, but short ones.
_CHROME_NAG = re.compile(
    r"\b(?:subscribe (?:to|now|for|today)|sign up (?:for|to|now)|newsletters?|"
    r"activation link|already (?:a )?(?:subscriber|member)|create an account|"
    r"free trial|successfully subscribed|succesfully subscribed)\b",
    re.IGNORECASE,
)
# Legal/consent text is long and sentence-like, so it needs its own rule.
_CHROME_ANY = re.compile(
    r"\bcookies?\b|privacy (?:policy|notice|statement)|terms of (?:use|service)|"
    r"all rights reserved|©|\(c\) \d{4}|javascript|ad ?blocker|trademarks? of|"
    r"information (?:provided )?on this (?:web)?site|"
    r"this (?:site|website) uses|by (?:continuing|using) (?:to use )?(?:this|our) "
    r"(?:site|website)",
    re.IGNORECASE,
)
# A picture's credit ("Foto: dpa", "Bild: X", "Kuva: X", "Fot. X:", "© AFP"):
# a caption holds one, a headline or a paragraph of the article does not.
_PICTURE_CREDIT = re.compile(r"\b(?:(?:foto|photo|bild|image|credit|kuva)s?|fot\.)\s*:|©",
                             re.IGNORECASE)
# Possessive quantifiers: each part of a counter ("1.2k shares") takes
# characters the next cannot, so giving any back never helps a match, and a
# long line like "1.,.,.,...x" fails in one pass instead of backtracking
# through every split of its dots between [\d.,]* and \W* (quadratic).
_COUNTER = re.compile(
    r"^\W*+\d[\d.,]*+\s*+[kKmM]?+\s*+(?:shares?|comments?|views?|likes?|reads?)?+\W*+$"
)

# Comments come after the article; their header is a wall the body never
# crosses, however sentence-like the comments are.
_COMMENTS_HEADER = re.compile(
    r"^(?:\d+\s+(?:comments?|responses?|replies|reactions)\b|"
    r"(?:leave|post|add|write|join) (?:a|the) (?:comment|reply|discussion|conversation)|"
    r"comments?\s*\(\d+\)$|(?:show|view|read) (?:all )?comments|"
    r"комментари|yorumlar|şərhlər|kommentare|commentaires|comentarios)"
    # The copyright notice opens the footer.
    r"|^(?:copyright\s*)?(?:©|\(c\))\s*(?:copyright\s*)?\d{4}",
    re.IGNORECASE,
)

_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")
# A finished sentence; an ellipsis marks a truncated teaser, not an ending.
_FULL_STOP = re.compile(r"""(?<![.…])[.!?。！？]["'”’»)\]]*$""")

GOOD, NEUTRAL, BAD, WALL = 2, 1, 0, -1

# Case-sensitive twins of the chrome patterns (all lowercase), for casefolded lines.
_CHROME_SHORT_KEY = re.compile(_CHROME_SHORT.pattern)
_CHROME_NAG_KEY = re.compile(_CHROME_NAG.pattern)
# _CHROME_ANY's one word-start test (\bcookies?) is taken after the first letter
# instead ("c" with no word character before it, the same test): every
# alternative then opens with a literal, and the engine skips straight to
# the characters that may open one (three times faster over a page).
_CHROME_ANY_KEY = re.compile(_CHROME_ANY.pattern.replace(r"\bcookies?", r"c(?<!\w.)ookies?", 1))
# Line ends are matched on the last characters only: a "$"-anchored pattern
# searched from the start tries every position of a long paragraph.
_TAIL = 16


def _norm(line: str) -> str:
    """Return the comparison key of a line: trimmed, single-spaced, casefolded."""
    # str.split() splits at what "\s" matches: the same as collapsing each
    # run of whitespace to a space and stripping, without a regex call.
    return " ".join(line.split()).casefold()


def _nfc(text: str) -> str:
    """Return *text* in Unicode NFC, the form pages' metadata and search use.

    Some pages print decomposed or composition-excluded letters (Bengali
    "ড়" as one code point, "e" plus a combining accent); their NFC form
    compares equal to the same words typed elsewhere. Only what the reader
    returns is normalised: the lines it reads (and the line model's
    features) are the dump's own.

    Examples
    --------
    >>> _nfc("Cafe\u0301") == "Café"
    True
    """
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _stop_density(line: str) -> float:
    """Return the share of letter words that are function words."""
    words = letter_words(line)
    if not words:
        return 0.0
    return sum(w in _STOPWORDS for w in words) / len(words)


def _line_class(line: str, key: str, chrome: frozenset[str]) -> int:
    """Return GOOD, NEUTRAL, BAD or WALL for one non-empty line of a dump.

    The definition, one line at a time; the reader takes the same classes
    for a whole page with :func:`_page_classes`.
    """
    if _COMMENTS_HEADER.match(line):
        return WALL
    if key in chrome or _COUNTER.match(line) or not letter_words(line):
        return BAD
    words = word_count(line)
    # The chrome patterns are searched in the casefolded key: a case-blind
    # search of a long alternation is three times slower.
    if _CHROME_ANY_KEY.search(key) or (words <= 6 and _CHROME_SHORT_KEY.search(key)):
        return BAD
    if words <= 30 and _CHROME_NAG_KEY.search(key):
        return BAD
    cjk = bool(_CJK.search(line))
    terminal = bool(_TERMINAL.search(line[-_TAIL:]))
    density = 0.3 if cjk else _stop_density(line)
    if words >= 8 and density >= 0.12 and (terminal or words >= 20):
        return GOOD
    if words >= 5 and terminal and density >= 0.2:
        return GOOD
    # A full sentence, or several in one line, is prose even in a language
    # whose function words are few or not listed.
    sentences = len(_SENTENCE_END.findall(line))
    if (words >= 8 and _FULL_STOP.search(line[-_TAIL:])) or (
        words >= 15 and sentences >= 2
    ):
        return GOOD
    return NEUTRAL


def _page_classes(lines: Sequence[str], keys: Sequence[str], m: PageText,
                  chrome: frozenset[str]) -> np.ndarray:
    """Return :func:`_line_class` of every line of a page (all non-empty), page at once.

    The same tests in the same order of precedence (wall, then chrome, then
    prose, else undecided), each taken over the page's measurements *m* or
    one regex pass over its joined keys (*keys*: the lines casefolded)
    rather than a call per line.
    """
    n = len(lines)
    wall = np.fromiter((_COMMENTS_HEADER.match(line) is not None for line in lines),
                       dtype=bool, count=n)
    # A counter holds a digit: only those lines are matched.
    counter = np.zeros(n, dtype=bool)
    for k in np.flatnonzero(m.digits):
        counter[k] = _COUNTER.match(lines[k]) is not None
    words = m.words
    bad = (np.fromiter(map(chrome.__contains__, keys), dtype=bool, count=n) | counter
           | (m.letters == 0) | _lines_matching(_CHROME_ANY_KEY, keys)
           | _lines_matching(_CHROME_SHORT_KEY, keys, words <= 6)
           | _lines_matching(_CHROME_NAG_KEY, keys, words <= 30))
    density = np.where(m.cjk, 0.3, m.share_in(_STOPWORDS))
    terminal = m.terminal
    good = (((words >= 8) & (density >= 0.12) & (terminal | (words >= 20)))
            | ((words >= 5) & terminal & (density >= 0.2))
            # A full sentence, or several in one line, is prose even in a
            # language whose function words are few or not listed.
            | ((words >= 8) & m.full_stop) | ((words >= 15) & (m.sentences >= 2)))
    return np.where(wall, WALL, np.where(bad, BAD, np.where(good, GOOD, NEUTRAL)))


def _lines_matching(pattern: re.Pattern, keys: Sequence[str], among: np.ndarray | None = None
                    ) -> np.ndarray:
    """Return which of *keys* (those marked in *among*) *pattern* finds a match in.

    One search over the keys joined by newlines: the chrome patterns match
    no newline, so every match lies within one key, and each key holding a
    match gets one.
    """
    out = np.zeros(len(keys), dtype=bool)
    which = np.arange(len(keys)) if among is None else np.flatnonzero(among)
    if not len(which):
        return out
    texts = [keys[k] for k in which]
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a key of several lines: one search each
        out[which] = [pattern.search(t) is not None for t in texts]
        return out
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    found = [match.start() for match in pattern.finditer(joined)]
    if found:
        out[which[np.searchsorted(starts, found, side="right") - 1]] = True
    return out


def recurring_lines(
    pages: Iterable[str], *, min_pages: int = 3, min_share: float = 0.3
) -> frozenset[str]:
    """Return normalised lines that recur across pages of one site.

    Parameters
    ----------
    pages : iterable of str
        Raw text dumps of pages from the same site.
    min_pages, min_share : int, float
        A line is chrome when it occurs in at least ``min_pages`` pages and in
        at least ``min_share`` of all pages.

    Returns
    -------
    frozenset of str
        Keys comparable with the lines seen by :func:`parse_text_page`
        (stripped, whitespace-collapsed, casefolded).  Long prose lines are
        never returned, so a syndicated paragraph cannot become chrome.

    Examples
    --------
    >>> pages = ["Title %d\\nFollow us !\\nBody text %d." % (i, i) for i in range(4)]
    >>> sorted(recurring_lines(pages))
    ['follow us !']
    """
    counts: Counter[str] = Counter()
    n_pages = 0
    for page in pages:
        n_pages += 1
        counts.update({_norm(line) for line in page.splitlines()})
    threshold = max(min_pages, min_share * n_pages)
    return frozenset(k for k, n in counts.items() if k and n >= threshold and not _is_prose(k))


def _is_prose(line: str) -> bool:
    """Return True for a sentence-like line too long to be a menu item."""
    return word_count(line) >= 12 and _stop_density(line) >= 0.15


@line_memo


def _loose(line: str) -> str:
    """Return the words of a line only, so quote and dash variants compare equal."""
    return " ".join(_WORD.findall(line.casefold()))
