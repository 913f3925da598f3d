"""Analytics: what sold, where and when, built only from events.

``activity`` counts every event per Seoul day. ``facts`` turns sale, refund, booth-report and
institutional-order events into sales facts (one row per fact, the history once the outbox is
purged) and adds each newly inserted fact to the summary tables of ``rollups`` in the same
transaction; ``market_days`` does the same for check-ins and held days. ``vendor_report``,
``market_report``, ``platform_report`` and ``public_body`` read the summaries for the
dashboards (each section a ``tables.Table``: page, JSON and download alike). The domain imports
nothing from ``markets``: booth reports and market days arrive as event payloads.
"""
