"""``jangteo``: the operator's command line (composition: it may import every domain)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import click

from infra.settings import Settings, get_settings

T = TypeVar("T")


def _run(coro_fn: Callable[[Settings], Coroutine[Any, Any, T]]) -> T:
    settings = get_settings()
    return asyncio.run(coro_fn(settings))


async def _with_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run one use case in a session; the domains are wired first (``infra.bootstrap``), so a
    use case that starts or completes a payment finds its handler."""
    from infra.bootstrap import bootstrap
    from infra.db import make_engine, make_session_factory

    bootstrap()
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


@click.group(help="장터 Jangteo — 서울 사회적경제 플랫폼 운영 도구")
def main() -> None:
    from infra.logging import configure_logging

    configure_logging(json=get_settings().log_json)


# --- database ---------------------------------------------------------------------------


@main.group(help="데이터베이스 마이그레이션")
def db() -> None:
    pass


@db.command("upgrade", help="최신 스키마로 올립니다 (alembic upgrade).")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    from infra import migrate

    settings = get_settings()
    migrate.upgrade(settings, revision)
    click.echo(f"데이터베이스를 {revision}(으)로 올렸습니다: {_db_label(settings)}")


@db.command("downgrade", help="스키마를 되돌립니다.")
@click.option("--revision", default="-1", show_default=True)
def db_downgrade(revision: str) -> None:
    from infra import migrate

    migrate.downgrade(get_settings(), revision)
    click.echo(f"데이터베이스를 {revision}(으)로 되돌렸습니다.")


def _db_label(settings: Settings) -> str:
    url = settings.sqlalchemy_url
    return url.split("@", 1)[-1] if "@" in url else url


# --- users ------------------------------------------------------------------------------


@main.group(help="사용자 관리")
def users() -> None:
    pass


@users.command("create-admin", help="플랫폼 관리자 계정을 만듭니다.")
@click.option("--email", required=True)
@click.option("--name", "display_name", default="관리자", show_default=True)
@click.option(
    "--password",
    envvar="JANGTEO_ADMIN_PASSWORD",
    default=None,
    help="비우면 안전한 비밀번호를 만들어 한 번 보여 줍니다 (환경변수 JANGTEO_ADMIN_PASSWORD).",
)
def users_create_admin(email: str, display_name: str, password: str | None) -> None:
    from infra.accounts.models import Role
    from infra.accounts.services import create_user
    from infra.errors import DomainError

    generated = password is None
    password = password or secrets.token_urlsafe(12)

    async def work(session: Any) -> int:
        user = await create_user(
            session,
            email=email,
            password=password,
            display_name=display_name,
            roles=[Role.ADMIN],
        )
        await session.commit()
        return int(user.id)

    try:
        user_id = _run(lambda s: _with_session(s, work))
    except DomainError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    click.echo(f"관리자 계정을 만들었습니다: {email} (id {user_id})")
    if generated:
        click.echo(f"비밀번호: {password}  (지금 한 번만 표시됩니다)")


@users.command("revoke-tokens", help="한 사람의 API 토큰을 모두 폐기합니다 (유출이 의심될 때).")
@click.option("--email", required=True)
def users_revoke_tokens(email: str) -> None:
    from sqlalchemy import select

    from infra.accounts.models import User
    from infra.accounts.services import normalise_email, revoke_token, tokens_of

    async def work(session: Any) -> int | None:
        user = await session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None:
            return None
        tokens = await tokens_of(session, user)
        for token in tokens:
            await revoke_token(session, user, token.id)
        await session.commit()
        return len(tokens)

    revoked = _run(lambda s: _with_session(s, work))
    if revoked is None:
        raise click.ClickException(f"email: {email} 계정이 없습니다.")
    click.echo(f"{email}의 API 토큰 {revoked}개를 폐기했습니다.")


# --- demo data --------------------------------------------------------------------------


@main.command(
    help="데모 데이터(입점기업, 상품, 공공구매, 장터)를 불러옵니다. 이미 있으면 건너뜁니다."
)
@click.option("--rebuild-index/--no-rebuild-index", default=True, show_default=True)
def demo(rebuild_index: bool) -> None:
    from infra import migrate

    settings = get_settings()
    migrate.upgrade(settings)
    summary = _run(_load_demo)
    click.echo(summary)
    if rebuild_index:
        stats = _run(_reindex)
        click.echo(f"검색 색인을 다시 만들었습니다: 문서 {stats['documents']}건")


async def _load_demo(settings: Settings) -> str:
    import markets.demo
    import shop.analytics.demo
    import shop.demo
    import shop.procurement.demo
    import shop.snackboxes.demo
    from infra.clock import seoul_today
    from shop.catalog.services import public_dir

    async def work(session: Any) -> str:
        shop_summary = await shop.demo.load(session, public=public_dir(settings))
        snack_summary = await shop.snackboxes.demo.load(session)
        procurement_summary = await shop.procurement.demo.load(session)
        market_summary = await markets.demo.load(session)
        # A year of sales (bulk facts, summaries rebuilt; decision 44) on the past market days.
        today = seoul_today()
        held = await markets.demo.past_days(session, today)
        sales_summary = await shop.analytics.demo.load(session, today=today, market_days=held)
        return (f"{shop_summary}\n{snack_summary}\n{procurement_summary}\n{market_summary}\n"
                f"{sales_summary}")

    return await _with_session(settings, work)


@main.command(
    "reencode-images",
    help="예전에 올린 그대로 저장된 상품·다과꾸러미 사진을 다시 저장합니다(픽셀만 남긴 WebP와 "
    "카드 크기). 이미지로 읽히지 않는 파일은 지웁니다. 여러 번 실행해도 됩니다.",
)
def reencode_images() -> None:
    import shop.catalog.services
    import shop.snackboxes.services

    async def work(session: Any, settings: Settings) -> str:
        products = await shop.catalog.services.reencode_stored_images(session, settings)
        boxes = await shop.snackboxes.services.reencode_stored_images(session, settings)
        return (f"상품 사진: 다시 저장 {products[0]}장, 지움 {products[1]}장 · "
                f"다과꾸러미 사진: 다시 저장 {boxes[0]}장, 지움 {boxes[1]}장")

    click.echo(_run(lambda s: _with_session(s, lambda session: work(session, s))))


# --- markets ----------------------------------------------------------------------------


@main.group(help="장터 운영")
def markets() -> None:
    pass


@markets.command("generate-days", help="모든 장터의 장날을 몇 주 앞까지 만들어 둡니다.")
@click.option("--weeks", type=click.IntRange(1, 104), default=8, show_default=True)
def markets_generate_days(weeks: int) -> None:
    from markets.days.generation import close_past_days, generate_all

    async def work(session: Any) -> tuple[dict[str, int], int]:
        created = await generate_all(session, weeks=weeks)
        return created, await close_past_days(session)

    created, held = _run(lambda s: _with_session(s, work))
    for name, count in created.items():
        click.echo(f"{name}: 장날 {count}일 새로 만듦")
    click.echo(f"지난 장날 {held}일을 '열림'으로 표시했습니다.")


# --- settlement -------------------------------------------------------------------------


@main.group(help="정산")
def settlement() -> None:
    pass


@settlement.command(
    "close-week", help="정산 주(월~일, 서울 시간)를 마감해 입점기업별 정산서를 만듭니다."
)
@click.option("--week", default=None, metavar="YYYY-MM-DD",
              help="마감할 주의 아무 날짜 (생략하면 지난주). 앞선 미마감 주도 먼저 마감합니다.")
def settlement_close_week(week: str | None) -> None:
    from infra.errors import DomainError
    from shop.settlement.rules import week_label
    from shop.settlement.services import close_week, parse_week

    async def work(session: Any) -> list[tuple[str, int, bool]]:
        closed = await close_week(session, parse_week(week, "--week"), closed_by="jangteo CLI")
        return [(week_label(c.week.week_start), len(c.statements), c.created) for c in closed]

    try:
        closed = _run(lambda s: _with_session(s, work))
    except DomainError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    for label, statements, created in closed:
        state = "마감했습니다" if created else "이미 마감되어 있습니다"
        click.echo(f"{label}: {state} (정산서 {statements}건)")


# --- analytics --------------------------------------------------------------------------


@main.group(help="판매 분석")
def analytics() -> None:
    pass


_DAY = click.DateTime(formats=["%Y-%m-%d"])


@analytics.command(
    "rebuild", help="판매 사실(facts)로 요약 표를 월 단위로 다시 채웁니다 (작업자가 돌아도 안전)."
)
@click.option("--from", "first", type=_DAY, default=None, metavar="YYYY-MM-DD",
              help="이 날이 속한 달부터 (생략하면 가장 이른 달).")
@click.option("--to", "last", type=_DAY, default=None, metavar="YYYY-MM-DD",
              help="이 날이 속한 달까지 (생략하면 가장 늦은 달).")
@click.option("--check", is_flag=True,
              help="다시 채우지 않고 요약 표를 판매 사실의 새 합계와 비교합니다 "
                   "(다르면 종료 코드 1).")
@click.option("--facts", "regenerate", is_flag=True,
              help="먼저 주문·환불·부스 매출 보고·공공구매 지급 원본에서 빠진 판매 사실을 "
                   "다시 씁니다 (있는 사실은 그대로).")
@click.option("--sessions", type=click.IntRange(1, 8), default=2, show_default=True,
              help="PostgreSQL에서 동시에 채우는 연결 수 (달마다 따로 잠급니다; "
                   "SQLite는 늘 1).")
def analytics_rebuild(first: Any, last: Any, check: bool, regenerate: bool,
                      sessions: int) -> None:
    from shop.analytics import rollups
    from shop.analytics.regenerate import regenerate_facts

    low = first.date() if first else None
    high = last.date() if last else None
    if check:
        differences = _run(lambda s: _with_session(
            s, lambda session: rollups.check_range(session, low, high)))
        for diff in differences[:50]:
            click.echo(f"{diff.table} {diff.key}: 요약 {diff.stored} ≠ 합계 {diff.expected}")
        if differences:
            click.echo(f"요약 표가 판매 사실과 {len(differences)}행 다릅니다.", err=True)
            sys.exit(1)
        click.echo("요약 표가 판매 사실과 일치합니다.")
        return
    if regenerate:
        written = _run(lambda s: _with_session(
            s, lambda session: regenerate_facts(session, low, high)))
        click.echo(f"원본에서 빠진 판매 사실 {written}건을 다시 썼습니다.")
    months = _run(lambda s: _with_session(
        s, lambda session: rollups.rebuild(session, low, high, sessions=sessions)))
    for month, rows in months:
        click.echo(f"{month:%Y-%m}: 요약 {rows}행")
    click.echo(f"{len(months)}개월을 다시 채웠습니다.")


# --- search -----------------------------------------------------------------------------


@main.group(help="검색 색인")
def search() -> None:
    pass


def _search_engine(settings: Settings) -> Any:
    from search.engine import make_engine

    return make_engine(
        meilisearch_url=settings.meilisearch_url,
        meilisearch_key=settings.meilisearch_key,
        data_dir=settings.search_dir,
    )


async def _reindex(settings: Settings) -> dict[str, Any]:
    from shop.catalog.indexing import rebuild_index

    engine = _search_engine(settings)
    try:
        return await _with_session(settings, lambda session: rebuild_index(session, engine))
    finally:
        engine.close()


@search.command("reindex", help="색인을 새로 만들어 중단 없이 바꿔 끼웁니다.")
def search_reindex() -> None:
    started = time.perf_counter()
    stats = _run(_reindex)
    version = stats.get("synonyms_version")
    synonyms = f"동의어 버전 {version}" if version is not None else "동의어 기본값(파일)"
    click.echo(
        f"새 색인으로 바꿨습니다: 문서 {stats['documents']}건, 따라잡기 {stats['caught_up']}건, "
        f"{synonyms}, {time.perf_counter() - started:.2f}초"
    )


@search.command(
    "status", help="색인 상태: 엔진, 문서 수, 쓰는 동의어 버전. 문제가 있으면 종료 코드 1."
)
def search_status() -> None:
    from shop.search_tuning.services import latest_version

    async def work(settings: Settings) -> tuple[dict[str, Any], int | None]:
        engine = _search_engine(settings)
        try:
            health = engine.health()
        finally:
            engine.close()
        saved = await _with_session(settings, latest_version)
        return health, saved.version if saved is not None else None

    health, saved = _run(work)
    details = health["details"]
    in_use = details.get("synonyms_version")
    click.echo(f"엔진 {health['engine']}, 문서 {health['docs']}건"
               + (f", 세대 {details['generation']}" if "generation" in details else ""))
    if saved is not None and in_use is not None and saved != in_use:
        click.echo(f"동의어: 색인은 버전 {in_use}, 저장된 최신은 버전 {saved} "
                   "(jangteo search reindex로 적용)")
    elif in_use is not None:
        click.echo(f"동의어: 버전 {in_use}")
    if not health["ok"]:
        click.echo(f"문제: {details.get('error', '알 수 없음')}", err=True)
        sys.exit(1)


@search.command(
    "unanswered", help="결과가 없거나 적었던 검색어 (서울 날짜 기준 최근 N일, 많은 순)."
)
@click.option("--days", default="30", show_default=True, help="최근 며칠 (1~366)")
@click.option("--limit", type=click.IntRange(1, 1000), default=30, show_default=True)
def search_unanswered(days: str, limit: int) -> None:
    from infra.clock import seoul_today
    from infra.errors import DomainError
    from shop.search_tuning import services

    try:
        span = services.parse_days(days)
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint="--days") from exc
    rows = _run(lambda s: _with_session(s, lambda session: services.top_unanswered(
        session, today=seoul_today(), days=span, limit=limit)))
    if not rows:
        click.echo(f"최근 {span}일 동안 결과 없는 검색이 없었습니다.")
        return
    click.echo("검색어\t결과 없음\t적음\t일수\t마지막 날")
    for row in rows:
        click.echo(f"{row.query}\t{row.zero}\t{row.few}\t{row.days}\t{row.last_day:%Y-%m-%d}")


# --- processes --------------------------------------------------------------------------


@main.command(help="웹 서버를 띄웁니다.")
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--workers", "processes", type=int, default=1, show_default=True)
@click.option("--share-port", is_flag=True,
              help="다른 웹 프로세스와 같은 포트를 나눠 씁니다 (SO_REUSEPORT; jangteo run이 씀).")
def web(host: str | None, port: int | None, processes: int, share_port: bool) -> None:
    from infra.serve import serve, serve_sharing_port

    settings = get_settings()
    options: dict[str, Any] = {"log_level": "info", "proxy_headers": True}
    if share_port:
        serve_sharing_port(host or settings.host, port or settings.port, **options)
        return
    serve(host or settings.host, port or settings.port, processes, **options)


@main.command(help="이벤트 처리 워커(dramatiq)와 아웃박스 릴레이를 띄웁니다.")
@click.option("--threads", type=int, default=4, show_default=True)
@click.option("--relay/--no-relay", default=True, show_default=True)
def worker(threads: int, relay: bool) -> None:
    from workers.main import run_worker

    run_worker(get_settings(), threads=threads, relay=relay)


@main.command(help="주기 작업 스케줄러(periodiq)를 띄웁니다.")
def scheduler() -> None:
    from workers.main import run_scheduler

    run_scheduler(get_settings())


def _register_localstripe_webhook(settings: Settings) -> None:
    """Point localstripe's signed webhooks at our endpoint (it forgets them on restart)."""
    import httpx

    base = f"http://127.0.0.1:{settings.localstripe_port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(
                f"{base}/_config/webhooks/jangteo",
                data={
                    "url": f"http://{settings.host}:{settings.port}/webhooks/stripe",
                    "secret": settings.stripe_webhook_secret,
                },
                timeout=2,
            ).raise_for_status()
            click.echo(f"테스트 결제: localstripe {base} (실제 결제가 아닙니다)", err=True)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    click.echo(
        "localstripe에 웹훅을 등록하지 못했습니다; 테스트 결제 알림이 오지 않습니다.", err=True
    )


@main.command(help="웹, 워커, 스케줄러를 함께 띄우고 지켜봅니다 (Ctrl-C로 모두 멈춤).")
@click.option(
    "--demo/--no-demo",
    "with_demo",
    default=True,
    show_default=True,
    help="처음 실행할 때 데모 데이터를 불러옵니다.",
)
@click.option("--web-processes", type=click.IntRange(1, 16), default=2, show_default=True,
              help="같은 포트를 나눠 쓰는 웹 프로세스 수 (하나가 다시 뜨는 동안 다른 하나가 응답).")
def run(with_demo: bool, web_processes: int) -> None:
    """Every process of the platform under one supervisor (``infra.supervisor``): a child
    that dies is started again with backoff; Ctrl-C or SIGTERM stops them all.

    The web runs as ``web_processes`` separate children sharing the port (SO_REUSEPORT), so
    while a dead one is started again (seconds of imports) the others keep answering."""
    from infra import embedded_redis, migrate
    from infra.serve import can_share_port
    from infra.supervisor import Supervisor

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    commands: dict[str, list[str]] = {}
    embedded = settings.redis_url is None
    if embedded:
        # Ours to supervise, in the foreground: a server left over from a run that was
        # killed is shut down first (two servers must never share the socket).
        embedded_redis.stop_embedded_redis(settings.var_dir)
        commands["redis"] = embedded_redis.server_command(settings.var_dir)
        env["JANGTEO_REDIS_URL"] = embedded_redis.socket_url(settings.var_dir)
    after_start: dict[str, Callable[[], None]] = {}
    if settings.stripe_is_test and not settings.stripe_api_base:
        # No Stripe configured: test payments against localstripe on loopback, its data
        # under var/ (infra/localstripe_server.py).
        commands["localstripe"] = [
            sys.executable, "-m", "infra.localstripe_server",
            "--port", str(settings.localstripe_port),
            "--data", str(settings.var_dir / "localstripe.pickle"),
        ]
        env["JANGTEO_STRIPE_API_BASE"] = f"http://127.0.0.1:{settings.localstripe_port}"
        after_start["localstripe"] = lambda: _register_localstripe_webhook(settings)
    commands |= {
        "worker": [sys.executable, "-m", "infra.cli", "worker"],
        "scheduler": [sys.executable, "-m", "infra.cli", "scheduler"],
    }
    if web_processes > 1 and can_share_port():
        for number in range(1, web_processes + 1):
            commands[f"web-{number}"] = [sys.executable, "-m", "infra.cli", "web", "--share-port"]
    else:
        commands["web"] = [sys.executable, "-m", "infra.cli", "web"]
    supervisor = Supervisor(
        commands, env=env, after_start=after_start, own_group={"redis"},
        echo=lambda line: click.echo(line, err=True),
    )
    exit_code = 1
    try:
        if embedded:
            supervisor.start("redis")
            deadline = time.monotonic() + 15
            while not embedded_redis.is_running(settings.var_dir):
                if time.monotonic() > deadline:
                    raise click.ClickException(
                        f"내장 Redis가 뜨지 않았습니다: {settings.var_dir / 'redis.log'}")
                time.sleep(0.05)
        # Stop requests during the first start (migrations, demo data) end it cleanly too.
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        migrate.upgrade(settings)
        marker = settings.var_dir / ".demo-loaded"
        if with_demo and not marker.exists():
            click.echo(_run(_load_demo))
            _run(_reindex)
            marker.write_text("loaded\n")
        supervisor.start_all()
        click.echo(
            f"장터가 http://{settings.host}:{settings.port} 에서 실행 중입니다. 멈추려면 Ctrl-C."
        )
        exit_code = supervisor.watch()
    except KeyboardInterrupt:
        exit_code = 0
    finally:
        supervisor.stop_all(last=("redis",))
        click.echo("모두 멈췄습니다.")
    sys.exit(exit_code)


# --- public buying ----------------------------------------------------------------------


def _in_session(work: Callable[[Any], Awaitable[T]]) -> T:
    return _run(lambda settings: _with_session(settings, work))


def _add_procurement() -> None:
    from infra.procurement_cli import procurement_group

    main.add_command(procurement_group(_in_session), "procurement")


_add_procurement()


if __name__ == "__main__":
    main()
