"""Captions in English and Russian, built from a scene's parameters.

Every caption states only what the parameters say (water, mountains, snow, time of day,
season, trees, rocks, clouds), so a text-to-image model can be checked against them. Several
templates give several phrasings of the same scene. The word tables hold every phrase next to
its translation, (English, Russian), and :data:`PHRASINGS` each language's four templates; a
third language is one more column and one more set of templates. Russian needs number agreement:
``одно дерево / два дерева / пять деревьев``, and the numeral agrees in gender
(``одна ель / две ели``, ``один камень``); :func:`ru_plural` and :func:`ru_count` do that.
"""

from __future__ import annotations

from course_lib.data.landscapes.scene import SceneParams

LANGUAGES: tuple[str, ...] = ("en", "ru")

EN_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
RU_NUMBERS = {
    "m": ("ни одного", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь",
          "девять", "десять"),
    "f": ("ни одной", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь",
          "девять", "десять"),
    "n": ("ни одного", "одно", "два", "три", "четыре", "пять", "шесть", "семь", "восемь",
          "девять", "десять"),
}
#: Russian nouns: gender and the three counting forms (after 1, after 2-4, after 5-20 and 0).
RU_NOUNS = {
    "tree": ("n", ("дерево", "дерева", "деревьев")),
    "fir": ("f", ("ель", "ели", "елей")),
    "rock": ("m", ("камень", "камня", "камней")),
    "cloud": ("n", ("облако", "облака", "облаков")),
}


def ru_plural(n: int, forms: tuple[str, str, str]) -> str:
    """The Russian noun form that agrees with the number ``n``.

    ``forms`` are (after 1, after 2-4, after 5-20): 1, 21, 101 take the first; 2-4, 22-24 the
    second; 0, 5-20, 25-30, 111-114 the third.
    """
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def ru_count(n: int, noun: str) -> str:
    """``n`` things in Russian with agreeing numeral and noun: ``ru_count(2, "fir") == "две ели"``.

    Numbers 1-10 are written as words, larger ones as digits.
    """
    gender, forms = RU_NOUNS[noun]
    number = RU_NUMBERS[gender][n] if 0 < n <= 10 else str(n)
    return f"{number} {ru_plural(n, forms)}"


def en_count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` things in English: ``en_count(1, "rock") == "a rock"``, ``"two rocks"``."""
    if n == 1:
        return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
    number = EN_NUMBERS[n] if n <= 10 else str(n)
    return f"{number} {plural or noun + 's'}"


# --- Words: every phrase next to its translation, (English, Russian) -------------------------

#: The scene's subject, by ``_subject_kind``: (plain, alternative) in English, then in Russian.
SUBJECT = {
    "mountain lake": (("a lake in the mountains", "a mountain lake"),
                      ("озеро в горах", "горное озеро")),
    "mountain river": (("a river in the mountains", "a mountain river"),
                       ("река в горах", "горная река")),
    "lake": (("a lake in a valley", "a lake among meadows"),
             ("озеро в долине", "озеро среди лугов")),
    "river": (("a river in a valley", "a river among meadows"),
              ("река в долине", "река среди лугов")),
    "mountains": (("mountains above a meadow", "a mountain valley"),
                  ("горы над лугом", "горная долина")),
    "meadow": (("a meadow", "an open field"), ("луг", "поле")),
}
TIME = {"day": ("on a sunny day", "днём"), "sunset": ("at sunset", "на закате"),
        "night": ("at night", "ночью")}
SEASON = {"summer": ("in summer", "летом"), "autumn": ("in autumn", "осенью"),
          "winter": ("in winter", "зимой")}
TIME_NOUN = {"day": ("daytime", "день"), "sunset": ("sunset", "закат"), "night": ("night", "ночь")}
SEASON_NOUN = {"summer": ("summer", "лето"), "autumn": ("autumn", "осень"),
               "winter": ("winter", "зима")}
#: Time of day and season together; the Russian phrase opens its caption, so it is capitalised.
WHEN = {
    ("day", "summer"): ("on a summer day", "Летним днём"),
    ("day", "autumn"): ("on an autumn day", "Осенним днём"),
    ("day", "winter"): ("on a winter day", "Зимним днём"),
    ("sunset", "summer"): ("on a summer evening at sunset", "Летним вечером на закате"),
    ("sunset", "autumn"): ("on an autumn evening at sunset", "Осенним вечером на закате"),
    ("sunset", "winter"): ("on a winter evening at sunset", "Зимним вечером на закате"),
    ("night", "summer"): ("on a summer night", "Летней ночью"),
    ("night", "autumn"): ("on an autumn night", "Осенней ночью"),
    ("night", "winter"): ("on a winter night", "Зимней ночью"),
}
#: Where the trees stand, by ``_tree_place``.
TREE_PLACE = {"shore": ("on the shore", "на берегу"), "bank": ("on the bank", "на берегу"),
              "nearby": ("nearby", "неподалёку")}
#: The items of a listing caption ("mountains, a lake and clouds").
THING = {
    "snowy mountains": ("snowy mountains", "заснеженные горы"), "mountains": ("mountains", "горы"),
    "lake": ("a lake", "озеро"), "river": ("a river", "река"), "clouds": ("clouds", "облака"),
    "meadow": ("a meadow", "луг"),
}
AND = ("and", "и")
SNOW = (", snow-capped peaks", ", заснеженные вершины")
#: Word order differs: English names the trees first, Russian the place.
TREES_CLAUSE = (", {trees} {place}", ", {place} {trees}")
EXTRAS = (" with {}", ", рядом {}")

#: The four phrasings of a scene in each language, filled in by :func:`captions`.
PHRASINGS = {
    "en": ("{subject} {time}{trees}", "{alt_subject} {season}{snow}, {sky}",
           "{when}: {subject}{extras}", "a landscape with {listed}, {season_noun}, {time_noun}"),
    "ru": ("{subject} {time}{trees}", "{alt_subject} {season}{snow}, {sky}",
           "{when}: {subject}{extras}", "пейзаж: {listed}; {season_noun}, {time_noun}"),
}


# --- Facts of a scene that need a rule, not just a word --------------------------------------

def _subject_kind(p: SceneParams) -> str:
    """Which of the six subjects a scene has: water body and mountains, or neither."""
    mountain = "mountain " if p.has_mountains else ""
    if p.has_water:
        return mountain + ("lake" if p.has_lake else "river")
    return "mountains" if p.has_mountains else "meadow"


def _tree_place(p: SceneParams) -> str:
    """"shore" or "bank" when every tree stands by the water, else "nearby"."""
    if p.has_water and p.trees_near_water == p.n_trees:
        return "shore" if p.has_lake else "bank"
    return "nearby"


def _en_trees(p: SceneParams) -> str:
    if not p.n_trees:
        return ""
    firs = all(t.conifer for t in p.trees)
    if p.n_trees == 1:
        return "a lone fir tree" if firs else "a lone tree"
    return en_count(p.n_trees, "fir tree" if firs else "tree")


def _ru_trees(p: SceneParams) -> str:
    if not p.n_trees:
        return ""
    return ru_count(p.n_trees, "fir" if all(t.conifer for t in p.trees) else "tree")


def _en_sky(clouds: int) -> str:
    if not clouds:
        return "a clear sky"
    return "a cloud in the sky" if clouds == 1 else "clouds in the sky"


def _ru_sky(clouds: int) -> str:
    return f"в небе {ru_count(clouds, 'cloud')}" if clouds else "ясное небо"


#: Per language: (trees phrase, count of a noun, sky phrase).
RULES = {"en": (_en_trees, en_count, _en_sky), "ru": (_ru_trees, ru_count, _ru_sky)}


def _listed(p: SceneParams, extras: list[str], i: int) -> str:
    """What the scene holds, as one list: mountains, water, trees and rocks, clouds."""
    keys = []
    if p.has_mountains:
        keys.append("snowy mountains" if p.has_snow else "mountains")
    if p.has_water:
        keys.append("lake" if p.has_lake else "river")
    things = [THING[k][i] for k in keys] + extras
    if p.n_clouds:
        things.append(THING["clouds"][i])
    things = things or [THING["meadow"][i]]
    return things[0] if len(things) == 1 else ", ".join(things[:-1]) + f" {AND[i]} " + things[-1]


def captions(p: SceneParams, lang: str = "en") -> list[str]:
    """All phrasings of scene ``p`` in ``lang`` ("en" or "ru"); both state the same facts."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    i = LANGUAGES.index(lang)
    trees_phrase, count, sky = RULES[lang]
    trees = trees_phrase(p)
    extras = [x for x in (trees, count(p.n_rocks, "rock") if p.n_rocks else "") if x]
    subject = SUBJECT[_subject_kind(p)][i]
    slots = {
        "subject": subject[0], "alt_subject": subject[1],
        "time": TIME[p.time_of_day][i], "season": SEASON[p.season][i],
        "trees": TREES_CLAUSE[i].format(trees=trees, place=TREE_PLACE[_tree_place(p)][i])
        if trees else "",
        "snow": SNOW[i] if p.has_snow else "", "sky": sky(p.n_clouds),
        "when": WHEN[(p.time_of_day, p.season)][i],
        "extras": EXTRAS[i].format(f" {AND[i]} ".join(extras)) if extras else "",
        "listed": _listed(p, extras, i),
        "season_noun": SEASON_NOUN[p.season][i], "time_noun": TIME_NOUN[p.time_of_day][i],
    }
    return [phrasing.format(**slots) for phrasing in PHRASINGS[lang]]


def caption(p: SceneParams, lang: str = "en", variant: int | None = None) -> str:
    """One caption of scene ``p``; ``variant`` picks the phrasing (default: chosen by the seed)."""
    options = captions(p, lang)
    index = p.seed % len(options) if variant is None else variant % len(options)
    return options[index]
