"""Captions in English and Russian, built from a scene's parameters.

Every caption states only what the parameters say (water, mountains, snow, time of day,
season, trees, rocks, clouds), so a text-to-image model can be checked against them. Several
templates give several phrasings of the same scene. Russian needs number agreement:
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


# --- English ---------------------------------------------------------------------------------

#: The scene's subject, by ``_subject_kind``: (plain phrase, alternative phrase).
EN_SUBJECT = {
    "mountain lake": ("a lake in the mountains", "a mountain lake"),
    "mountain river": ("a river in the mountains", "a mountain river"),
    "lake": ("a lake in a valley", "a lake among meadows"),
    "river": ("a river in a valley", "a river among meadows"),
    "mountains": ("mountains above a meadow", "a mountain valley"),
    "meadow": ("a meadow", "an open field"),
}


def _subject_kind(p: SceneParams) -> str:
    """Which of the six subjects a scene has: water body and mountains, or neither."""
    mountain = "mountain " if p.has_mountains else ""
    if p.has_water:
        return mountain + ("lake" if p.has_lake else "river")
    return "mountains" if p.has_mountains else "meadow"


def _en_subject(p: SceneParams, alt: bool) -> str:
    return EN_SUBJECT[_subject_kind(p)][alt]


def _en_trees(p: SceneParams) -> str:
    if not p.n_trees:
        return ""
    firs = all(t.conifer for t in p.trees)
    if p.n_trees == 1:
        return "a lone fir tree" if firs else "a lone tree"
    return en_count(p.n_trees, "fir tree" if firs else "tree")


def _en_tree_place(p: SceneParams) -> str:
    if p.has_water and p.trees_near_water == p.n_trees:
        return "on the shore" if p.has_lake else "on the bank"
    return "nearby"


def _listed(p: SceneParams, trees: str, rocks: str, words: tuple[str, ...], and_: str) -> str:
    """What the scene holds, as one list ("mountains, a lake and clouds"); ``words`` are the
    language's names for (snowy mountains, mountains, lake, river, clouds, meadow)."""
    snowy, mountains, lake, river, clouds, meadow = words
    things = []
    if p.has_mountains:
        things.append(snowy if p.has_snow else mountains)
    if p.has_water:
        things.append(lake if p.has_lake else river)
    things += [x for x in (trees, rocks) if x]
    if p.n_clouds:
        things.append(clouds)
    things = things or [meadow]
    return things[0] if len(things) == 1 else ", ".join(things[:-1]) + f" {and_} " + things[-1]


EN_THINGS = ("snowy mountains", "mountains", "a lake", "a river", "clouds", "a meadow")
EN_TIME = {"day": "on a sunny day", "sunset": "at sunset", "night": "at night"}
EN_SEASON = {"summer": "in summer", "autumn": "in autumn", "winter": "in winter"}
EN_TIME_NOUN = {"day": "daytime", "sunset": "sunset", "night": "night"}
EN_TIME_SEASON = {"day": "on a {s} day", "sunset": "on a {s} evening at sunset",
                  "night": "on a {s} night"}


def captions_en(p: SceneParams) -> list[str]:
    """Four English phrasings of scene ``p``."""
    trees, rocks = _en_trees(p), en_count(p.n_rocks, "rock") if p.n_rocks else ""
    sky = "a clear sky" if not p.n_clouds else ("a cloud in the sky" if p.n_clouds == 1 else
                                                "clouds in the sky")
    out = [f"{_en_subject(p, False)} {EN_TIME[p.time_of_day]}"
           + (f", {trees} {_en_tree_place(p)}" if trees else "")]
    snow = ", snow-capped peaks" if p.has_snow else ""
    out.append(f"{_en_subject(p, True)} {EN_SEASON[p.season]}{snow}, {sky}")
    extras = [x for x in (trees, rocks) if x]
    with_part = f" with {' and '.join(extras)}" if extras else ""
    when = EN_TIME_SEASON[p.time_of_day].format(s=p.season).replace("a autumn", "an autumn")
    out.append(f"{when}: {_en_subject(p, False)}{with_part}")
    listed = _listed(p, trees, rocks, EN_THINGS, "and")
    out.append(f"a landscape with {listed}, {p.season}, {EN_TIME_NOUN[p.time_of_day]}")
    return out


# --- Russian ---------------------------------------------------------------------------------

RU_SUBJECT = {
    "mountain lake": ("озеро в горах", "горное озеро"),
    "mountain river": ("река в горах", "горная река"),
    "lake": ("озеро в долине", "озеро среди лугов"),
    "river": ("река в долине", "река среди лугов"),
    "mountains": ("горы над лугом", "горная долина"),
    "meadow": ("луг", "поле"),
}


def _ru_subject(p: SceneParams, alt: bool) -> str:
    return RU_SUBJECT[_subject_kind(p)][alt]


def _ru_trees(p: SceneParams) -> str:
    if not p.n_trees:
        return ""
    return ru_count(p.n_trees, "fir" if all(t.conifer for t in p.trees) else "tree")


def _ru_tree_place(p: SceneParams) -> str:
    if p.has_water and p.trees_near_water == p.n_trees:
        return "на берегу"
    return "неподалёку"


RU_THINGS = ("заснеженные горы", "горы", "озеро", "река", "облака", "луг")
RU_TIME = {"day": "днём", "sunset": "на закате", "night": "ночью"}
RU_SEASON = {"summer": "летом", "autumn": "осенью", "winter": "зимой"}
RU_TIME_SEASON = {
    ("day", "summer"): "летним днём", ("day", "autumn"): "осенним днём",
    ("day", "winter"): "зимним днём", ("sunset", "summer"): "летним вечером на закате",
    ("sunset", "autumn"): "осенним вечером на закате",
    ("sunset", "winter"): "зимним вечером на закате", ("night", "summer"): "летней ночью",
    ("night", "autumn"): "осенней ночью", ("night", "winter"): "зимней ночью",
}
RU_SEASON_NOUN = {"summer": "лето", "autumn": "осень", "winter": "зима"}
RU_TIME_NOUN = {"day": "день", "sunset": "закат", "night": "ночь"}


def captions_ru(p: SceneParams) -> list[str]:
    """Four Russian phrasings of scene ``p`` (the same facts as :func:`captions_en`)."""
    trees = _ru_trees(p)
    rocks = ru_count(p.n_rocks, "rock") if p.n_rocks else ""
    sky = "ясное небо" if not p.n_clouds else f"в небе {ru_count(p.n_clouds, 'cloud')}"
    out = [f"{_ru_subject(p, False)} {RU_TIME[p.time_of_day]}"
           + (f", {_ru_tree_place(p)} {trees}" if trees else "")]
    snow = ", заснеженные вершины" if p.has_snow else ""
    out.append(f"{_ru_subject(p, True)} {RU_SEASON[p.season]}{snow}, {sky}")
    extras = [x for x in (trees, rocks) if x]
    near = f", рядом {' и '.join(extras)}" if extras else ""
    when = RU_TIME_SEASON[(p.time_of_day, p.season)]
    out.append(f"{when[0].upper()}{when[1:]}: {_ru_subject(p, False)}{near}")
    listed = _listed(p, trees, rocks, RU_THINGS, "и")
    out.append(f"пейзаж: {listed}; {RU_SEASON_NOUN[p.season]}, {RU_TIME_NOUN[p.time_of_day]}")
    return out


def captions(p: SceneParams, lang: str = "en") -> list[str]:
    """All phrasings of scene ``p`` in ``lang`` ("en" or "ru")."""
    if lang == "en":
        return captions_en(p)
    if lang == "ru":
        return captions_ru(p)
    raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")


def caption(p: SceneParams, lang: str = "en", variant: int | None = None) -> str:
    """One caption of scene ``p``; ``variant`` picks the phrasing (default: chosen by the seed)."""
    options = captions(p, lang)
    index = p.seed % len(options) if variant is None else variant % len(options)
    return options[index]
