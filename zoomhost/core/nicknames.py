"""Which first names a family may type for a registered one: common nicknames and spelling variants.

Kept deliberately short. Every pairing here widens who a typed name could mean, which can only
make a match less certain, never more; pairings that are really separate names (Liam/William,
Sandra/Alexandra, Ellie/Eleanor's sisters) are left out so that a name stays recognisable.
Keys are folded names (lower case, no accents, letters only), as ``names.fold`` makes them.
"""

from __future__ import annotations

from functools import cache

# formal name -> the short forms families commonly type for it
NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "abi", "gail"),
    "alexander": ("alex", "alec", "xander", "lex"),
    "alexandra": ("alex", "lexi", "lexie"),
    "alexis": ("alex", "lexi"),
    "alfred": ("alfie", "alf"),
    "amelia": ("millie", "milly"),
    "andrew": ("andy", "drew"),
    "annabelle": ("annie", "bella"),
    "anthony": ("tony", "ant"),
    "archibald": ("archie",),
    "benjamin": ("ben", "benji", "benny"),
    "cameron": ("cam",),
    "catherine": ("kate", "katie", "cathy", "cat", "kat", "kitty"),
    "charles": ("charlie", "chaz"),
    "charlotte": ("charlie", "lottie", "lotte"),
    "christina": ("chris", "tina", "christy"),
    "christopher": ("chris", "kit"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey"),
    "dominic": ("dom",),
    "edmund": ("ed", "eddie", "ted"),
    "edward": ("ed", "eddie", "ned", "ted", "teddy"),
    "eleanor": ("ellie", "nell", "nellie", "elle"),
    "elizabeth": ("liz", "lizzie", "lizzy", "beth", "betty", "bess", "eliza", "libby"),
    "emily": ("em", "emmy"),
    "emma": ("em", "emmy"),
    "evelyn": ("evie",),
    "florence": ("flo", "florrie", "flossie"),
    "frances": ("fran", "frankie"),
    "francesca": ("fran", "frankie", "cesca"),
    "francis": ("frank", "frankie"),
    "frederick": ("fred", "freddie", "freddy"),
    "gabriel": ("gabe",),
    "gabriella": ("gabby", "gabi"),
    "george": ("georgie",),
    "georgina": ("georgie", "gina"),
    "harriet": ("hattie",),
    "henry": ("harry", "hal"),
    "imogen": ("immy",),
    "isabel": ("bella", "izzy", "issy", "izzie"),
    "isabella": ("bella", "izzy", "issy", "izzie"),
    "jacob": ("jake",),
    "jacqueline": ("jackie",),
    "james": ("jim", "jimmy", "jamie"),
    "jennifer": ("jen", "jenny"),
    "jessica": ("jess", "jessie"),
    "john": ("johnny",),
    "jonathan": ("jon", "jonny"),
    "joseph": ("joe", "joey"),
    "josephine": ("jo", "josie"),
    "joshua": ("josh",),
    "leonardo": ("leo",),
    "louis": ("lou",),
    "louise": ("lou", "lulu"),
    "margaret": ("maggie", "meg", "peggy"),
    "matilda": ("tilly", "tilda"),
    "matthew": ("matt", "matty"),
    "maxim": ("max",),
    "maximilian": ("max", "maxi"),
    "maxwell": ("max",),
    "michael": ("mike", "mikey", "mick"),
    "natalie": ("nat",),
    "natasha": ("tash", "tasha"),
    "nathan": ("nate", "nat"),
    "nathaniel": ("nate", "nat"),
    "nicholas": ("nick", "nicky", "nico"),
    "oliver": ("ollie", "olly"),
    "olivia": ("liv", "livvy", "livvie"),
    "patrick": ("pat", "paddy"),
    "penelope": ("penny",),
    "peter": ("pete",),
    "philip": ("phil", "pip"),
    "rebecca": ("becky", "becca", "bex"),
    "richard": ("rich", "richie", "rick", "ricky"),
    "robert": ("rob", "robbie", "bob", "bobby"),
    "rose": ("rosie",),
    "rosemary": ("rosie",),
    "samantha": ("sam", "sammy"),
    "samuel": ("sam", "sammy"),
    "sebastian": ("seb",),
    "stephen": ("steve", "stevie"),
    "susan": ("sue", "susie", "suzy"),
    "theodore": ("theo", "ted", "teddy"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "tori"),
    "william": ("will", "wills", "willy", "bill", "billy"),
    "zachary": ("zach", "zack", "zac"),
}

# spellings of one name that families use interchangeably; each member stands for all
SPELLING_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("mohammed", "muhammad", "mohammad", "mohamed", "muhammed", "mohamad"),
    ("catherine", "katherine", "kathryn", "katharine", "catharine"),
    ("isabel", "isabelle", "isobel"),
    ("zoe", "zoey"),
    ("aidan", "aiden", "ayden"),
    ("jayden", "jaden", "jaiden"),
    ("lily", "lilly", "lillie"),
    ("katie", "katy"),
    ("philip", "phillip"),
    ("stephen", "steven"),
    ("matthew", "mathew"),
    ("elliot", "elliott"),
)


def _variants() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for group in SPELLING_VARIANTS:
        for name in group:
            table[name] = frozenset(group)
    return table


_VARIANTS = _variants()


def variants(name: str) -> frozenset[str]:
    """The name and the other spellings of it."""
    return _VARIANTS.get(name, frozenset((name,)))


def _nicknames_by_name() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    nicknames: dict[str, set[str]] = {}
    formals: dict[str, set[str]] = {}
    for formal, shorts in NICKNAMES.items():
        expanded = {v for short in shorts for v in variants(short)}
        for spelling in variants(formal):
            nicknames.setdefault(spelling, set()).update(expanded)
        for short in expanded:
            formals.setdefault(short, set()).update(variants(formal))
    return (
        {k: frozenset(v) for k, v in nicknames.items()},
        {k: frozenset(v) for k, v in formals.items()},
    )


_NICKNAMES, _FORMALS = _nicknames_by_name()


@cache
def aliases(name: str, *, short_for: str | None = None) -> frozenset[str]:
    """Every folded first name that may be typed for ``name``.

    A formal name brings its nicknames (Thomas -> Tom, Tommy). A nickname that is someone's
    registered name on its own brings the formal names it may stand for (Sam -> Samuel, Samantha)
    and the short forms of those that sound like it (Teddy -> Ted).
    ``short_for`` is the legal first name when ``name`` is a preferred name that is already
    a nickname of it: then it means only that (Alex for Alexander never stands for Alexandra).
    """
    result = set(variants(name))
    for spelling in tuple(result):
        result |= _NICKNAMES.get(spelling, frozenset())
    if short_for is None:
        for spelling in variants(name):
            for formal in _FORMALS.get(spelling, frozenset()):
                result |= variants(formal)
                # other short forms only when they sound alike (Ted/Teddy, Kate/Katie), not Lottie/Charlie
                result |= {other for other in _NICKNAMES.get(formal, frozenset()) if _alike(other, spelling)}
    return frozenset(result)


def _alike(one: str, other: str) -> bool:
    start = min(3, len(one), len(other))
    return one[:start] == other[:start]

