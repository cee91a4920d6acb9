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
