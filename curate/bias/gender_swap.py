"""Swap the gender of a text (counterfactual data augmentation, Lu et al. 2018; Zhao et al.
2018): pronouns, gendered nouns and titles, and first names (data/names, US Census 1990, paired
by frequency rank). "her" is "his" before a noun and "him" elsewhere; "his" is "her" before a
noun and "hers" elsewhere, decided from the next word, which is right for the common cases."""

from __future__ import annotations

import functools
import json
import re

from seedling.resources import data_path

# female, male: singular and plural pairs; each maps both ways.
PAIRS = [
    ("she", "he"), ("herself", "himself"), ("woman", "man"), ("women", "men"), ("girl", "boy"), ("girls", "boys"),
    ("lady", "gentleman"), ("ladies", "gentlemen"), ("gal", "guy"), ("gals", "guys"), ("sista", "bro"),
    ("sistas", "bros"), ("mother", "father"), ("mothers", "fathers"), ("mom", "dad"), ("moms", "dads"),
    ("mum", "dad"), ("mommy", "daddy"), ("daughter", "son"), ("daughters", "sons"), ("wife", "husband"),
    ("wives", "husbands"), ("sister", "brother"), ("sisters", "brothers"), ("grandmother", "grandfather"),
    ("grandmothers", "grandfathers"), ("grandma", "grandpa"), ("grandmas", "grandpas"),
    ("granddaughter", "grandson"), ("granddaughters", "grandsons"), ("aunt", "uncle"), ("aunts", "uncles"),
    ("niece", "nephew"), ("nieces", "nephews"), ("queen", "king"), ("queens", "kings"), ("princess", "prince"),
    ("princesses", "princes"), ("girlfriend", "boyfriend"), ("girlfriends", "boyfriends"), ("bride", "groom"),
    ("brides", "grooms"), ("actress", "actor"), ("actresses", "actors"), ("waitress", "waiter"),
    ("waitresses", "waiters"), ("heroine", "hero"), ("heroines", "heroes"), ("female", "male"),
    ("females", "males"), ("feminine", "masculine"), ("madam", "sir"), ("ms", "mr"), ("stepmother", "stepfather"),
    ("stepdaughter", "stepson"), ("godmother", "godfather"), ("nun", "monk"), ("nuns", "monks"),
    ("duchess", "duke"), ("empress", "emperor"), ("businesswoman", "businessman"),
    ("businesswomen", "businessmen"), ("chairwoman", "chairman"), ("spokeswoman", "spokesman"),
    ("policewoman", "policeman"), ("policewomen", "policemen"), ("sisterhood", "brotherhood"),
    ("motherhood", "fatherhood"), ("maternal", "paternal"),
]
ONE_WAY = {"mrs": "mr", "hers": "his", "him": "her"}
# After these, "her" is an object ("gave her a book") and "his" stands alone ("the book is his and ...").
NOT_A_NOUN = frozenset(
    "a an the this that these those to and or but nor for with without in on at by from of about into onto over "
    "under up down out off back again away as than then when while if because so very too just also only even "
    "still here there now today tomorrow yesterday is was are were be been will would can could should may might "
    "must do does did not how what why where who whom which".split())
_LY_NOUNS = frozenset("family supply assembly belly ally rally reply monopoly jelly bully fly lily italy".split())
_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


@functools.lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """Lower-case word -> its swap, names included (matched only when capitalised)."""
    out = dict(ONE_WAY)
    for f, m in PAIRS:
        out.setdefault(f, m)
        out.setdefault(m, f)
    return out


@functools.lru_cache(maxsize=1)
def names() -> dict[str, str]:
    pairs = json.loads(data_path("names", "first_names.json").read_text(encoding="utf-8"))["pairs_female_male"]
    return {**{f: m for f, m in pairs}, **{m: f for f, m in pairs}}


def _case(like: str, word: str) -> str:
    if len(like) > 1 and like.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _before_noun(next_word: str | None) -> bool:
    if next_word is None or not next_word[:1].isalpha():
        return False
    w = next_word.lower()
    return w not in NOT_A_NOUN and not (w.endswith("ly") and w not in _LY_NOUNS)


def swap(text: str) -> tuple[str, int]:
    """The gender-swapped text and how many words changed."""
    tokens = _TOKEN.findall(text)
    words_at = [i for i, t in enumerate(tokens) if t[:1].isalnum() or t[:1] == "_"]
    nxt = {i: (tokens[words_at[k + 1]] if k + 1 < len(words_at) and
               all(tokens[j].isspace() for j in range(i + 1, words_at[k + 1])) else None)
           for k, i in enumerate(words_at)}
    swaps, people = table(), names()
    changed = 0
    for i in words_at:
        tok = tokens[i]
        low = tok.lower()
        if low == "her":
            new = "his" if _before_noun(nxt[i]) else "him"
        elif low == "his":
            new = "her" if _before_noun(nxt[i]) else "hers"
        elif low in swaps:
            new = swaps[low]
        elif tok in people:
            tokens[i] = people[tok]
            changed += 1
            continue
        else:
            continue
        tokens[i] = _case(tok, new)
        changed += 1
    return "".join(tokens), changed
