"""The training panel's words: the training's own units, every loss it reports."""

from dl_core.engine.status import JobStatus
from ui.training import progress_text


def running(**fields) -> JobStatus:
    return JobStatus("job-1", "t", "k", {}, "running", epoch=3, epochs=10, batch=5, batches=47, **fields)


def test_progress_names_the_losses_of_a_two_player_game():
    text = progress_text(running(logs={"d_loss": 0.693, "g_loss": 0.712, "d_real": 0.5}))
    assert text == "Epoch 3/10 · batch 5/47 · d_loss 0.6930 · g_loss 0.7120"


def test_progress_uses_the_trainings_own_units():
    text = progress_text(running(logs={"loss": 0.01}, unit="snapshot", step_unit="generator step"))
    assert text == "Snapshot 3/10 · generator step 5/47 · loss 0.0100"


def extra_runs_page():
    """A page that compares against two extra settings of the fake topic, queued on demand."""
    import streamlit as st

    from ui.training import cached_entry, follow_runs, queue_runs

    settings = {"run a": {"tag": "extra-a", "epochs": 1}, "run b": {"tag": "extra-b", "epochs": 1}}
    missing = [label for label, params in settings.items() if cached_entry("fake", params) is None]
    st.write(f"trained: {len(settings) - len(missing)}")
    if missing and st.button("Train the others too"):
        queue_runs("extra", {label: ("fake", settings[label], None) for label in missing})
    follow_runs("extra", missing)


def test_queued_extra_runs_show_progress_and_then_their_results():
    from streamlit.testing.v1 import AppTest

    from dl_core.engine.jobs import get_manager

    at = AppTest.from_function(extra_runs_page, default_timeout=60).run()
    assert at.markdown[0].value == "trained: 0" and not at.get("progress")
    at.button[0].click().run()
    assert not at.exception
    texts = [bar.proto.text for bar in at.get("progress")]
    assert len(texts) == 2 and texts[0].startswith("run a: ") and texts[1].startswith("run b: ")
    for job_id in at.session_state["extra_queued_runs"].values():
        assert get_manager().wait(job_id, timeout=120).state == "done"
    at.run()
    assert at.markdown[0].value == "trained: 2" and not at.get("progress") and not at.button
