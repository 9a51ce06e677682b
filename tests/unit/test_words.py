"""Content words: function words and short words never pass for a topic (core/words.py)."""

from heartlink_desktop.core.words import content_words, join_words, shared_interests


def test_function_words_are_not_content_words() -> None:
    said = content_words(
        "I live near the sea, next to the harbour, Bob; we went sailing last summer", ["Bob"]
    )
    assert said == ["live", "harbour", "sailing", "summer"]
    assert not {"near", "next", "last", "bob", "sea"} & set(said)  # "sea": under four letters


def test_shared_interests_and_joined_words() -> None:
    assert shared_interests(["Hiking", "jazz"], ["hiking ", "chess"]) == ["Hiking"]
    assert join_words(["a"]) == "a" and join_words(["a", "b", "c"]) == "a, b and c"
