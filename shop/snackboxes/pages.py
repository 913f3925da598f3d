"""Snack-box pages: the public catalogue with its order form, and the organizers' console.

``/snack-boxes/{id}`` shows the sizes (set price, price per person, components and their
vendors) and the open delivery dates; choosing size, boxes and date leads to the order form
(``/snack-boxes/{id}/order``: address and e-mail), which places the checkout like the cart's
order form does and sends the shopper to the payment page. ``/organizer/snack-boxes`` composes
boxes from approved vendors' variants and opens slots. Every refused field comes back with
what was typed and the message beside it; no JavaScript needed.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import requires_role
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, MultipartData, SignedIn, Viewer
from shop.checkout import services as checkouts
from shop.checkout.address import clean_address
from shop.snackboxes import ordering, rules, services
from shop.snackboxes.models import SnackBox
from shop.snackboxes.schemas import card_url, image_url

ADDRESS_FIELDS = ("recipient", "phone", "postal_code", "road_address", "detail_address",
                  "delivery_note")
ORDER_FIELDS = ("size_id", "quantity", "slot_id")
SIZE_ROWS = 3
COMPONENT_ROWS = 6
DEFAULT_HEADCOUNTS = (10, 20, 50)
_SIZE_KEY = re.compile(r"^sizes\[(\d+)\]\.")
_COMPONENT_KEY = re.compile(r"^sizes\[(\d+)\]\.components\[(\d+)\]\.")


#: What the order form shows beside its fields (an unknown size or slot too); the console
#: shows 400 and 409 and leaves the rest to the error pages.
ORDER_REFUSALS = frozenset({400, 404, 409})
CONSOLE_REFUSALS = frozenset({400, 409})


def _messages(refused: Refusal) -> dict[str, str]:
    """``{field: message}`` of a refusal; one about no field in particular is keyed ``form``."""
    return {("form" if k == "_form" else k): v for k, v in refused.errors.items()}


def _int(raw: str | None) -> int | str:
    """A typed number as an int when it is one (the rules refuse the rest by field)."""
    text = (raw or "").strip().replace(",", "")
    return int(text) if text.isascii() and text.isdigit() else text


# -- public catalogue ---------------------------------------------------------------------


async def _box_page(
    session: AsyncSession,
    viewer: User | None,
    box: SnackBox,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    today = rules.local_today()
    sizes = await services.size_views(session, box)
    slots = await services.slot_views(session, box, today=today)
    return Template("snackboxes/box.html", context={
        "box": box, "image_url": image_url(box), "sizes": sizes, "slots": slots,
        "earliest": rules.date_label(rules.earliest_delivery(today, box.lead_days)),
        "form": form or {}, "errors": errors or {}, "is_organizer": services.is_organizer(viewer),
        "assembler": await services.assembler_name(session, box),
    }, status_code=status_code)


def _order_errors(refused: Refusal) -> dict[str, str]:
    """Errors of ``snack_boxes[0].<field>`` keyed by the form's own field names."""
    out: dict[str, str] = {}
    for field, message in _messages(refused).items():
        name = field.removeprefix("snack_boxes[0].").removeprefix("address.")
        if name.startswith(("snack_boxes", "lines")) or name == "variant_id":
            name = "form"
        out.setdefault(name, message)
    return out


def _box_order(form: dict[str, str]) -> ordering.BoxOrder:
    values = {f: _int(form.get(f)) for f in ORDER_FIELDS}
    return ordering.BoxOrder(
        size_id=values["size_id"] if isinstance(values["size_id"], int) else 0,
        quantity=values["quantity"] if isinstance(values["quantity"], int) else -1,
        slot_id=values["slot_id"] if isinstance(values["slot_id"], int) else 0,
    )


class SnackBoxPages(Controller):
    path = "/snack-boxes"
    include_in_schema = False

    @get("/", name="snackboxes:list")
    async def catalogue(self, db_session: DbSession) -> Template:
        boxes = await services.list_boxes(db_session)
        cards = [
            {"box": box, "image_url": card_url(box),
             "sizes": await services.size_views(db_session, box)}
            for box in boxes
        ]
        return Template("snackboxes/list.html", context={"cards": cards})

    @get("/{box_id:int}", name="snackboxes:box")
    async def box(
        self, viewer: Viewer, db_session: DbSession, box_id: FromPath[int]
    ) -> Template:
        box = await services.get_box(db_session, box_id, viewer=viewer)
        return await _box_page(db_session, viewer, box)

    @get("/{box_id:int}/order", name="snackboxes:order_form")
    async def order_form(
        self, viewer: Viewer, request: Request[Any, Any, Any], db_session: DbSession,
        box_id: FromPath[int],
    ) -> Template:
        box = await services.get_box(db_session, box_id, viewer=viewer)
        form = {f: request.query_params.get(f, "") for f in ORDER_FIELDS}
        return await self._order_page(db_session, viewer, box, form)

    async def _order_page(
        self,
        session: AsyncSession,
        viewer: User | None,
        box: SnackBox,
        form: dict[str, str],
        *,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        box_id = box.id
        boxed = await attempt(
            session, lambda: ordering.plan(session, [_box_order(form)]), shown=ORDER_REFUSALS
        )
        if isinstance(boxed, Refusal):
            box = await services.get_box(session, box_id, viewer=viewer)  # the rollback expired it
            return await _box_page(session, viewer, box, form=form,
                                   errors=_order_errors(boxed), status_code=boxed.status_code)
        booking = boxed.bookings[0]
        size = next(s for s in box.sizes if s.id == booking.size_id)
        sizes = {v.size.id: v for v in await services.size_views(session, box)}
        return Template("snackboxes/order.html", context={
            "box": box, "booking": booking, "size": size, "size_view": sizes.get(size.id),
            "form": {"email": viewer.email if viewer else "", **form}, "errors": errors or {},
        }, status_code=status_code)

    @post("/{box_id:int}/order", name="snackboxes:order")
    async def order(
        self, viewer: Viewer, request: Request[Any, Any, Any], db_session: DbSession,
        box_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        await services.get_box(db_session, box_id, viewer=viewer)

        async def place() -> checkouts.Placed:
            boxed = await ordering.plan(db_session, [_box_order(data)])
            address = clean_address({f: data.get(f, "") for f in ADDRESS_FIELDS})
            return await checkouts.place(
                db_session, request.app.state.settings, request.app.state.payments,
                demands=[], address=address, email=data.get("email", ""), user=viewer,
                key=data.get("key") or None, bundles=boxed.bundles, hold=boxed.hold,
            )

        placed = await attempt(db_session, place, shown=ORDER_REFUSALS)
        if isinstance(placed, Refusal):
            box = await services.get_box(db_session, box_id, viewer=viewer)  # read afresh
            errors = _order_errors(placed)
            if any(f in errors for f in ORDER_FIELDS):
                return await _box_page(db_session, viewer, box, form=data, errors=errors,
                                       status_code=placed.status_code)
            return await self._order_page(db_session, viewer, box, data, errors=errors,
                                          status_code=placed.status_code)
        return Redirect(f"/pay/{placed.payment.token}")


# -- organizer console --------------------------------------------------------------------


def _size_rows(form: dict[str, str], minimum: int) -> int:
    rows = [int(m.group(1)) + 1 for key in form if (m := _SIZE_KEY.match(key))]
    return min(max([minimum, *rows]), rules.MAX_SIZES)


def _component_rows(form: dict[str, str], minimum: int) -> int:
    rows = [int(m.group(2)) + 1 for key in form if (m := _COMPONENT_KEY.match(key))]
    return min(max([minimum, *rows]), rules.MAX_COMPONENTS)


def draft_from_form(
    form: dict[str, str],
) -> tuple[rules.BoxDraft, list[int], list[list[int]]]:
    """The draft a console form describes; for each size (and component) the form row it came
    from, so errors land beside the right cell. Empty rows are skipped."""
    sizes: list[rules.SizeDraft] = []
    size_rows: list[int] = []
    component_rows: list[list[int]] = []
    for row in range(_size_rows(form, 0)):
        prefix = f"sizes[{row}]"
        headcount = (form.get(f"{prefix}.headcount") or "").strip()
        price = (form.get(f"{prefix}.price") or "").strip()
        components: list[rules.ComponentDraft] = []
        rows: list[int] = []
        for c in range(_component_rows(form, 0)):
            variant = (form.get(f"{prefix}.components[{c}].variant_id") or "").strip()
            quantity = (form.get(f"{prefix}.components[{c}].quantity") or "").strip()
            if not variant and not quantity:
                continue
            components.append(rules.ComponentDraft(_int(variant), _int(quantity)))
            rows.append(c)
        if not headcount and not price and not components:
            continue
        sizes.append(rules.SizeDraft(_int(headcount), _int(price), components))
        size_rows.append(row)
        component_rows.append(rows)
    draft = rules.BoxDraft(
        name=form.get("name", ""), description=form.get("description", ""),
        lead_days=_int(form.get("lead_days")), is_active=bool(form.get("is_active")),
        sizes=sizes, assembler_vendor_id=_int(form.get("assembler_vendor_id")) or None,
        closed_days=form.get("closed_days", ""),
    )
    return draft, size_rows, component_rows


def errors_for_form(
    refused: Refusal, size_rows: list[int], component_rows: list[list[int]]
) -> dict[str, str]:
    """Error messages keyed by the form's own field names (draft index → form row)."""
    out: dict[str, str] = {}
    for field, message in _messages(refused).items():
        key = field
        if m := re.match(r"^sizes\[(\d+)\]\.components\[(\d+)\]\.(\w+)$", field):
            i, j = int(m.group(1)), int(m.group(2))
            row = size_rows[i] if i < len(size_rows) else i
            rows = component_rows[i] if i < len(component_rows) else []
            key = f"sizes[{row}].components[{rows[j] if j < len(rows) else j}].{m.group(3)}"
        elif m := re.match(r"^sizes\[(\d+)\]\.(\w+)$", field):
            i = int(m.group(1))
            key = f"sizes[{size_rows[i] if i < len(size_rows) else i}].{m.group(2)}"
        out.setdefault(key, message)
    return out


def form_of(box: SnackBox) -> dict[str, str]:
    form: dict[str, str] = {
        "name": box.name, "description": box.description, "lead_days": str(box.lead_days),
        "assembler_vendor_id": str(box.assembler_vendor_id or ""),
        "closed_days": box.closed_days,
    }
    if box.is_active:
        form["is_active"] = "on"
    for row, size in enumerate(s for s in box.sizes if s.is_active):
        form[f"sizes[{row}].headcount"] = str(size.headcount)
        form[f"sizes[{row}].price"] = str(size.price)
        for c, component in enumerate(size.components):
            form[f"sizes[{row}].components[{c}].variant_id"] = str(component.variant_id)
            form[f"sizes[{row}].components[{c}].quantity"] = str(component.quantity)
    return form


def _new_form() -> dict[str, str]:
    form = {"lead_days": "3"}
    for row, headcount in enumerate(DEFAULT_HEADCOUNTS):
        form[f"sizes[{row}].headcount"] = str(headcount)
    return form


class OrganizerSnackBoxPages(Controller):
    path = "/organizer/snack-boxes"
    include_in_schema = False
    guards = [requires_role(Role.ORGANIZER)]

    async def _form_page(
        self,
        session: AsyncSession,
        user: User,
        box: SnackBox | None,
        *,
        form: dict[str, str],
        errors: dict[str, str] | None = None,
        slot_form: dict[str, str] | None = None,
        slot_errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        options = [(str(v.variant_id), v.label)
                   for v in await services.eligible_variants(session, user)]
        slots: list[services.SlotView] = []
        if box is not None:
            known = {value for value, _ in options}
            for view in await services.size_views(session, box, include_inactive=True):
                for c in view.components:  # keep what the box has even if it left the shelf
                    if str(c.variant_id) not in known:
                        known.add(str(c.variant_id))
                        options.append((str(c.variant_id),
                                        f"{c.vendor_name} · {c.product_name} ({c.option_label}) "
                                        "— 지금 판매하지 않음"))
            slots = await services.slot_views(session, box, include_closed=True)
        return Template("snackboxes/console_form.html", context={
            "box": box, "image_url": image_url(box) if box else None, "form": form,
            "errors": errors or {}, "options": options,
            "size_rows": range(_size_rows(form, max(SIZE_ROWS, len(box.sizes) + 1 if box else 0))),
            "component_rows": range(_component_rows(form, COMPONENT_ROWS)),
            "slots": slots, "slot_form": slot_form or {}, "slot_errors": slot_errors or {},
            "max_lead_days": rules.LEAD_DAYS_MAX,
            "assemblers": await services.approved_vendors(session),
        }, status_code=status_code)

    @get("/", name="snackboxes:console")
    async def console(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        boxes = await services.list_boxes(db_session, include_inactive=True)
        rows = []
        for box in boxes:
            slots = await services.slot_views(db_session, box, include_closed=True)
            rows.append({"box": box, "slots": slots,
                         "sizes": [s for s in box.sizes if s.is_active]})
        return Template("snackboxes/console_list.html", context={"rows": rows})

    @get("/new", name="snackboxes:new")
    async def new(self, user: SignedIn, db_session: DbSession) -> Template:
        return await self._form_page(db_session, user, None, form=_new_form())

    @post("/new", name="snackboxes:create")
    async def create(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        draft, size_rows, component_rows = draft_from_form(data)
        box = await attempt(
            db_session, lambda: services.create_box(db_session, user, draft),
            shown=CONSOLE_REFUSALS,
        )
        if isinstance(box, Refusal):
            return await self._form_page(
                db_session, user, None, form=data,
                errors=errors_for_form(box, size_rows, component_rows),
                status_code=box.status_code,
            )
        flash(request, f"'{box.name}'을(를) 만들었습니다. 배송일을 열어 주세요.",
              category="success")
        return Redirect(f"/organizer/snack-boxes/{box.id}")

    @get("/{box_id:int}", name="snackboxes:edit")
    async def edit(
        self, user: SignedIn, db_session: DbSession, box_id: FromPath[int]
    ) -> Template:
        box = await services.get_box(db_session, box_id, viewer=user)
        return await self._form_page(db_session, user, box, form=form_of(box))

    @post("/{box_id:int}", name="snackboxes:compose")
    async def compose(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        box_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        draft, size_rows, component_rows = draft_from_form(data)
        composed = await attempt(
            db_session, lambda: services.compose_box(db_session, user, box_id, draft),
            shown=CONSOLE_REFUSALS,
        )
        if isinstance(composed, Refusal):
            box = await services.get_box(db_session, box_id, viewer=user)
            return await self._form_page(
                db_session, user, box, form=data,
                errors=errors_for_form(composed, size_rows, component_rows),
                status_code=composed.status_code,
            )
        box = composed
        flash(request, f"'{box.name}' 구성을 저장했습니다.", category="success")
        return Redirect(f"/organizer/snack-boxes/{box.id}")

    @post("/{box_id:int}/slots", name="snackboxes:add_slot")
    async def add_slot(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        box_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        draft = rules.SlotDraft(
            delivery_date=data.get("delivery_date", ""),
            capacity=_int(data.get("capacity")),
            window_label=data.get("window_label", ""),
        )
        slot = await attempt(
            db_session, lambda: services.add_slot(db_session, user, box_id, draft),
            shown=CONSOLE_REFUSALS,
        )
        if isinstance(slot, Refusal):
            box = await services.get_box(db_session, box_id, viewer=user)
            return await self._form_page(
                db_session, user, box, form=form_of(box), slot_form=data,
                slot_errors=_messages(slot), status_code=slot.status_code,
            )
        flash(request, f"{rules.slot_label(slot.delivery_date, slot.window_label)} 배송일을 "
              f"{slot.capacity}상자로 열었습니다.", category="success")
        return Redirect(f"/organizer/snack-boxes/{box_id}#slots")

    @post("/{box_id:int}/slots/{slot_id:int}", name="snackboxes:change_slot")
    async def change_slot(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        box_id: FromPath[int], slot_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        action = data.get("action", "capacity")

        async def change() -> None:
            if action == "close":
                await services.change_slot(db_session, user, box_id, slot_id, is_active=False)
            elif action == "open":
                await services.change_slot(db_session, user, box_id, slot_id, is_active=True)
            else:
                await services.change_slot(db_session, user, box_id, slot_id,
                                           capacity=_int(data.get("capacity")))

        refused = await attempt(db_session, change, shown=CONSOLE_REFUSALS)
        if isinstance(refused, Refusal):
            box = await services.get_box(db_session, box_id, viewer=user)
            errors = {f"slots[{slot_id}].{k}": v for k, v in _messages(refused).items()}
            return await self._form_page(
                db_session, user, box, form=form_of(box), slot_errors=errors,
                status_code=refused.status_code,
            )
        flash(request, "배송일을 바꿨습니다.", category="success")
        return Redirect(f"/organizer/snack-boxes/{box_id}#slots")

    @post("/{box_id:int}/image", name="snackboxes:image")
    async def image(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        box_id: FromPath[int], data: MultipartData,
    ) -> Template | Redirect:
        async def upload() -> None:
            image = data.get("image")
            content = await image.read() if isinstance(image, UploadFile) else b""
            await services.set_image(db_session, request.app.state.settings, user, box_id,
                                     content)

        refused = await attempt(db_session, upload)
        if isinstance(refused, Refusal):
            box = await services.get_box(db_session, box_id, viewer=user)
            return await self._form_page(
                db_session, user, box, form=form_of(box), errors={"image": refused.message},
                status_code=refused.status_code,
            )
        flash(request, "사진을 바꿨습니다.", category="success")
        return Redirect(f"/organizer/snack-boxes/{box_id}")


ROUTES: list[Any] = [SnackBoxPages, OrganizerSnackBoxPages]
