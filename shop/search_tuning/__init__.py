"""Search tuning by admins: the synonym table in versions, and what shoppers found nothing for
(decision 62)."""
