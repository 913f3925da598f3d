"""What the markets pages share beyond ``infra.web.forms``.

``attempt`` shows the refusals a person can fix by changing the form (400, 409, 413, 415)
and leaves 403 and 404 to the error pages. Some markets pages have always shown every
refusal instead, as a flash or beside the form (a withdrawal of someone else's
application, a booth gone meanwhile); they pass ``shown=EVERY_REFUSAL``.
"""

from __future__ import annotations

#: Every status a domain error can carry.
EVERY_REFUSAL: frozenset[int] = frozenset(range(400, 600))
