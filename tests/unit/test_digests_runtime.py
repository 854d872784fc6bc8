"""The scheduler: jobs mirror the store, and APScheduler driven by a hand-moved clock fires on local time."""

from __future__ import annotations

import pytest

from bot.digests import runtime as runtime_module
from bot.digests.runtime import JOB_FUNCTION, DigestRuntime, job_id, run_job
from bot.digests.schedules import WallClockCronTrigger
from tests.unit.digest_doubles import CHANNEL, GUILD, MOD, at, drive_apscheduler, fire_due, open_rig


@pytest.fixture
async def rig():
    opened = await open_rig(at("2024-03-29 12:00"))
    yield opened
    await opened.store.close()


@pytest.fixture
def scheduler_clock(rig, monkeypatch):
    drive_apscheduler(monkeypatch, rig.clock)
    return rig.clock


@pytest.fixture
async def running(rig, scheduler_clock):
    runtime = DigestRuntime(rig.deliveries)
    await runtime.start()
    await runtime.catch_up
    yield runtime
    await runtime.stop()


async def test_jobs_name_their_function_by_text_and_hold_only_an_id(rig, running):
    sub = await rig.subscribe("daily 09:00", "Europe/London")
    [job] = running.digest_jobs()
    assert (job.id, job.func_ref, job.args) == (job_id(sub), JOB_FUNCTION, (sub,))
    assert isinstance(job.trigger, WallClockCronTrigger)
    assert str(job.trigger.timezone) == "Europe/London"
    assert (
        job.next_run_time
        == rig.service.schedule_of(await rig.service.digests.subscription(sub)).next_runs(rig.clock.now, 1)[0]
    )


async def test_jobs_follow_every_change_to_a_subscription(rig, running):
    sub = await rig.subscribe("daily 09:00")

    def ids():
        return [j.id for j in running.digest_jobs()]

    assert ids() == [job_id(sub)]
    await rig.service.pause(sub, GUILD, MOD)
    assert ids() == []
    await rig.service.resume(sub, GUILD)
    assert ids() == [job_id(sub)]
    rig.poster.gone.add(CHANNEL)
    await rig.deliveries.send_now(sub, GUILD)
    assert ids() == []
    await rig.service.remove(sub, GUILD)
    assert ids() == []


async def test_jobs_are_rebuilt_from_the_store_at_start(rig, scheduler_clock):
    active = await rig.subscribe("daily 09:00")
    paused = await rig.subscribe("weekly mon 09:00", channel=CHANNEL + 1)
    await rig.service.pause(paused, GUILD, MOD)
    runtime = DigestRuntime(rig.restart().deliveries)
    await runtime.start()
    try:
        assert [j.id for j in runtime.digest_jobs()] == [job_id(active)]
    finally:
        await runtime.stop()


async def test_the_scheduler_fires_at_local_time_across_a_dst_change(rig, running):
    sub = await rig.subscribe("daily 09:00", "Europe/London")
    job = running.scheduler.get_job(job_id(sub))
    fired = []
    for moment in ["2024-03-30 08:59:59", "2024-03-30 09:00", "2024-03-31 08:00", "2024-03-31 09:00"]:
        rig.clock.now = at(moment)
        if await fire_due(running):
            fired.append(moment)
    # 09:00 GMT on Saturday, then 09:00 BST (08:00 UTC) on Sunday, when the clocks went forward.
    assert fired == ["2024-03-30 09:00", "2024-03-31 08:00"]
    assert len(rig.poster.in_channel(CHANNEL)) == 2
    assert job.id == job_id(sub)
    assert running.scheduler.get_job(job_id(sub)).next_run_time == at("2024-04-01 08:00")


async def test_start_posts_one_catch_up_for_a_run_missed_while_down(rig, scheduler_clock):
    sub = await rig.subscribe("daily 09:00")
    rig.clock.now = at("2024-03-30 09:00")
    await rig.deliveries.run_due(sub)
    rig.clock.now = at("2024-04-02 09:30")
    runtime = DigestRuntime(rig.restart().deliveries)
    await runtime.start()
    try:
        outcomes = await runtime.catch_up
        assert [(o.status, o.late) for o in outcomes] == [("sent", True)]
        assert await fire_due(runtime) == []
        assert len(rig.poster.posted) == 2
    finally:
        await runtime.stop()


async def test_stopping_lets_go_of_the_registry_and_a_stray_job_does_nothing(rig, running, caplog):
    await running.stop()
    assert running.sync not in rig.service.listeners
    assert runtime_module._running is None
    await run_job(1)
    assert "no digest runtime running" in caplog.text
