"""The page's vocabulary module says what the core's says."""

import json
import shutil
import subprocess
from pathlib import Path

from heartlink_desktop.core import vocab

WEB = Path(__file__).resolve().parents[2] / "resources" / "web"


def test_the_page_module_matches_the_core() -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed (scripts/test installs it with npm)"
    script = (
        f"import({json.dumps((WEB / 'vocab.js').as_uri())}).then((m) => console.log(JSON.stringify({{"
        "ROLES: m.ROLES, FACILITATOR: m.FACILITATOR, PHASE_LABELS: m.PHASE_LABELS,"
        "SPICE_NAMES: m.SPICE_NAMES, END_REASONS: m.END_REASONS,"
        "PAGE_SUMMARY_WAIT_MS: m.PAGE_SUMMARY_WAIT_MS, PHASES: m.PHASES, FIRST_TALKING_PHASE: m.FIRST_TALKING_PHASE,"
        "STATUS: m.STATUS, DEFAULT_SPICE: m.DEFAULT_SPICE, PHASE: m.PHASE, EVENING: m.EVENING, YOU: m.YOU,"
        "GENDERS: m.GENDERS, MEET_VALUES: m.MEET_VALUES,"
        "WAIT_REASONS: m.WAIT_REASONS, REPORT_REASONS: m.REPORT_REASONS, REPORT_NOTE_MAX: m.REPORT_NOTE_MAX,"
        "REMOVED: m.REMOVED})))"
    )
    out = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, check=True, timeout=30
    )
    assert json.loads(out.stdout) == vocab.for_page()


def test_dependent_timeouts_are_ordered() -> None:
    assert vocab.LLM_SUMMARY_BUDGET < vocab.SUMMARY_TIMEOUT < vocab.PAGE_SUMMARY_WAIT
    assert vocab.SUMMARY_TIMEOUT == 20 and vocab.PAGE_SUMMARY_WAIT == 25


def test_phases_are_in_order_with_labels() -> None:
    assert vocab.PHASES == ("waiting", "icebreaker", "deep_dive", "decision")
    assert vocab.phase_label("deep_dive") == "Deep dive"
    assert vocab.end_reason_text("round_over") == "the round's time was up"


def test_the_evening_tells_each_person_one_of_the_known_words() -> None:
    assert set(vocab.YOU_VALUES) >= {"talking", "break", "waiting", "left", *vocab.EVENING_STATES}
    assert vocab.EVENING_STATES == ("lobby", "round", "break", "ended")


def test_every_gender_has_the_meet_value_that_covers_it() -> None:
    assert set(vocab.MEET_OF_GENDER) == set(vocab.GENDERS)
    assert set(vocab.MEET_OF_GENDER.values()) | {vocab.MEET_EVERYONE} == set(vocab.MEET_VALUES)
    assert vocab.DEFAULT_MEET_MODE in vocab.MEET_MODES
