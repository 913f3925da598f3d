"""Analytics: what sold, where and when, built only from events.

``activity`` counts every event per Seoul day. ``facts`` turns sale, refund, booth-report and
institutional-order events into sales facts (one row per fact, the history once the outbox is
purged) and adds each newly inserted fact to the summary tables of ``rollups`` in the same
transaction. The domain imports nothing from ``markets``: booth reports arrive as event
payloads.
"""
