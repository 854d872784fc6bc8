"""Intake: feeds and articles in, candidate facts out, and the moderators' decisions on them.

The flow, end to end, one module a step:

1. `feeds`: a feed is polled (`poll`, or a whole `round` on the scheduler) with its ETag and Last-Modified,
   so an unchanged feed costs one 304. Feeds are polled at most `concurrency` at a time; a feed that fails
   is backed off (twice the interval per failure in a row, at most six hours), its error kept for
   `/feed list`, and moderators are told in ALERT_CHANNEL_ID once it has failed for a day. Nothing a feed
   answers can stop the round: every failure ends as that feed's error.
2. `reading`: each item not seen before (by guid or link, from any feed, ever) has its article fetched and
   its main text and metadata extracted. An article that cannot be fetched falls back to the item's own
   summary.
3. `proposing`: an article seen before under another link (same canonical URL or same text) is recorded
   and left at that; otherwise the text's sentences that name a known actor, place or event, or the
   topic's own terms, become candidates: the fact form's fields filled in (statement, what it names, the
   day it states or the article's, the source, the feed's reliability and credibility 3), plus the stored
   fact it nearly duplicates, if any. A sentence proposed once, whatever became of it, is never proposed
   again.
4. `review`: `deliver` posts each candidate through the edge's `ReviewPoster`; a moderator approves (the
   fact is written by the `Curator`, the one write path, with the item on record), edits first, or rejects.

What moderators read (a candidate, the feed list) is drawn by `bot.render.intake`. Nothing here knows
Discord: the edge hands in a `ReviewPoster`. `bot.services` builds the four parts and wires them together.
"""
