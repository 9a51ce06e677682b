"""Topic words: function words never pass for a topic."""

from heartlink_desktop.core.words import topic_words


def test_function_words_are_not_topics() -> None:
    lines = [
        "I live near the sea, next to the harbour",
        "Near the harbour there is sailing",
        "We went sailing near the old lighthouse last summer",
    ]
    topics = topic_words(lines)
    assert topics[:2] == ["sailing", "harbour"]
    assert not {"near", "next", "last"} & set(topics)
