"""Scheduled digests: subscriptions, schedules, composing, exactly-once delivery and the scheduler."""
