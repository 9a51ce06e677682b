"""Scripted conversations for the facilitator's benchmark and tests: ten kinds of pair.

Each has the lines two people said, the topics a person reading it would name (`main`), words
that are said but are no topic (`filler`), and what someone said they would rather not talk
about (`avoid`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Script:
    name: str
    kind: str
    names: tuple[str, str]
    lines: list[tuple[str, str]]
    main: tuple[str, ...]  # topics a reader would name, as said (any of them, case-insensitive)
    filler: tuple[str, ...] = ()  # said, but never a topic
    avoid: tuple[str, ...] = ()  # said as disliked or not to be talked about
    spice: int = 2
    profiles: dict[str, dict[str, list[str]]] = field(default_factory=dict)


PATAGONIA = Script(
    "patagonia",
    "travel and hobbies (the issue's pair)",
    ("Ann", "Ben"),
    [
        ("A", "Hi Ben! I just got back from two weeks hiking in Patagonia."),
        ("B", "Patagonia! That sounds amazing. Where exactly did you go?"),
        ("A", "Torres del Paine mostly. The wind was brutal, and we were camping the whole time."),
        ("B", "I could never camp in that wind. I learn jazz piano every evening instead."),
        ("A", "Jazz piano, nice! How did you get into that?"),
        ("B", "My grandfather played Thelonious Monk records all the time when I was a kid."),
        ("A", "I love that. I only play a bit of campfire guitar myself."),
        ("B", "Campfire guitar counts! Do you hike with a dog?"),
        ("A", "No, but I'd love one. Do you have pets?"),
        ("B", "My beagle Max, but he lies down after twenty minutes of any hike."),
    ],
    main=(
        "Patagonia",
        "Torres del Paine",
        "jazz piano",
        "Thelonious Monk",
        "Max",
        "campfire guitar",
        "hiking",
    ),
    filler=("lies", "minutes", "weeks", "time", "evening"),
)

SMALL_TALK = Script(
    "small-talk",
    "small talk",
    ("Chloe", "Daniel"),
    [
        ("A", "So how was your week, Daniel?"),
        ("B", "Pretty good, busy. I finally fixed my bike after it sat in the garage for a month."),
        ("A", "Oh nice, do you cycle to work?"),
        ("B", "Most days, yes, along the canal. It's the best part of the morning."),
        ("A", "I take the tram, which is fine. I read on the way, mostly crime novels."),
        ("B", "Any favourites?"),
        ("A", "Anything by Tana French. The Likeness is my favourite."),
        ("B", "I've never read her. I'm more into podcasts, history ones mostly."),
        ("A", "Which ones?"),
        ("B", "The Rest Is History, mainly. They did a great series on the Titanic."),
    ],
    main=("bike", "canal", "crime novels", "Tana French", "podcasts", "The Rest Is History", "tram"),
    filler=("week", "days", "way", "month", "morning"),
)

CLIMBING = Script(
    "climbing",
    "a shared hobby",
    ("Emma", "Farid"),
    [
        ("A", "Your profile says you climb. Indoors or outside?"),
        ("B", "Both! I boulder at the gym twice a week and go to Fontainebleau when I can."),
        ("A", "No way, I was in Fontainebleau in April! The sandstone is so friction-y."),
        ("B", "Right? What grade do you climb?"),
        ("A", "Around 6a outside. I'm working on my footwork, it's terrible."),
        ("B", "Footwork is everything. Have you tried slab climbing? It forces you to trust your feet."),
        ("A", "Slab climbing terrifies me, honestly, but I should try it."),
        ("B", "We could go to the gym together sometime, they have a great slab wall."),
        ("A", "I'd like that. Do you climb with a regular partner?"),
        ("B", "My sister Lina, mostly. She got me into it."),
    ],
    main=("Fontainebleau", "footwork", "slab climbing", "gym", "Lina", "sandstone"),
    filler=("week", "way", "time"),
    profiles={"A": {"hobbies": ["climbing"]}, "B": {"hobbies": ["climbing", "bouldering"]}},
)

JAPAN = Script(
    "japan",
    "travel",
    ("Grace", "Hiro"),
    [
        ("A", "I spent three weeks in Japan last autumn. Kyoto was unreal."),
        ("B", "I grew up near Osaka, so Kyoto was our day trip! What did you love most?"),
        ("A", "The temples early in the morning, before the crowds. Fushimi Inari at dawn."),
        ("B", "That's the right way to do it. Did you try okonomiyaki in Osaka?"),
        ("A", "Twice! And I took a cooking class for ramen in Tokyo."),
        ("B", "Ramen from scratch is serious work. My mother makes it from pork bones."),
        ("A", "I'd love to learn that. Do you go back to Japan often?"),
        ("B", "Every New Year, to see my family. We eat soba at midnight."),
    ],
    main=("Japan", "Kyoto", "Osaka", "Fushimi Inari", "okonomiyaki", "ramen", "Tokyo", "soba"),
    filler=("weeks", "way", "day", "morning", "midnight"),
)

WORK = Script(
    "work",
    "work",
    ("Isabel", "Jamal"),
    [
        ("A", "What do you do for a living, Jamal?"),
        ("B", "I'm a nurse in the emergency department at St Thomas' Hospital."),
        ("A", "Wow, that must be intense. Night shifts?"),
        ("B", "Lots of night shifts. You learn to sleep anywhere. What about you?"),
        ("A", "I design bridges at an engineering firm. Mostly footbridges right now."),
        ("B", "Bridges! Is there one you're proud of?"),
        ("A", "A small footbridge over the river in Leeds. My first real project."),
        ("B", "I'll walk over it next time I'm in Leeds."),
        ("A", "Please do. What made you choose nursing?"),
        ("B", "My grandmother was ill for years and the nurses were the kindest people I'd met."),
    ],
    main=("emergency department", "night shifts", "bridges", "footbridge", "Leeds", "nursing", "grandmother"),
    filler=("years", "time", "living", "people"),
)

SHY = Script(
    "shy",
    "a shy pair",
    ("Kim", "Leo"),
    [
        ("A", "Hi."),
        ("B", "Hi. Um, I like your plants."),
        ("A", "Thanks. Monstera. It's a bit much."),
        ("B", "I have a cactus."),
        ("A", "Nice. Easy to keep."),
        ("B", "Yeah. I forget to water things."),
        ("A", "Same with my sourdough starter."),
        ("B", "You bake?"),
    ],
    main=("plants", "Monstera", "cactus", "sourdough starter"),
    filler=("things", "bit"),
    spice=1,
)

DISAGREE = Script(
    "disagree",
    "a pair that disagrees",
    ("Maya", "Noah"),
    [
        ("A", "Honestly I think cats are better than dogs. They're independent."),
        ("B", "No way, dogs are loyal. My labrador Biscuit waits for me at the door every day."),
        ("A", "Sure, but a cat lets you sleep in on Sunday. Mine is called Pixel."),
        ("B", "And I'm a city person, I couldn't live without the tube and the museums."),
        ("A", "I moved to the countryside in Devon last year, best decision ever."),
        ("B", "Devon is lovely for a weekend, but I'd go mad without the British Museum nearby."),
        ("A", "You'd get used to the quiet. The coast path is right outside my door."),
        ("B", "I'll give you the coast path. But I hate running, so no coastal jogs."),
        ("A", "Fine, we walk. And I can't stand crowded museums anyway."),
        ("B", "Then we disagree on almost everything, which is kind of fun."),
    ],
    main=("cats", "dogs", "Biscuit", "Pixel", "Devon", "British Museum", "coast path", "countryside"),
    filler=("day", "door", "year", "weekend", "everything"),
    avoid=("running", "crowded museums"),
)

FOOD = Script(
    "food",
    "food and cooking",
    ("Olivia", "Pablo"),
    [
        ("A", "I've been trying to make the perfect paella all summer."),
        ("B", "As someone from Valencia I have strong opinions about paella."),
        ("A", "Oh no. Is chorizo a crime?"),
        ("B", "Chorizo is a crime. Rabbit, chicken, green beans and saffron. That's it."),
        ("A", "Rabbit! I've never cooked rabbit. Where do you even buy it?"),
        ("B", "At the market on Saturdays. My father still cooks it over orange wood."),
        ("A", "Orange wood sounds magical. I mostly bake, honestly, cinnamon buns every Sunday."),
        ("B", "Cinnamon buns are my weakness. Swedish style?"),
        ("A", "Swedish style, with cardamom. My grandmother's recipe from Gothenburg."),
    ],
    main=(
        "paella",
        "Valencia",
        "chorizo",
        "rabbit",
        "saffron",
        "orange wood",
        "cinnamon buns",
        "cardamom",
        "Gothenburg",
    ),
    filler=("summer", "Saturdays", "Sunday"),
)

AVOID = Script(
    "avoid",
    "a pair with a subject to avoid",
    ("Rosa", "Sam"),
    [
        ("A", "So what brings you to HeartLink?"),
        ("B", "I'd rather not talk about my divorce, honestly. Let's say I'm starting over."),
        ("A", "Fair enough. Starting over how?"),
        ("B", "I moved to Lisbon in March and I'm learning Portuguese."),
        ("A", "Lisbon! I went there for a conference once and fell for the trams."),
        ("B", "Tram 28 is a rite of passage. Do you travel a lot for work?"),
        ("A", "For conferences, yes. I'm a marine biologist, I study octopuses."),
        ("B", "Octopuses! Are they as clever as people say?"),
        ("A", "Cleverer. One escaped its tank at our lab in Plymouth twice."),
        ("B", "That's amazing. I want to hear everything about that octopus."),
    ],
    main=(
        "Lisbon",
        "Portuguese",
        "trams",
        "Tram 28",
        "octopuses",
        "marine biologist",
        "Plymouth",
        "conference",
    ),
    filler=("March", "lot", "people", "everything"),
    avoid=("divorce",),
)

MUSIC = Script(
    "music",
    "music and films",
    ("Tara", "Umar"),
    [
        ("A", "I went to see Radiohead in Berlin this summer, it was my tenth concert of theirs."),
        ("B", "Tenth! I've only seen them once, at Glastonbury years ago."),
        ("A", "Glastonbury must have been wild. Do you play anything?"),
        ("B", "Drums, badly. I'm in a cover band with my colleagues, we do Motown songs."),
        ("A", "A Motown cover band is the best thing I've heard today."),
        ("B", "We play at the office party every December. What about films, are you a film person?"),
        ("A", "Huge film person. Spirited Away is my comfort film, I watch it every winter."),
        ("B", "Studio Ghibli is perfect. Have you seen My Neighbor Totoro?"),
        ("A", "Of course, I have a Totoro umbrella!"),
    ],
    main=(
        "Radiohead",
        "Berlin",
        "Glastonbury",
        "drums",
        "cover band",
        "Motown",
        "Spirited Away",
        "Studio Ghibli",
        "Totoro",
    ),
    filler=("summer", "years", "today", "December", "winter"),
)

SCRIPTS = [PATAGONIA, SMALL_TALK, CLIMBING, JAPAN, WORK, SHY, DISAGREE, FOOD, AVOID, MUSIC]
