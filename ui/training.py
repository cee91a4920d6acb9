"""The training panel: ask the job engine for (topic, params) and show whatever state it is in.

A page calls `trained_entry(...)` with the form's values. The answer is the cached entry (show
results), or None while the setting is untrained, queued, running, failed or cancelled, in which
case this panel has already said so on the page. Live progress is drawn by a fragment that reruns
twice a second and reads plain data from the engine; the page script itself never trains.
"""

from __future__ import annotations

import uuid
from typing import Callable

import streamlit as st

from dl_core.engine.cache import Entry
from dl_core.engine.jobs import get_manager
from dl_core.engine.runner import Resolved, lookup, resolve
from dl_core.engine.status import JobStatus
from ui.errors import scrub_paths, show_details
from ui.text import inert

REFRESH_S = 0.5
WAIT_POLL_S = 2.0  # how soon an idle page notices another learner's training of its setting


def trained_entry(page: str, topic: str, params: dict, start: bool,
                  live: Callable[[JobStatus], None] | None = None,
                  data: str | None = None, seed: int = 0, train_label: str = "Train") -> Entry | None:
    """`data`: a path to the learner's own data (see dl_core.uploads), for topics that take it.
    `train_label`: the page's Train button, as the messages name it."""
    button = f"**{train_label}**"
    manager = get_manager()
    try:
        resolved = resolve(topic, params, seed, data)
    except ValueError as err:
        st.error(f"This setting cannot be trained: {inert(err)}")
        return None
    entry = lookup(resolved, manager.cache)
    if entry is not None:
        return entry
    if manager.cache.damaged.pop(resolved.key, None) is not None:
        st.warning("The saved model for this setting was damaged; training it again.")
        start = True
    if start:  # not cached (just looked): queue it, or join the job already training it
        st.session_state.pop(f"{page}_detached", None)
        st.session_state[f"{page}_job"] = manager.submit(resolved, watcher=_me())
    status = _job_for(page, resolved)
    if status is None:
        st.info(f"This setting has not been trained yet. Press {button} to train it; "
                "everyone who asks for the same setting afterwards gets it at once.")
        _wait_for_others(resolved.topic, resolved.key, None)
        return None
    if status.state == "done":
        return status.entry
    if status.state == "failed":
        st.error(f"Training failed: {inert(scrub_paths(status.error or ''))}")
        if status.details:
            show_details(status.details)
        return None
    if status.state == "cancelled":
        st.info(f"Training was cancelled; nothing was cached. Press {button} to start again.")
        return None
    if st.session_state.get(f"{page}_detached") == status.job_id:
        st.info("You stopped watching this training; it goes on for the other learners watching "
                f"it, and its result appears here when it is ready. Press {button} to watch again.")
        _wait_for_others(resolved.topic, resolved.key, status.job_id)
        return None
    _live_panel(page, status.job_id, live)
    return None


def queue_runs(page: str, requests: dict[str, tuple[str, dict, str | None]]) -> None:
    """Queue extra settings a page compares against ({label: (topic, params, data)}); the page
    then shows them with `follow_runs` until each has finished."""
    manager, queued = get_manager(), st.session_state.setdefault(f"{page}_queued_runs", {})
    for label, (topic, params, data) in requests.items():
        queued[label] = manager.submit(resolve(topic, params, 0, data), watcher=_me())


def compared_entries(key: str, topic: str, settings: dict[str, dict], button: str,
                     data: str | None = None) -> dict[str, Entry | None]:
    """The cached entry of each setting ({label: params}) a page draws side by side; while some
    are missing, a button queues them and their progress is shown until each is done."""
    entries = {label: cached_entry(topic, params, data) for label, params in settings.items()}
    missing = [label for label, entry in entries.items() if entry is None]
    if missing:
        if st.button(button, key=f"{key}_run", type="primary"):
            queue_runs(key, {label: (topic, settings[label], data) for label in missing})
        follow_runs(key, missing)
    return entries


def follow_runs(page: str, labels: list[str]) -> None:
    """Progress of the page's queued extra runs among `labels` (those still missing), redrawn live;
    the whole page reruns as soon as one finishes, so its result appears without a reload."""
    queued = st.session_state.get(f"{page}_queued_runs", {})
    jobs = {label: queued[label] for label in labels if label in queued}
    if jobs:
        _follow(jobs)


@st.fragment(run_every=REFRESH_S * 2)
def _follow(jobs: dict[str, str]) -> None:
    manager = get_manager()
    for label, job_id in jobs.items():
        try:
            status = manager.status(job_id, watcher=_me())
        except KeyError:
            continue
        if not status.active:
            st.rerun()  # a result (or a failure) to show: the page draws it
            return
        st.progress(status.fraction if status.state == "running" else 0.0,
                    text=f"{label}: {progress_line_text(status)}")


def _me() -> str:
    """This learner's page, as the job engine counts who is watching a job."""
    return st.session_state.setdefault("dl_lab_watcher", uuid.uuid4().hex)


@st.fragment(run_every=WAIT_POLL_S)
def _wait_for_others(topic: str, key: str, watched_job: str | None) -> None:
    """While this page shows no training: redraw it as soon as another learner starts one for
    the same setting, or its result arrives, so nobody has to reload to see it."""
    manager = get_manager()
    active = manager.find_active(key)
    if manager.cache.entry_dir(topic, key).exists() or (active is not None and active != watched_job):
        st.rerun()


def _job_for(page: str, resolved: Resolved) -> JobStatus | None:
    """This session's job for these params, or a job another session runs for the same key."""
    manager = get_manager()
    candidates = [st.session_state.get(f"{page}_job"), manager.find_active(resolved.key)]
    for job_id in candidates:
        if job_id is None:
            continue
        try:
            status = manager.status(job_id)  # watching is counted by the live panel's polls
        except KeyError:
            continue
        if status.key == resolved.key:
            return status
    return None


@st.fragment(run_every=REFRESH_S)
def _live_panel(page: str, job_id: str, live: Callable[[JobStatus], None] | None) -> None:
    manager = get_manager()
    try:
        status = manager.status(job_id, watcher=_me())
    except KeyError:
        st.rerun()
        return
    if not status.active:
        st.rerun()  # the whole page redraws: results, or the failure message
        return
    progress_line(status)
    if status.watchers > 1:
        st.caption(f"{status.watchers} learners are watching this training. Cancel stops it only "
                   "for you while others still watch.")
    if st.button("Cancel training", key=f"{page}_cancel", disabled=status.state == "cancelling"):
        if not manager.cancel(job_id, watcher=_me()):
            st.session_state[f"{page}_detached"] = job_id
            st.rerun()
    if live is not None and status.state != "queued":
        live(status)


def progress_line(status: JobStatus) -> None:
    started = status.state == "running" and (status.stage is not None or status.epoch > 0
                                             or status.stage_detail is not None)
    st.progress(status.fraction if started or status.state == "cancelling" else 0.0,
                text=progress_line_text(status))
    if started and len(status.stages) > 1 and status.stage is not None:
        st.caption(stage_checklist(status))
    if started and status.note:
        st.caption(f"Now: {status.note}")


def progress_line_text(status: JobStatus) -> str:
    """What the progress bar says: the queue, the stage and the whole job's share, the epoch."""
    if status.state == "queued":
        return (f"Queued: position {status.queue_position} — another training is using the "
                "machine; this one starts when it finishes.")
    if status.state == "cancelling":
        return "Cancelling…"
    detail = status.stage_detail or (progress_text(status) if status.epoch else None)
    if status.stage is None and detail is None:
        return f"Starting: {status.note or 'loading the data and building the model'}…"
    return " — ".join(filter(None, [stage_heading(status), detail]))


def stage_heading(status: JobStatus) -> str | None:
    """"Step 2 of 3 · 41% of the whole job: training the head", or None without stages."""
    if status.stage is None:
        return None
    return (f"Step {status.stage_index + 1} of {len(status.stages)} · {status.fraction:.0%} of the "
            f"whole job: {status.stage}")


def stage_checklist(status: JobStatus) -> str:
    """Every part of the job in one line: done ones ticked, the current one in bold."""
    marks = []
    for index, title in enumerate(status.stages):
        if index < status.stage_index:
            marks.append(f"✓ {title}")
        elif index == status.stage_index:
            marks.append(f"**▶ {title}**")
        else:
            marks.append(title)
    return " → ".join(marks)


def progress_text(status: JobStatus) -> str:
    """"Epoch 3/10 · batch 5/47 · loss 0.0123", in the training's own units and with every loss
    it reports (a GAN has two)."""
    losses = [f"{name} {value:.4f}" for name, value in status.logs.items() if name.endswith("loss")]
    return " · ".join([f"{status.unit.capitalize()} {status.epoch}/{status.epochs}",
                       f"{status.step_unit} {status.batch}/{status.batches}", *losses[:3]])


def cached_entry(topic: str, params: dict, data: str | None = None, seed: int = 0) -> Entry | None:
    """The cached entry for a setting, or None, without any panel (for side-by-side comparisons)."""
    try:
        return lookup(resolve(topic, params, seed, data), get_manager().cache)
    except ValueError:
        return None
