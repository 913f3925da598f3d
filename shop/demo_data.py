"""Demo data for the mall: social-economy vendors, their products and three demo people.

Why this exists: a fresh checkout should open on a mall that looks like Seoul's, so that
search, filters, procurement counting and market applications can be tried without typing
anything in first. Everything here is invented (enterprises, people, numbers) but shaped
like the real thing:

- every 사업자등록번호 carries a valid checksum, so onboarding validation accepts it;
- certifications have a number and validity dates, and some have lapsed, so the rule
  "a purchase counts only if the seller's certification was valid on that day" has
  something to refuse;
- product names are the long Korean compounds without spaces ("유기농수제쿠키선물세트")
  that a Korean search analyser has to split, mixed with names that carry sizes and
  model codes ("공정무역원두커피 200g", "HP호환재생토너 CF217A").

This module is pure data: no database, no clock, and no randomness that is not seeded.
Two calls return equal values, so tests and seeding commands can rely on it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import NamedTuple

from shop.catalog.taxonomy import Category, StrategicItem
from shop.vendors.types import PRE_SOCIAL_SUPPORT_YEARS, District, EnterpriseType

__all__ = [
    "DEMO_PASSWORD",
    "DemoUser",
    "ProductSeed",
    "VariantSeed",
    "VendorSeed",
    "brn_check_digit",
    "demo_products",
    "demo_users",
    "demo_vendors",
    "is_valid_brn",
]

# ---------------------------------------------------------------------------------------
# 사업자등록번호 (business registration number)
# ---------------------------------------------------------------------------------------

#: Weights of the national tax service checksum over the first nine digits.
BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit(first9: str) -> str:
    """Return the tenth digit of a 사업자등록번호 whose first nine digits are ``first9``.

    The rule: multiply the digits by 1,3,7,1,3,7,1,3,5, add them, add ``(d9 * 5) // 10``
    (the carry of the last product), and take ``(10 - sum % 10) % 10``. Demo numbers are
    built with it so that the same validation real onboarding uses accepts them.
    """
    if len(first9) != 9 or not (first9.isascii() and first9.isdigit()):
        raise ValueError(f"expected nine ASCII digits, got {first9!r}")
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return str((10 - total % 10) % 10)


def is_valid_brn(brn: str) -> bool:
    """True if ``brn`` is ten ASCII digits (no dashes) with a correct check digit."""
    if len(brn) != 10 or not (brn.isascii() and brn.isdigit()):
        return False
    return brn_check_digit(brn[:9]) == brn[9]


# ---------------------------------------------------------------------------------------
# Seed types
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorSeed:
    """One social-economy enterprise as the demo mall knows it.

    ``certified_to`` is the last day the certification (or designation, or report) is
    valid; procurement counting compares purchase dates against it.
    """

    name: str
    enterprise_type: EnterpriseType
    district: District
    business_registration_number: str
    representative: str
    phone: str
    email: str
    certification_number: str
    certified_from: date
    certified_to: date
    description: str
    main_categories: tuple[Category, ...]


@dataclass(frozen=True)
class VariantSeed:
    """A purchasable option of a product: its own SKU, price (whole won) and stock."""

    sku: str
    label: str
    price: int
    stock: int


@dataclass(frozen=True)
class ProductSeed:
    """A catalog product; ``vendor_index`` points into the vendor list it was built from."""

    vendor_index: int
    name: str
    description: str
    category: Category
    strategic_items: tuple[StrategicItem, ...]
    eco_friendly: bool
    variants: tuple[VariantSeed, ...]


@dataclass(frozen=True)
class DemoUser:
    """A person who can sign in to the demo. ``roles`` are plain names ("admin", ...)."""

    email: str
    display_name: str
    password: str
    roles: tuple[str, ...]
    vendor_index: int | None = None


# DEMO ONLY: a published password for throw-away local demo accounts. Never seed these
# users into a real deployment.
DEMO_PASSWORD = "jangteo-demo-1234"  # noqa: S105


def demo_users(vendors: Sequence[VendorSeed] | None = None) -> list[DemoUser]:
    """The three demo people: an admin, a member of the first vendor, and a shopper.

    The vendor member belongs to the first vendor so that signing in as them shows a
    catalog that contains "유기농수제쿠키선물세트", the product search demos start from.
    """
    vendors = demo_vendors() if vendors is None else vendors
    first = vendors[0]
    return [
        DemoUser("admin@jangteo.kr", "장터 관리자", DEMO_PASSWORD, ("admin",)),
        DemoUser(
            "vendor@jangteo.kr",
            f"{first.representative} ({first.name})",
            DEMO_PASSWORD,
            ("vendor_member", "shopper"),
            vendor_index=0,
        ),
        DemoUser("shopper@jangteo.kr", "이서준", DEMO_PASSWORD, ("shopper",)),
    ]


# ---------------------------------------------------------------------------------------
# Vendors
# ---------------------------------------------------------------------------------------

_ET = EnterpriseType
_D = District
_C = Category

_PRE_SOCIAL = frozenset({_ET.PRE_SOCIAL_REGIONAL, _ET.PRE_SOCIAL_MINISTRY})

#: Digits 4-5 of a 사업자등록번호 say what kind of business it is: 81/86/87 for-profit
#: corporations, 82 non-profit corporations (social cooperatives), 01-79 individuals.
_BRN_KIND: dict[EnterpriseType, int] = {
    _ET.CERTIFIED_SOCIAL: 81,
    _ET.PRE_SOCIAL_REGIONAL: 81,
    _ET.PRE_SOCIAL_MINISTRY: 86,
    _ET.SEOUL_SOCIAL: 81,
    _ET.COOPERATIVE: 86,
    _ET.SOCIAL_COOPERATIVE: 82,
    _ET.VILLAGE: 86,
    _ET.SELF_SUFFICIENCY: 13,
    _ET.YOUTH_SOCIAL_VENTURE: 87,
}

#: Each programme numbers its certificates its own way; the demo mimics that variety so
#: that nothing downstream assumes one format.
_CERT_FORMAT: dict[EnterpriseType, str] = {
    _ET.CERTIFIED_SOCIAL: "제{year}-{n:03d}호",
    _ET.PRE_SOCIAL_REGIONAL: "서울-예비-{year}-{n:03d}",
    _ET.PRE_SOCIAL_MINISTRY: "부처형 예비 제{year}-{n:03d}호",
    _ET.SEOUL_SOCIAL: "서울형 제{year}-{n:02d}호",
    _ET.COOPERATIVE: "협동조합 신고 제{year}-{n:04d}호",
    _ET.SOCIAL_COOPERATIVE: "사회적협동조합 인가 제{year}-{n:02d}호",
    _ET.VILLAGE: "서울 마을기업 제{year}-{n:02d}호",
    _ET.SELF_SUFFICIENCY: "자활기업 인정 제{year}-{n:02d}호",
    _ET.YOUTH_SOCIAL_VENTURE: "청년소셜벤처 제{year}-{n:03d}호",
}


class _VendorRow(NamedTuple):
    """A vendor as written below; BRN and certificate number are derived from it.

    ``until`` is ``None`` for 예비 사회적기업: their support period is fixed by law
    (three years), so it is computed rather than written down and possibly mistyped.
    """

    name: str
    etype: EnterpriseType
    district: District
    representative: str
    phone: str
    mailbox: str
    since: str
    until: str | None
    categories: tuple[Category, ...]
    description: str


# One vendor per row group, laid out by hand so a row reads as a line of a register.
# fmt: off
_VENDOR_ROWS: tuple[_VendorRow, ...] = (
    _VendorRow(
        "성북마을빵협동조합", _ET.COOPERATIVE, _D.SEONGBUK, "김선영", "02-922-4817",
        "seongbukbread", "2016-03-14", "2031-03-13", (_C.FOOD,),
        "성북구 주민 210명이 출자해 만든 동네 빵집 협동조합입니다. "
        "우리밀과 지역 농산물로 굽고, 경력이 끊겼던 여성 제빵사를 고용합니다.",
    ),
    _VendorRow(
        "늘푸른자활센터 도시락", _ET.SELF_SUFFICIENCY, _D.NOWON, "박정숙", "02-934-2261",
        "neulpureun.dosirak", "2018-06-01", "2027-05-31", (_C.FOOD,),
        "노원구 저소득 주민들이 조리사 자격을 따고 함께 일하는 도시락 자활기업입니다. "
        "어르신 식사 지원과 공공기관 회의 도시락을 만듭니다.",
    ),
    _VendorRow(
        "사회적협동조합 들꽃밥상", _ET.SOCIAL_COOPERATIVE, _D.MAPO, "이하늘", "010-4821-7730",
        "deulkkot.table", "2019-09-02", "2029-09-01", (_C.FOOD,),
        "보호가 끝난 자립준비청년들이 요리사로 일하며 자립을 준비하는 케이터링 "
        "사회적협동조합입니다. 제철 식재료로 행사 음식과 도시락을 만듭니다.",
    ),
    _VendorRow(
        "우이골한과마을", _ET.VILLAGE, _D.GANGBUK, "최복순", "02-993-5172",
        "uigol.hangwa", "2017-04-10", "2027-04-09", (_C.FOOD,),
        "우이동 어르신들이 집안 대대로 이어 온 한과 솜씨를 나누려고 만든 마을기업입니다. "
        "지역 농가의 찹쌀과 직접 고은 조청만 씁니다.",
    ),
    _VendorRow(
        "망원마을부엌", _ET.VILLAGE, _D.MAPO, "정미래", "02-332-6109",
        "mangwon.kitchen", "2020-05-18", "2026-05-17", (_C.FOOD,),
        "망원동 주민들이 공유부엌을 열어 반찬을 만들고 홀로 사는 이웃과 나누는 "
        "마을기업입니다.",
    ),
    _VendorRow(
        "도봉햇살마을장독대", _ET.VILLAGE, _D.DOBONG, "윤순자", "02-955-3348",
        "dobong.jangdok", "2015-08-03", "2028-08-02", (_C.FOOD,),
        "도봉산 자락 마을 옥상 장독대에서 장을 익히는 마을기업입니다. "
        "국산 콩만 쓰고, 수익은 마을 어르신 돌봄에 씁니다.",
    ),
    _VendorRow(
        "주식회사 함께짓는빵", _ET.CERTIFIED_SOCIAL, _D.GANGSEO, "한동욱", "02-2661-0425",
        "together.bread", "2014-11-20", "2029-11-19", (_C.FOOD,),
        "발달장애인 제빵사 열여덟 명이 정규직으로 일하는 인증 사회적기업입니다. "
        "공공기관 회의 간식과 선물용 빵을 만듭니다.",
    ),
    _VendorRow(
        "주식회사 모두의식탁", _ET.PRE_SOCIAL_REGIONAL, _D.GWANAK, "서지훈", "010-7712-3054",
        "modu.table", "2024-02-01", None, (_C.FOOD,),
        "관악구 1인 가구와 청년을 위해 영양 균형을 맞춘 밀키트를 만드는 "
        "예비 사회적기업입니다. 결식 우려 청소년에게 한 끼를 나눕니다.",
    ),
    _VendorRow(
        "공정무역협동조합 한잔", _ET.COOPERATIVE, _D.YONGSAN, "오세린", "02-794-1187",
        "hanjan.coop", "2013-07-01", "2028-06-30", (_C.FOOD,),
        "생산자에게 공정한 값을 치른 커피와 차를 직접 볶아 파는 다중이해관계자 "
        "협동조합입니다.",
    ),
    _VendorRow(
        "꽃피는자활카페", _ET.SELF_SUFFICIENCY, _D.EUNPYEONG, "임경희", "02-385-7720",
        "kkotpi.cafe", "2016-10-04", "2026-10-03", (_C.FOOD,),
        "은평구 자활 참여 주민들이 바리스타 교육을 받고 꾸리는 카페 자활기업입니다. "
        "직접 볶은 원두를 지역 기관에 납품합니다.",
    ),
    _VendorRow(
        "주식회사 오늘비건", _ET.YOUTH_SOCIAL_VENTURE, _D.GWANGJIN, "강민서", "010-3390-5518",
        "oneul.vegan", "2023-03-15", "2026-12-31", (_C.FOOD,),
        "동물성 재료 없이 빵과 디저트를 만드는 청년 소셜벤처입니다. "
        "못난이 농산물을 제값에 사들여 버려지는 먹거리를 줄입니다.",
    ),
    _VendorRow(
        "주식회사 도시농부들", _ET.PRE_SOCIAL_MINISTRY, _D.SEOCHO, "윤상훈", "02-578-2290",
        "city.farmers", "2023-09-01", None, (_C.FOOD, _C.HOUSEHOLD),
        "서초구 내곡동 친환경 농장에서 제철 채소를 기르고 도시텃밭 키트를 만드는 "
        "농촌형 예비 사회적기업입니다. 은퇴한 어르신을 농부로 고용합니다.",
    ),
    _VendorRow(
        "사회적협동조합 텃밭학교", _ET.SOCIAL_COOPERATIVE, _D.YANGCHEON, "조은비",
        "02-2647-3381", "teotbat.school", "2018-03-02", "2028-03-01",
        (_C.BOOKS_EDUCATION, _C.FOOD),
        "아이들과 주민에게 도시농업과 먹거리 교육을 하는 사회적협동조합입니다. "
        "학교 텃밭을 함께 가꾸고 수확물을 이웃과 나눕니다.",
    ),
    _VendorRow(
        "주식회사 되살림공방", _ET.CERTIFIED_SOCIAL, _D.SEONGDONG, "배수현", "02-2297-6634",
        "dosallim", "2017-05-22", "2030-05-21", (_C.FASHION_BEAUTY, _C.HOUSEHOLD),
        "버려진 현수막과 가죽 자투리를 가방과 소품으로 되살리는 업사이클링 "
        "인증 사회적기업입니다. 저소득 여성 재봉사를 고용합니다.",
    ),
    _VendorRow(
        "주식회사 온기뜨개", _ET.PRE_SOCIAL_REGIONAL, _D.GANGBUK, "문옥자", "02-987-4416",
        "ongi.knit", "2022-04-01", None, (_C.FASHION_BEAUTY, _C.HOUSEHOLD),
        "강북구 홀몸 어르신들이 모여 손뜨개 소품을 만드는 지역형 예비 사회적기업입니다. "
        "일자리와 함께 말벗을 만듭니다.",
    ),
    _VendorRow(
        "주식회사 한땀봉제", _ET.SEOUL_SOCIAL, _D.JUNGNANG, "응우옌티란", "02-435-8092",
        "hanttam.sewing", "2015-12-01", "2027-11-30", (_C.FASHION_BEAUTY, _C.HOUSEHOLD),
        "중랑구 봉제 골목에서 결혼이주여성 재봉사들이 일하는 서울형 사회적기업입니다. "
        "단체복과 앞치마를 소량부터 만듭니다.",
    ),
    _VendorRow(
        "주식회사 고운손", _ET.SEOUL_SOCIAL, _D.YANGCHEON, "신유진", "02-2654-7713",
        "gounson", "2016-06-20", "2028-06-19", (_C.FASHION_BEAUTY,),
        "한부모 여성 가장들이 천연 원료로 비누와 화장품을 만드는 서울형 사회적기업입니다.",
    ),
    _VendorRow(
        "자활기업 바느질나라", _ET.SELF_SUFFICIENCY, _D.DONGDAEMUN, "김영애", "02-2243-5570",
        "baneujil", "2019-02-11", "2029-02-10", (_C.FASHION_BEAUTY, _C.OFFICE_IT),
        "동대문 봉제 경력이 있는 자활 참여 주민들이 세운 봉제 자활기업입니다. "
        "기관 행사용 에코백과 명찰, 어깨띠를 납품합니다.",
    ),
    _VendorRow(
        "주식회사 바다살림", _ET.PRE_SOCIAL_MINISTRY, _D.SONGPA, "류하은", "010-5207-8841",
        "bada.sallim", "2024-06-01", None, (_C.FASHION_BEAUTY, _C.HOUSEHOLD),
        "바닷가에서 주운 폐어망과 해양 플라스틱으로 액세서리와 생활용품을 만드는 "
        "해양형 예비 사회적기업입니다.",
    ),
    _VendorRow(
        "주식회사 푸른재생토너", _ET.CERTIFIED_SOCIAL, _D.GEUMCHEON, "홍성민", "02-868-3305",
        "pureun.toner", "2012-09-01", "2027-08-31", (_C.OFFICE_IT,),
        "다 쓴 토너 카트리지를 회수해 다시 채우는 재생토너 인증 사회적기업입니다. "
        "장애인과 고령자 열여덟 명을 고용합니다.",
    ),
    _VendorRow(
        "주식회사 새날컴퓨터", _ET.CERTIFIED_SOCIAL, _D.GURO, "장도현", "02-2613-9048",
        "saenal.pc", "2015-03-02", "2030-03-01", (_C.OFFICE_IT,),
        "공공기관에서 불용 처리된 컴퓨터를 정비해 다시 파는 인증 사회적기업입니다. "
        "청각장애인 정비기사가 데이터를 지우고 수리합니다.",
    ),
    _VendorRow(
        "주식회사 나눔인쇄", _ET.PRE_SOCIAL_REGIONAL, _D.JUNG, "백승호", "02-2273-1146",
        "nanum.print", "2021-11-01", None, (_C.OFFICE_IT,),
        "을지로 인쇄 골목에서 장애인 인쇄 기술자를 길러 내는 지역형 예비 사회적기업입니다. "
        "콩기름 잉크와 재생지로 찍습니다.",
    ),
    _VendorRow(
        "주식회사 꿈꾸는문구", _ET.SEOUL_SOCIAL, _D.JONGNO, "안소희", "02-743-2259",
        "dream.stationery", "2018-08-01", "2028-07-31", (_C.OFFICE_IT,),
        "발달장애 작가들의 그림을 문구로 만들고 판매 수익을 작가와 나누는 "
        "서울형 사회적기업입니다.",
    ),
    _VendorRow(
        "사회적협동조합 다온IT", _ET.SOCIAL_COOPERATIVE, _D.YEONGDEUNGPO, "문지환",
        "02-2068-4471", "daon.it", "2020-01-15", "2030-01-14",
        (_C.OFFICE_IT, _C.BOOKS_EDUCATION),
        "경력 단절 여성과 장애인을 웹 개발자로 길러 기관 홈페이지를 만드는 "
        "사회적협동조합입니다.",
    ),
    _VendorRow(
        "주식회사 페이퍼플랜트", _ET.YOUTH_SOCIAL_VENTURE, _D.SEONGDONG, "유세준",
        "010-2284-6190", "paperplant", "2022-10-01", "2025-09-30",
        (_C.OFFICE_IT, _C.HOUSEHOLD),
        "우유팩과 폐지를 모아 종이 문구와 포장재를 만드는 성수동 청년 소셜벤처입니다. "
        "동네 어르신의 폐지를 시세보다 높게 삽니다.",
    ),
    _VendorRow(
        "주식회사 해밝음랩", _ET.YOUTH_SOCIAL_VENTURE, _D.GANGNAM, "한유나", "010-9035-1127",
        "haebalgeum.lab", "2024-04-01", "2027-03-31",
        (_C.OFFICE_IT, _C.TRAVEL_LEISURE, _C.HOUSEHOLD),
        "태양광 조명과 보조배터리를 설계하는 청년 소셜벤처입니다. "
        "제품이 팔릴 때마다 에너지 빈곤 가구에 하나씩 기부합니다.",
    ),
    _VendorRow(
        "은평햇빛에너지협동조합", _ET.COOPERATIVE, _D.EUNPYEONG, "고준석", "02-359-4408",
        "ep.sunpower", "2014-05-12", "2029-05-11",
        (_C.HOUSEHOLD, _C.OFFICE_IT, _C.BOOKS_EDUCATION, _C.TRAVEL_LEISURE),
        "조합원 출자로 학교와 공공건물 옥상에 태양광 발전소를 세우는 에너지 협동조합입니다. "
        "가정용 미니태양광 설치도 돕습니다.",
    ),
    _VendorRow(
        "동작집수리협동조합", _ET.COOPERATIVE, _D.DONGJAK, "김태식", "02-812-7734",
        "dongjak.jipsuri", "2017-02-20", "2027-02-19", (_C.HOUSEHOLD,),
        "동네 기술자들이 모여 낡은 집의 단열과 창호를 고치는 집수리 협동조합입니다. "
        "에너지 취약 가구의 집수리를 함께 합니다.",
    ),
    _VendorRow(
        "자활기업 한마음집수리", _ET.SELF_SUFFICIENCY, _D.SEODAEMUN, "이용철", "02-312-6651",
        "hanmaeum.repair", "2013-04-01", "2028-03-31", (_C.HOUSEHOLD,),
        "자활 참여 주민들이 도배·장판·단열 기술을 익혀 세운 집수리 자활기업입니다. "
        "저소득 가구 주거환경 개선 사업을 맡아 합니다.",
    ),
    _VendorRow(
        "자활기업 깨끗한세상", _ET.SELF_SUFFICIENCY, _D.GWANAK, "장미숙", "02-872-0913",
        "clean.world", "2018-12-03", "2028-12-02", (_C.HOUSEHOLD,),
        "관악구 자활 참여 주민들이 친환경 세제를 만들고 사무실 청소를 하는 자활기업입니다.",
    ),
    _VendorRow(
        "주식회사 채움리필", _ET.PRE_SOCIAL_MINISTRY, _D.MAPO, "정수아", "010-6641-2208",
        "chaeum.refill", "2025-01-02", None, (_C.HOUSEHOLD, _C.FASHION_BEAUTY),
        "포장재 없이 세제와 화장품을 덜어 파는 리필 가게를 꾸리는 "
        "환경형 예비 사회적기업입니다.",
    ),
    _VendorRow(
        "주식회사 도란도란목공방", _ET.PRE_SOCIAL_REGIONAL, _D.DOBONG, "송재영",
        "02-3491-5532", "doran.wood", "2022-07-01", None, (_C.HOUSEHOLD,),
        "서울 숲 가꾸기에서 나온 간벌목으로 주방 소품과 가구를 만드는 목공방입니다. "
        "은퇴한 목수와 자립준비청년이 함께 일합니다.",
    ),
    _VendorRow(
        "주식회사 숲과나무", _ET.PRE_SOCIAL_MINISTRY, _D.GANGDONG, "나현우", "02-471-8826",
        "soop.namu", "2023-05-01", None,
        (_C.BOOKS_EDUCATION, _C.OFFICE_IT, _C.HOUSEHOLD),
        "산림청이 지정한 산림형 예비 사회적기업입니다. "
        "국산 목재로 어린이 원목 교구를 만들고 숲 교육을 합니다.",
    ),
    _VendorRow(
        "주식회사 숲길체험학교", _ET.PRE_SOCIAL_REGIONAL, _D.NOWON, "윤다슬", "02-951-3370",
        "soopgil", "2024-09-01", None, (_C.TRAVEL_LEISURE, _C.BOOKS_EDUCATION),
        "숲해설가와 유아숲지도사가 모여 아이와 어르신을 위한 숲 체험을 여는 "
        "지역형 예비 사회적기업입니다.",
    ),
    _VendorRow(
        "주식회사 햇살공정여행", _ET.CERTIFIED_SOCIAL, _D.JONGNO, "김나래", "02-736-5580",
        "haetsal.travel", "2012-05-01", "2027-04-30", (_C.TRAVEL_LEISURE,),
        "현지 주민이 안내하고 수익이 마을에 남는 공정여행을 기획하는 인증 사회적기업입니다.",
    ),
    _VendorRow(
        "해방촌마을여행사", _ET.VILLAGE, _D.YONGSAN, "이정은", "02-795-3312",
        "haebangchon", "2019-05-20", "2029-05-19", (_C.TRAVEL_LEISURE,),
        "해방촌 주민들이 골목의 역사와 가게를 직접 안내하는 마을기업입니다.",
    ),
    _VendorRow(
        "주식회사 로컬트립랩", _ET.YOUTH_SOCIAL_VENTURE, _D.SEODAEMUN, "최준호",
        "010-8146-2275", "localtrip.lab", "2025-03-01", "2028-02-28", (_C.TRAVEL_LEISURE,),
        "지역 청년 가게를 잇는 동네 여행 코스를 만드는 청년 소셜벤처입니다. "
        "여행자가 쓴 돈이 골목 상권에 남도록 설계합니다.",
    ),
    _VendorRow(
        "주식회사 해봄자전거", _ET.SEOUL_SOCIAL, _D.SONGPA, "박건우", "02-403-6627",
        "haebom.bike", "2016-04-01", "2025-03-31", (_C.TRAVEL_LEISURE, _C.BOOKS_EDUCATION),
        "버려진 자전거를 고쳐 다시 타게 하는 서울형 사회적기업입니다. "
        "자립준비청년을 정비사로 고용합니다.",
    ),
    _VendorRow(
        "캠핑살림협동조합", _ET.COOPERATIVE, _D.GANGDONG, "황보민", "02-428-9913",
        "camping.sallim", "2021-06-07", "2031-06-06", (_C.TRAVEL_LEISURE,),
        "캠핑 장비를 사지 않고 함께 빌려 쓰는 공유 협동조합입니다. "
        "장비 세척과 수선은 경력보유 여성 조합원이 맡습니다.",
    ),
    _VendorRow(
        "사회적협동조합 모두의여행", _ET.SOCIAL_COOPERATIVE, _D.YEONGDEUNGPO, "김희정",
        "02-2675-8830", "modu.travel", "2018-10-01", "2028-09-30",
        (_C.TRAVEL_LEISURE, _C.BOOKS_EDUCATION),
        "휠체어 사용자와 어르신도 함께 떠날 수 있는 무장애 여행을 만드는 "
        "사회적협동조합입니다.",
    ),
    _VendorRow(
        "주식회사 마을극장 달빛", _ET.PRE_SOCIAL_MINISTRY, _D.JONGNO, "오민규", "02-766-2094",
        "dalbit.theater", "2022-03-01", None, (_C.TRAVEL_LEISURE, _C.BOOKS_EDUCATION),
        "대학로 소극장에서 주민 배우와 함께 연극을 올리는 문화예술형 예비 사회적기업입니다.",
    ),
    _VendorRow(
        "주식회사 책읽는마을", _ET.CERTIFIED_SOCIAL, _D.DONGJAK, "권서연", "02-815-4402",
        "readingvillage", "2013-10-01", "2024-09-30", (_C.BOOKS_EDUCATION,),
        "이주민과 장애인 작가의 이야기를 책으로 펴내는 출판 인증 사회적기업입니다. "
        "누구나 읽을 수 있는 쉬운 글 도서도 만듭니다.",
    ),
    _VendorRow(
        "책방협동조합 골목서재", _ET.COOPERATIVE, _D.SEONGBUK, "정윤서", "02-926-1184",
        "golmok.books", "2019-11-11", "2029-11-10", (_C.BOOKS_EDUCATION,),
        "동네 책방 다섯 곳이 함께 책을 들여오고 독서 모임을 꾸리는 협동조합입니다.",
    ),
    _VendorRow(
        "청소년교육협동조합 배움터", _ET.COOPERATIVE, _D.GURO, "서민재", "02-2611-3092",
        "baeumteo", "2015-09-01", "2030-08-31", (_C.BOOKS_EDUCATION,),
        "구로구 현직 교사와 학부모가 만든 교육 협동조합입니다. "
        "학교 밖 청소년의 진로 교육과 교재를 만듭니다.",
    ),
    _VendorRow(
        "서촌골목책방마을", _ET.VILLAGE, _D.JONGNO, "한소영", "02-737-6215",
        "seochon.books", "2021-04-05", "2031-04-04", (_C.BOOKS_EDUCATION, _C.TRAVEL_LEISURE),
        "서촌 주민들이 빈 한옥을 책방으로 고쳐 함께 꾸리는 마을기업입니다.",
    ),
    _VendorRow(
        "주식회사 손말잇다", _ET.YOUTH_SOCIAL_VENTURE, _D.SEOCHO, "이수빈", "010-2517-6693",
        "sonmal", "2024-11-01", "2027-10-31", (_C.BOOKS_EDUCATION,),
        "농인 청년과 청인 청년이 함께 수어 교재와 영상 강의를 만드는 청년 소셜벤처입니다.",
    ),
    _VendorRow(
        "주식회사 별빛보드게임", _ET.SEOUL_SOCIAL, _D.GWANGJIN, "곽태민", "02-454-3371",
        "byeolbit.games", "2019-07-01", "2029-06-30", (_C.BOOKS_EDUCATION,),
        "경계선 지능 청년이 게임 설계와 제작에 참여하는 보드게임 서울형 사회적기업입니다.",
    ),
    _VendorRow(
        "주식회사 코딩다리", _ET.YOUTH_SOCIAL_VENTURE, _D.GWANAK, "김도윤", "010-4478-9012",
        "codingdari", "2023-08-01", "2026-07-31", (_C.BOOKS_EDUCATION, _C.OFFICE_IT),
        "저소득 가정 아이들에게 무료 코딩 수업을 여는 청년 소셜벤처입니다. "
        "교육 상품을 팔아 그 비용을 댑니다.",
    ),
    _VendorRow(
        "사회적협동조합 늘봄공방", _ET.SOCIAL_COOPERATIVE, _D.GANGNAM, "조현정",
        "02-571-4496", "neulbom.craft", "2016-12-12", "2026-12-11",
        (_C.HOUSEHOLD, _C.OFFICE_IT),
        "발달장애인 직원들이 도자기와 캔들을 만드는 사회적협동조합입니다. "
        "기관 기념품을 주문 제작합니다.",
    ),
    _VendorRow(
        "문래철공예마을", _ET.VILLAGE, _D.YEONGDEUNGPO, "최만수", "02-2632-7718",
        "mullae.iron", "2018-06-25", "2028-06-24",
        (_C.HOUSEHOLD, _C.OFFICE_IT, _C.TRAVEL_LEISURE),
        "문래동 철공소 장인들과 예술가들이 자투리 철로 생활 소품을 만드는 마을기업입니다.",
    ),
    _VendorRow(
        "자활기업 되돌림가구", _ET.SELF_SUFFICIENCY, _D.JUNGNANG, "박상철", "02-491-2235",
        "doedollim", "2020-08-03", "2030-08-02", (_C.HOUSEHOLD, _C.OFFICE_IT),
        "버려진 가구를 고치고 다시 칠해 파는 자활기업입니다. "
        "재활용센터에서 가구 수리 기술을 익힌 주민들이 일합니다.",
    ),
)
# fmt: on


def _add_years(start: date, years: int) -> date:
    """``start`` moved by whole years; 29 February falls back to the 28th."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _vendor_from_row(index: int, row: _VendorRow) -> VendorSeed:
    """Turn a written row into a seed, deriving what must follow rules rather than typing.

    The BRN is synthetic: an office prefix from the district's position (101-197, not the
    real tax-office table), the business-kind digits for the enterprise type, a serial
    unique per index, and the computed check digit.
    """
    since = date.fromisoformat(row.since)
    if row.etype in _PRE_SOCIAL:
        if row.until is not None:
            raise ValueError(f"{row.name}: 예비 사회적기업 validity is computed, not written")
        until = _add_years(since, PRE_SOCIAL_SUPPORT_YEARS) - timedelta(days=1)
    elif row.until is None:
        raise ValueError(f"{row.name}: certified_to is required for {row.etype.label}")
    else:
        until = date.fromisoformat(row.until)
    office = 101 + 4 * list(District).index(row.district)
    serial = (1234 + 7919 * index) % 10_000
    first9 = f"{office:03d}{_BRN_KIND[row.etype]:02d}{serial:04d}"
    certificate = _CERT_FORMAT[row.etype].format(year=since.year, n=(17 + 37 * index) % 250 + 1)
    return VendorSeed(
        name=row.name,
        enterprise_type=row.etype,
        district=row.district,
        business_registration_number=first9 + brn_check_digit(first9),
        representative=row.representative,
        phone=row.phone,
        email=f"{row.mailbox}@example.kr",
        certification_number=certificate,
        certified_from=since,
        certified_to=until,
        description=row.description,
        main_categories=row.categories,
    )


def demo_vendors() -> list[VendorSeed]:
    """All demo vendors (51): every enterprise type, all 25 districts, some lapsed."""
    return [_vendor_from_row(i, row) for i, row in enumerate(_VENDOR_ROWS)]


# ---------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------
#
# The catalog is written as text because that is how a person would list a shop's goods,
# and it keeps 330-odd products readable. The format, checked strictly by the parser:
#
#   ## <vendor name>                       starts a vendor's section
#   > <one sentence>                        what every product of the vendor shares
#   <product name> | <label>=<won>, ... | <flags>
#     <one sentence about this product>     (indented two spaces)
#
# Flags are optional: a Category value (when the product is not in the vendor's first
# main category), StrategicItem values (which also make the product eco-friendly), and
# "eco" for eco-friendly goods outside the five strategic fields.

_CATALOG_TEXT = """
## 성북마을빵협동조합
> 경력이 끊겼던 동네 여성 제빵사들이 새벽마다 직접 굽습니다.
유기농수제쿠키선물세트 | 12개입=18000, 24개입=32000 | eco
  유기농 밀가루와 비정제 원당, 국산 버터로 구운 쿠키 네 가지 맛을 담았습니다.
우리밀통밀식빵 | 기본=6500
  국산 통밀을 40% 넣어 고소하고 씹을수록 단맛이 납니다.
성북동쌀바게트 | 기본=4800
  쌀가루를 섞어 겉은 바삭하고 속은 촉촉한 바게트입니다.
단호박앙금빵 | 6개입=12000
  국산 단호박으로 쑨 앙금을 듬뿍 넣어 아이 간식으로 좋습니다.
무화과호두캄파뉴 | 기본=9500
  천연 발효종으로 하루 동안 숙성해 무화과와 호두를 가득 넣었습니다.
마을빵정기배송 | 주1회 4주=54000, 주2회 4주=98000
  그 주에 구운 빵 세 가지를 골라 정해진 요일에 보내 드립니다.
수제그래놀라 | 300g=11000, 600g=19800 | eco
  국산 귀리와 견과류를 조청에 버무려 낮은 온도에서 천천히 구웠습니다.
구움과자답례품세트 | 10세트=45000, 30세트=129000
  마들렌과 휘낭시에를 하나씩 포장해 행사 답례품으로 알맞습니다.

## 늘푸른자활센터 도시락
> 자활 참여 주민들이 조리사 자격을 갖추고 매일 아침 조리합니다.
제철나물비빔밥도시락 | 1개=7500, 10개=72000
  제철 나물 다섯 가지와 약고추장을 곁들인 비빔밥 도시락입니다.
돼지불고기한상도시락 | 1개=9000, 10개=86000
  국내산 돼지 앞다리살 불고기에 반찬 네 가지를 담았습니다.
회의용샌드위치박스 | 6인분=39000, 12인분=76000
  달걀·햄치즈·채소 샌드위치를 한입 크기로 잘라 회의 자리에 맞췄습니다.
어르신영양죽 3종 | 3팩=15000
  전복죽·호박죽·단팥죽을 부드럽게 쑤어 데우기만 하면 됩니다.
채식한끼도시락 | 1개=8000
  고기와 달걀 없이 두부와 버섯으로 단백질을 채운 채식 도시락입니다.
행사용떡다과세트 | 10인분=45000, 30인분=129000
  떡과 과일, 음료를 한 상자에 담아 행사장까지 배달합니다.
반찬4종정기배송 | 4주=88000
  매주 월요일 밑반찬 네 가지를 만들어 집 앞까지 가져다 드립니다.

## 사회적협동조합 들꽃밥상
> 보호가 끝난 자립준비청년들이 요리사로 일하며 만듭니다.
핑거푸드케이터링 | 20인분=260000
  카나페와 미니 주먹밥, 과일꼬치로 차린 행사용 뷔페 상차림입니다.
제철채소김밥세트 | 10줄=35000
  햄 대신 제철 채소와 유부를 넣어 담백하게 말았습니다.
청년셰프오픈샌드위치 | 기본=6500
  호밀빵에 구운 채소와 리코타 치즈를 올린 청년 셰프의 대표 메뉴입니다.
유자드레싱샐러드박스 | 1인=9500, 5인=45000
  고흥 유자로 만든 드레싱과 닭가슴살을 곁들인 샐러드입니다.
수제약과답례품 | 10개입=15000
  조청과 참기름으로 반죽해 하나씩 포장한 답례용 약과입니다.
들꽃밥상도시락 | 기본=9500
  잡곡밥과 국, 반찬 다섯 가지를 담은 집밥 같은 도시락입니다.
과일컵디저트 | 6컵=21000
  제철 과일을 한입 크기로 잘라 요거트와 함께 컵에 담았습니다.

## 우이골한과마을
> 우이동 어르신들이 집안 대대로 이어 온 솜씨로 손수 만듭니다.
마을기업전통한과 | 500g=25000, 1kg=45000
  찹쌀 유과와 약과, 강정을 고루 담은 마을기업의 대표 한과입니다.
찹쌀유과선물세트 | 기본=32000
  국산 찹쌀을 삭히고 말려 튀긴 뒤 쌀 튀밥을 입혀 바삭합니다.
수제조청약과 | 10개입=12000
  직접 고은 조청에 재워 겉은 쫀득하고 속은 촉촉합니다.
쌀강정 3종 세트 | 3종=21000
  흑미·현미·백미 강정을 한 상자에 담았습니다.
도라지정과 | 200g=18000
  국산 도라지를 조청에 여러 번 졸여 쌉싸름한 단맛이 납니다.
명절한과바구니 | 기본=68000
  대나무 바구니에 한과 여섯 가지를 담은 명절 선물입니다.
깨강정 | 300g=11000
  검은깨와 흰깨를 조청에 버무려 얇게 펴 굳혔습니다.

## 망원마을부엌
> 망원동 공유부엌에서 이웃들이 함께 만들고 홀로 사는 이웃과 나눕니다.
엄마손반찬 4종 세트 | 4종=22000
  멸치볶음·무말랭이·콩자반·시금치나물을 담았습니다.
저염된장찌개키트 | 2인분=9800
  손질한 채소와 저염 된장이 들어 있어 끓이기만 하면 됩니다.
망원시장떡볶이밀키트 | 2인분=8900
  시장 방앗간에서 뽑은 쌀떡과 직접 만든 양념장을 담았습니다.
우엉조림 | 300g=7500
  국산 우엉을 간장과 조청으로 윤기 나게 조렸습니다.
멸치호두볶음 | 200g=9000
  남해 잔멸치와 호두를 달지 않게 볶았습니다.
김장김치 | 2kg=28000, 5kg=65000
  해남 배추와 국산 고춧가루로 이웃들이 함께 담갔습니다.
1인가구반찬구독 | 4주=79000
  매주 반찬 세 가지를 1인분씩 나눠 담아 보내 드립니다.

## 도봉햇살마을장독대
> 도봉산 자락 마을 옥상 장독대에서 햇볕에 익혔습니다.
전통재래된장 | 1kg=18000, 3kg=50000
  국산 콩으로 쑨 메주를 2년 동안 숙성한 된장입니다.
찹쌀고추장 | 500g=15000, 1kg=27000
  찹쌀과 국산 고춧가루, 엿기름으로 담가 깊은 단맛이 납니다.
햇살국간장 | 900ml=16000
  된장을 가르고 남은 장물을 달여 맑고 짭조름합니다.
청국장가루 | 300g=13000
  띄운 청국장을 말려 곱게 빻아 요구르트에 타 먹기 좋습니다.
장독대장3종선물세트 | 기본=52000
  된장·고추장·간장을 작은 옹기 항아리에 나눠 담았습니다.
매실장아찌 | 500g=14000
  청매실을 설탕에 절였다가 고추장에 박아 새콤달콤합니다.

## 주식회사 함께짓는빵
> 발달장애인 제빵사들이 정규직으로 일하며 구워 냅니다.
우리밀단팥빵 | 5개입=9500
  국산 팥을 직접 삶아 앙금을 만들고 우리밀 반죽으로 감쌌습니다.
발효버터크루아상 | 4개입=12000
  발효 버터로 결을 살려 스물일곱 겹으로 접었습니다.
회의간식빵박스 | 10인=35000, 20인=68000
  한입 크기 빵 다섯 가지와 쿠키를 회의 인원에 맞춰 담습니다.
당근케이크 | 1호=28000, 2호=36000
  강원도 당근과 호두를 넣고 크림치즈를 얹었습니다.
수제잼쿠키틴케이스 | 기본=16000
  딸기잼과 살구잼 쿠키를 다시 쓸 수 있는 틴 케이스에 담았습니다.
통밀스콘 | 6개입=13500
  통밀가루와 버터밀크로 반죽해 담백하게 구웠습니다.
명절빵선물세트 | 기본=39000
  파운드케이크와 쿠키, 잼을 보자기에 싸 드립니다.

## 주식회사 모두의식탁
> 한 세트가 팔릴 때마다 결식 우려 청소년에게 한 끼가 전해집니다.
닭가슴살현미밥밀키트 | 1팩=6900, 10팩=62000
  현미밥과 닭가슴살, 구운 채소를 전자레인지에 데우기만 하면 됩니다.
들기름두부덮밥키트 | 2인분=10900
  국산 두부와 들기름 양념으로 십 분이면 덮밥이 완성됩니다.
소고기미역국키트 | 2인분=11900
  한우 양지와 기장 미역을 손질해 담았습니다.
채소듬뿍카레밀키트 | 2인분=9900
  감자·당근·양파를 큼직하게 썰어 넣은 순한 카레입니다.
청년자취생주간식단 | 5일분=45000
  영양사가 짠 닷새치 저녁 식단을 한 번에 받는 꾸러미입니다.
간편한끼누룽지 | 10봉=13000
  국산 쌀로 구운 누룽지를 한 끼 분량씩 나눠 담았습니다.

## 공정무역협동조합 한잔
> 동티모르와 페루 소농 협동조합에서 공정무역으로 들여왔습니다.
공정무역원두커피 200g | 홀빈=12000, 분쇄=12000
  동티모르 마을 커피를 중간 정도로 볶아 고소한 견과류 향이 납니다.
공정무역드립백 | 10개입=11000, 30개입=30000
  두 가지 원두를 섞어 사무실에서도 손쉽게 내려 마십니다.
유기농콜드브루원액 | 500ml=15000 | eco
  유기농 원두를 찬물에 열두 시간 우려 물이나 우유에 타 마십니다.
공정무역다크초콜릿 70% | 100g=5500
  페루 카카오 협동조합의 원료로 만든 다크초콜릿입니다.
히비스커스허브티 | 20티백=9000
  공정무역 히비스커스와 로즈힙을 섞은 새콤한 붉은 차입니다.
공정무역원당 | 1kg=6800
  필리핀 소농이 기른 사탕수수로 만든 비정제 원당입니다.
회의용커피박스 | 20인=48000
  보온 용기에 내린 커피와 컵, 설탕을 함께 배달합니다.

## 꽃피는자활카페
> 자활 참여 주민들이 바리스타 교육을 마치고 직접 볶습니다.
하우스블렌드원두 | 500g=15000, 1kg=28000
  브라질과 콜롬비아 원두를 섞어 쓴맛이 적고 부드럽습니다.
디카페인드립백 | 12개입=14400
  물로만 카페인을 걸러 낸 원두를 담았습니다.
수제밀크티베이스 | 500ml=13000
  아삼 홍차를 진하게 우려 우유에 섞기만 하면 됩니다.
카페쿠키박스 | 기본=15000
  카페에서 굽는 초코칩·오트밀 쿠키를 한 상자에 담았습니다.
더치커피선물세트 | 2병=29000
  한 방울씩 내린 더치커피를 유리병 두 개에 담았습니다.
은평단호박라떼파우더 | 300g=12500
  단호박을 쪄서 말려 갈아 만든 라떼 가루입니다.

## 주식회사 오늘비건
> 모양 때문에 버려질 뻔한 못난이 농산물을 제값에 사서 씁니다.
비건오트쿠키 | 8개입=14000 | eco
  버터와 달걀 없이 귀리와 코코넛오일로 구웠습니다.
못난이사과비건파이 | 기본=18500 | eco
  흠집 난 사과를 졸여 채운 바삭한 비건 파이입니다.
두유크림롤케이크 | 기본=23000
  두유 크림을 부드럽게 휘핑해 말았습니다.
글루텐프리쌀머핀 | 4개입=12800
  국산 쌀가루로 만들어 밀가루 알레르기가 있어도 먹을 수 있습니다.
비건브라우니선물세트 | 9개입=27000
  카카오 함량을 높인 꾸덕한 브라우니를 아홉 조각으로 잘랐습니다.
현미누룽지그래놀라 | 250g=9900 | eco
  자투리 현미 누룽지를 버리지 않고 그래놀라로 되살렸습니다.

## 주식회사 도시농부들
> 서초 내곡동 무농약 농장에서 은퇴한 어르신 농부들이 길렀습니다.
무농약제철채소꾸러미 | 소=19000, 대=32000 | green_agriculture
  그 주에 거둔 채소 일곱 가지 안팎을 신문지에 싸서 보냅니다.
유기농쌈채소 | 500g=8900 | green_agriculture
  상추·케일·적겨자 같은 쌈채소를 아침에 따서 보냅니다.
친환경방울토마토 | 1kg=12000 | green_agriculture
  화학비료 없이 길러 껍질이 얇고 단맛이 진합니다.
텃밭감자 | 3kg=15000 | green_agriculture
  유기농으로 기른 수미감자를 흙째 보내 오래 두고 먹을 수 있습니다.
베란다텃밭키트 | 기본=24000 | household green_agriculture
  화분과 상토, 씨앗 세 가지, 재배 안내서가 들어 있습니다.
지렁이분변토퇴비 | 5L=9000 | household green_agriculture
  음식물 찌꺼기를 지렁이가 분해해 만든 천연 퇴비입니다.
허브모종 3종 세트 | 3종=11000 | household eco
  바질·로즈메리·애플민트 모종을 종이 화분에 담았습니다.
도시농부토종씨앗 | 10종=15000 | household green_agriculture
  어르신 농부들이 해마다 받아 온 토종 씨앗 열 가지입니다.

## 사회적협동조합 텃밭학교
> 학교 텃밭을 아이들과 함께 가꾸는 도시농업 교사들이 만들었습니다.
어린이텃밭교실 8회 과정 | 1인=80000 | green_agriculture
  씨 뿌리기부터 수확과 요리까지 여덟 번에 걸쳐 배웁니다.
텃밭가꾸기그림책 | 기본=14000
  상추가 자라는 한 해를 아이 눈높이의 그림으로 그렸습니다.
학교텃밭운영교구세트 | 기본=120000 | green_agriculture
  상자 텃밭 네 개와 관찰일지, 교사용 지도안을 담았습니다.
먹거리교육워크북 | 기본=9000
  밥상 위 음식이 어디서 오는지 따라가는 초등 활동지입니다.
교사연수 도시농업입문 | 1인=50000
  학교 텃밭을 처음 맡은 교사를 위한 하루 연수입니다.
텃밭수확잼 2종 | 2병=16000 | food green_agriculture
  학교 텃밭에서 거둔 딸기와 토마토로 잼을 쑤었습니다.
말린허브차 3종 | 3종=18000 | food eco
  텃밭에서 기른 캐모마일·레몬밤·페퍼민트를 그늘에 말렸습니다.

## 주식회사 되살림공방
> 폐현수막과 가죽 자투리를 세척하고 재단해 하나씩 꿰맸습니다.
업사이클링에코백 | 기본=19000 | green_cycle
  행사가 끝난 현수막을 깨끗이 빨아 튼튼한 에코백으로 만들었습니다.
현수막업사이클토트백 | M=29000, L=35000 | green_cycle
  물이 스며들지 않는 현수막 원단이라 장보기와 운동 가방으로 좋습니다.
가죽자투리카드지갑 | 기본=22000 | green_cycle
  가죽 공장에서 버려지는 자투리를 이어 붙여 만들었습니다.
업사이클파우치 3종 | 3종=24000 | green_cycle
  크기가 다른 파우치 세 개라 화장품과 충전기를 나눠 담습니다.
폐우산방수파우치 | 기본=15000 | green_cycle
  고장 난 우산 천을 떼어 내 물이 새지 않는 파우치로 만들었습니다.
업사이클링크로스백 | 기본=42000 | green_cycle
  현수막 원단에 가죽 자투리 끈을 달아 가볍고 튼튼합니다.
폐현수막장바구니 | 기본=9000 | household green_cycle
  접으면 손바닥만 해져 가방에 넣어 다니기 좋습니다.
커피마대쿠션커버 | 45cm=18000 | household green_cycle
  카페에서 버려지는 커피 생두 마대로 만든 쿠션 커버입니다.

## 주식회사 온기뜨개
> 강북구 홀몸 어르신들이 뜨개방에 모여 한 코 한 코 떴습니다.
손뜨개목도리 | 기본=35000
  부드러운 메리노 울로 두툼하게 떠 한겨울에도 따뜻합니다.
울니트비니 | 기본=28000
  머리에 꼭 맞게 늘어나는 골지 무늬로 떴습니다.
아기손뜨개양말 | 0-6개월=15000, 6-12개월=16000
  순면 실로 떠 아기 피부에 닿아도 자극이 적습니다.
뜨개네트백 | 기본=32000
  면사로 성기게 떠 장바구니로 쓰기에도 좋습니다.
손뜨개키링 2종 | 2종=12000
  작은 꽃과 딸기 모양을 떠 가방에 달기 좋습니다.
손뜨개장갑 | 성인=26000, 어린이=22000
  엄지만 나뉜 벙어리장갑이라 손이 시린 날에도 따뜻합니다.
할머니손뜨개수세미 | 5개입=9000 | household
  세제가 적게 드는 뜨개 수세미를 다섯 가지 색으로 떴습니다.

## 주식회사 한땀봉제
> 중랑구 봉제 골목의 결혼이주여성 재봉사들이 한 땀씩 지었습니다.
면린넨앞치마 | 기본=24000
  면과 린넨을 섞어 구김이 적고 주머니가 넉넉합니다.
유기농면티셔츠 | S=19000, M=19000, L=19000, XL=21000 | eco
  유기농 면으로 짜 빨아도 잘 늘어나지 않습니다.
린넨셔츠원피스 | M=68000, L=68000
  바람이 잘 통하는 린넨으로 여름 내내 시원하게 입습니다.
봉제장인 파자마세트 | M=59000, L=59000
  이중 거즈 원단으로 지어 잠옷으로 부드럽습니다.
단체조끼주문제작 | M=18000, L=18000, XL=20000
  행사와 봉사활동용 조끼에 단체 이름을 새겨 드립니다.
천연염색실크스카프 | 기본=45000
  쪽과 감물로 물들인 실크 스카프입니다.
주방장갑 2P | 2P=12000 | household
  두꺼운 면 누빔으로 뜨거운 냄비도 안전하게 잡습니다.

## 주식회사 고운손
> 한부모 여성 가장들이 천연 원료로 소량씩 만듭니다.
천연수제비누3종 | 3종=18000 | eco
  쌀겨·녹차·숯 비누를 저온에서 한 달 동안 숙성해 말렸습니다.
쌀겨보습크림 | 50ml=22000
  쌀겨 추출물과 시어버터로 건조한 피부를 촉촉하게 지켜 줍니다.
무향핸드크림 3개입 | 3개입=19500
  향료를 넣지 않아 향에 민감한 분도 편하게 씁니다.
고체샴푸바 | 기본=14000 | eco
  플라스틱 용기 없이 종이로만 포장한 고체 샴푸입니다.
약산성폼클렌저 | 150ml=16000
  자극을 줄인 약산성 세안제로 아침저녁 쓰기 좋습니다.
천연립밤 2개입 | 2개입=11000
  밀랍과 호호바 오일로 만들어 입술이 트지 않게 지켜 줍니다.
아토피베이비로션 | 200ml=24000
  피부 자극 시험을 마친 저자극 보습 로션입니다.

## 자활기업 바느질나라
> 동대문 봉제 경력이 있는 자활 참여 주민들이 함께 만듭니다.
린넨손수건 3장 | 3장=12000
  삶아 써도 되는 린넨 손수건에 작은 자수를 놓았습니다.
방한귀마개 | 기본=9500
  극세사 안감을 대어 찬 바람을 막아 줍니다.
면에코백 단체주문 | 50장=150000, 100장=280000
  기관명이나 행사명을 실크스크린으로 찍어 드립니다.
캔버스필통 | 기본=8000 | office_it
  두꺼운 캔버스 원단으로 만들어 오래 씁니다.
노트북파우치 | 13인치=19000, 15인치=21000 | office_it
  쿠션 솜을 넣어 충격을 막아 주는 노트북 파우치입니다.
행사명찰목걸이 | 50개=45000 | office_it
  면 끈과 투명 명찰 케이스로 만든 행사용 명찰입니다.
행사용어깨띠주문제작 | 10개=60000 | office_it
  원하는 문구를 새겨 행사와 캠페인에 씁니다.

## 주식회사 바다살림
> 바닷가에서 주운 폐어망과 해양 플라스틱을 씻고 녹여 만들었습니다.
폐어망업사이클팔찌 | 기본=13000 | green_cycle
  바다에 버려진 나일론 어망을 꼬아 만든 팔찌입니다.
해양플라스틱귀걸이 | 기본=17000 | green_cycle
  병뚜껑 조각을 녹여 물결무늬 귀걸이로 만들었습니다.
바다유리목걸이 | 기본=25000 | green_cycle
  파도에 닳은 유리 조각을 은사슬에 달았습니다.
폐어망헤어끈 | 3개입=9000 | green_cycle
  어망 실로 짜 잘 늘어나고 오래 씁니다.
폐어망선글라스줄 | 기본=12000 | green_cycle
  물에 젖어도 빨리 마르는 어망 끈으로 만들었습니다.
해양플라스틱코스터 | 4P=16000 | household green_cycle
  색이 다른 플라스틱 조각이 모여 하나하나 무늬가 다릅니다.
재생플라스틱비누받침 | 기본=8500 | household green_cycle
  물이 잘 빠지는 홈을 내 비누가 무르지 않습니다.

## 주식회사 푸른재생토너
> 장애인과 고령자 직원들이 다 쓴 카트리지를 회수해 다시 채웠습니다.
HP호환재생토너 CF217A | 기본=29000 | green_cycle
  정품과 같은 매수를 인쇄하는지 시험해 통과한 재생 토너입니다.
삼성호환재생토너 MLT-D111S | 기본=27000 | green_cycle
  삼성 흑백 레이저 프린터에 쓰는 재생 토너입니다.
캐논호환재생토너 CRG-328 | 기본=31000 | green_cycle
  캐논 복합기용 재생 토너로 드럼까지 점검해 채웠습니다.
브라더호환재생토너 TN-2480 | 기본=33000 | green_cycle
  브라더 레이저 프린터용 대용량 재생 토너입니다.
재생잉크카트리지 4색세트 | 4색=36000 | green_cycle
  검정·파랑·빨강·노랑 잉크 카트리지를 한 번에 바꿉니다.
복합기드럼재생 | 기본=45000 | green_cycle
  수명이 다한 드럼을 분해해 씻고 부품을 갈아 되살립니다.
사무실토너회수계약 | 연간=120000 | green_cycle
  다 쓴 카트리지를 분기마다 찾아가 재생하고 처리 실적을 드립니다.
재생복사용지 A4 2500매 | 1박스=24000, 5박스=115000 | green_cycle
  폐지를 다시 펄프로 만든 재생 복사용지입니다.

## 주식회사 새날컴퓨터
> 청각장애인 정비기사들이 데이터를 완전히 지우고 손봐 다시 내놓습니다.
리퍼비시데스크톱 i5 | 8GB=259000, 16GB=289000 | green_cycle
  공공기관 불용 PC를 정비하고 SSD로 바꿔 1년 동안 무상으로 보증합니다.
리퍼비시노트북 14인치 | 8GB=279000 | green_cycle
  배터리를 새것으로 바꾸고 정품 운영체제를 설치했습니다.
재생모니터 24인치 | 기본=119000 | green_cycle
  화면 불량 점검을 마친 FHD 모니터입니다.
리퍼비시태블릿 10인치 | 기본=149000 | green_cycle
  교육용으로 쓰기 좋게 초기화하고 보호 케이스를 씌웠습니다.
중고키보드마우스세트 | 기본=15000 | green_cycle
  소독과 부품 점검을 마친 유선 키보드와 마우스입니다.
하드디스크완전삭제서비스 | 1대=15000, 10대=130000
  보안 권고 기준에 맞춰 지우고 삭제 확인서를 발급합니다.
PC출장점검 | 1회=50000
  사무실로 찾아가 컴퓨터 속도 저하와 악성코드를 점검합니다.

## 주식회사 나눔인쇄
> 을지로 인쇄 골목에서 길러 낸 장애인 인쇄 기술자들이 찍습니다.
재생지명함 | 200매=15000, 500매=28000 | green_cycle
  재생지에 콩기름 잉크로 찍어 환경 부담을 줄였습니다.
콩기름잉크리플릿 | 1000부=180000 | eco
  석유 대신 콩기름으로 만든 잉크를 써 냄새가 적습니다.
행사현수막제작 | 1장=45000
  크기와 문구를 알려 주시면 시안을 보내 드립니다.
재생지봉투 | 소봉투 100매=18000, 대봉투 100매=25000 | green_cycle
  기관 로고를 넣어 찍는 재생지 서류 봉투입니다.
기관소식지인쇄 | 500부=250000
  편집 디자인부터 인쇄와 발송까지 한 번에 맡습니다.
사무용스탬프주문제작 | 기본=22000
  결재·접수 스탬프를 원하는 문구로 만듭니다.
재생지떡메모지 | 5개입=12000 | green_cycle
  인쇄하고 남은 재생지를 잘라 만든 메모지입니다.

## 주식회사 꿈꾸는문구
> 발달장애 작가들의 그림으로 만들고 판매 수익을 작가와 나눕니다.
발달장애작가그림노트 | A5=6000, B5=7500
  작가들의 그림을 표지에 실은 무선 노트입니다.
아트패턴마스킹테이프 | 3종=9000
  작가 그림에서 뽑은 무늬로 만든 마스킹테이프입니다.
그림작가탁상달력 2027 | 기본=12000
  열두 작가의 그림을 한 장씩 담은 탁상 달력입니다.
아트원목볼펜 | 5자루=10000
  작가 그림을 새긴 원목 볼펜 다섯 자루입니다.
일러스트스티커팩 | 기본=4500
  다이어리 꾸미기에 좋은 스티커 여섯 장입니다.
기관기념품세트주문제작 | 10세트=150000
  노트와 볼펜, 엽서를 기관 로고와 함께 구성해 드립니다.
아트엽서 12종 | 12종=15000
  작가 열두 명의 그림을 엽서로 만들었습니다.

## 사회적협동조합 다온IT
> 경력 단절 여성과 장애인 개발자들이 만들고 관리합니다.
기관홈페이지제작 기본형 | 기본=290000
  다섯 쪽 안팎의 반응형 홈페이지를 웹 접근성 기준에 맞춰 만듭니다.
웹접근성진단보고서 | 기본=250000
  화면 낭독기로 직접 써 보고 고칠 점을 보고서로 드립니다.
홈페이지유지보수 월정액 | 1개월=90000
  게시물 수정과 보안 업데이트를 매달 맡아 합니다.
시니어스마트폰교실 4회 | 1인=40000 | books_education
  사진 보내기와 길 찾기, 키오스크 쓰는 법을 천천히 배웁니다.
엑셀업무자동화강의 | 1인=60000 | books_education
  함수와 피벗 테이블로 반복 업무를 줄이는 실습 강의입니다.
키오스크사용법교육 | 10인=150000 | books_education
  복지관과 주민센터로 찾아가 무인 주문기 쓰는 법을 알려 드립니다.

## 주식회사 페이퍼플랜트
> 동네 어르신들의 폐지를 시세보다 높게 사서 종이 제품으로 되살립니다.
우유팩재생노트 | 3권=8500 | green_cycle
  씻어 모은 우유팩을 재생해 만든 노트입니다.
재생지스프링수첩 | 기본=5500 | green_cycle
  손바닥만 한 크기로 주머니에 넣어 다니기 좋습니다.
재생펄프서류파일 | 10개=12000 | green_cycle
  플라스틱 없이 종이로만 만든 서류 파일입니다.
재생지다이어리 2027 | 기본=16000 | green_cycle
  표지부터 속지까지 모두 재생지로 만든 다이어리입니다.
골판지독서대 | 기본=13000 | green_cycle
  접어서 보관하는 튼튼한 골판지 독서대입니다.
종이화분 | 10개입=7000 | household green_cycle
  모종을 옮겨 심을 때 화분째 땅에 묻으면 흙으로 돌아갑니다.
종이완충재포장키트 | 기본=15000 | household green_cycle
  뽁뽁이 대신 쓰는 벌집 모양 종이 완충재입니다.

## 주식회사 해밝음랩
> 하나가 팔릴 때마다 에너지 빈곤 가구에 하나를 기부합니다.
태양광보조배터리 10000mAh | 기본=39000 | green_energy
  햇빛으로도 충전되는 보조배터리라 정전에 대비하기 좋습니다.
태양광책상스탠드 | 기본=45000 | green_energy
  낮에 충전해 두면 밤에 네 시간 동안 책상을 밝힙니다.
태양광USB충전기 | 기본=25000 | green_energy
  창가에 붙여 두면 휴대폰을 충전할 수 있습니다.
태양광LED랜턴 | 기본=29000 | travel_leisure green_energy
  접으면 납작해져 캠핑과 비상용으로 챙기기 좋습니다.
휴대용태양광패널 20W | 기본=89000 | travel_leisure green_energy
  캠핑장에서 노트북과 조명을 충전하는 접이식 패널입니다.
태양광정원등 | 4P=32000 | household green_energy
  해가 지면 저절로 켜지는 정원등 네 개입니다.

## 은평햇빛에너지협동조합
> 조합원이 세운 햇빛발전소의 수익을 마을 에너지 복지에 씁니다.
베란다미니태양광 350W | 설치포함=279000 | green_energy
  아파트 베란다 난간에 다는 작은 발전기로 전기 요금을 줄입니다.
가정용전력측정기 | 기본=25000 | eco
  콘센트에 꽂아 가전제품의 대기 전력을 확인합니다.
에너지절약멀티탭 | 4구=19000 | eco
  구마다 스위치가 있어 쓰지 않는 전기를 끌 수 있습니다.
태양광휴대폰충전거치대 | 기본=42000 | office_it green_energy
  사무실 창가에 두고 휴대폰을 햇빛으로 충전합니다.
태양광발전교육키트 | 기본=35000 | books_education green_energy
  작은 패널과 모터로 햇빛 발전 원리를 실험하는 교구입니다.
햇빛발전소견학프로그램 | 1인=10000 | travel_leisure green_energy
  학교 옥상 발전소를 둘러보고 에너지 전환 이야기를 듣습니다.

## 동작집수리협동조합
> 동네 기술자 조합원들이 에너지 취약 가구 집수리도 함께 합니다.
창문단열시공 | 1세대=89000 | green_remodeling
  창문에 단열 필름과 틈막이를 붙여 겨울 난방비를 줄입니다.
고효율LED등교체 | 방등=45000, 거실등=65000 | green_remodeling
  오래된 형광등을 고효율 LED로 바꾸고 폐형광등을 수거합니다.
문풍지틈막이키트 | 기본=12000 | green_remodeling
  혼자서도 붙일 수 있는 문풍지와 틈막이, 설명서를 담았습니다.
단열벽지시공 | 10평=290000 | green_remodeling
  결로가 생기는 벽에 단열 벽지를 발라 곰팡이를 막습니다.
절수형샤워헤드 | 기본=18000 | eco
  물줄기는 그대로 두고 쓰는 물을 30% 줄입니다.
집수리안전점검 | 1회=30000
  누전과 가스 누출, 배관 상태를 점검하고 결과를 알려 드립니다.

## 자활기업 한마음집수리
> 도배·장판·단열 기술을 익힌 자활 참여 주민들이 시공합니다.
도배장판시공 원룸 | 원룸=250000
  친환경 벽지와 장판으로 하루 안에 원룸을 새로 꾸밉니다.
현관중문단열커튼 | 기본=39000 | green_remodeling
  현관으로 드는 찬 바람을 막는 두꺼운 단열 커튼입니다.
보일러배관청소 | 1회=70000 | green_remodeling
  배관 속 찌꺼기를 씻어 내 난방 효율을 높입니다.
욕실실리콘재시공 | 1회=60000
  곰팡이 핀 실리콘을 걷어 내고 새로 쏩니다.
방충망교체 | 1짝=35000
  촘촘한 미세 방충망으로 바꿔 드립니다.
친환경페인트셀프키트 | 4L=48000 | eco
  냄새가 적은 수성 페인트와 붓, 롤러를 담았습니다.

## 자활기업 깨끗한세상
> 관악구 자활 참여 주민들이 직접 섞고 담아 만듭니다.
친환경주방세제 | 1L=7900, 리필 2L=12900 | eco
  야자 유래 세정 성분으로 만들어 헹굼이 빠릅니다.
베이킹소다세탁세제 | 2kg=11000 | eco
  형광증백제 없이 베이킹소다로 만든 가루 세제입니다.
과탄산소다표백제 | 1kg=6500
  누렇게 변한 빨래와 행주를 삶지 않고도 하얗게 합니다.
다목적천연세정제 | 500ml=8500 | eco
  식초와 구연산으로 만들어 주방과 욕실 어디에나 씁니다.
구연산린스 | 1kg=7000
  섬유유연제 대신 헹굼물에 넣어 쓰는 구연산입니다.
천연수세미 | 3개입=6000 | eco
  말린 수세미 열매를 잘라 만든, 흙으로 돌아가는 수세미입니다.
사무실정기청소 | 주1회 한 달=250000
  주 1회 찾아가 바닥과 책상, 화장실을 청소합니다.

## 주식회사 채움리필
> 포장재 없이 덜어 파는 리필 가게에서 쓰레기를 줄이며 팝니다.
리필세탁세제 | 1L=6000 | green_cycle
  다회용 병에 담아 보내고 빈 병은 다음 주문 때 회수합니다.
소창행주 | 3장=12000 | eco
  여러 번 삶아 쓸 수 있는 면 소창 행주입니다.
밀랍랩 3종 | 3종=16000 | eco
  비닐 랩 대신 그릇을 덮는 밀랍 천입니다.
다회용실리콘지퍼백 | 1L=9500 | eco
  삶아서 소독할 수 있는 실리콘 지퍼백입니다.
스테인리스빨대세트 | 기본=7500 | eco
  세척솔과 파우치가 함께 들어 있습니다.
대나무칫솔 | 4개입=10000 | fashion_beauty eco
  손잡이가 대나무라 다 쓰고 나면 자연으로 돌아갑니다.
리필샴푸 | 500ml=9000 | fashion_beauty green_cycle
  다회용 병에 담아 보내고 빈 병은 다음 주문 때 회수합니다.
리필바디워시 | 500ml=9000 | fashion_beauty green_cycle
  약산성 바디워시를 다회용 병에 담아 드립니다.

## 주식회사 도란도란목공방
> 숲 가꾸기에서 나온 간벌목으로 은퇴한 목수와 자립준비청년이 만듭니다.
간벌목원목도마 | 중=29000, 대=39000 | green_forest
  숲을 솎아 내며 나온 참나무를 말려 깎은 도마입니다.
원목수저세트 | 2인=18000 | green_forest
  옻칠 대신 식물성 오일로 마감한 수저입니다.
원목냄비받침 | 기본=12000 | green_forest
  자투리 나무 조각을 이어 붙여 만들었습니다.
원목스툴 | 기본=79000 | green_forest
  짜맞춤으로 만들어 못 없이도 단단합니다.
편백나무디퓨저 | 100ml=19000 | green_forest
  편백 조각과 편백 오일로 은은한 숲 향을 냅니다.
원목쟁반 | 기본=25000 | green_forest
  손잡이를 파낸 넉넉한 크기의 쟁반입니다.
원목벽시계 | 기본=45000 | green_forest
  소리 없는 무브먼트를 달아 침실에 걸어도 조용합니다.

## 주식회사 숲과나무
> 국산 목재로 만들고 판매 수익으로 숲 교육을 엽니다.
원목블록놀이 50피스 | 50피스=48000 | green_forest
  국산 소나무를 깎아 모서리를 둥글게 다듬은 쌓기 블록입니다.
나무이름퍼즐 | 기본=25000 | green_forest
  우리 숲 나무 열두 가지의 잎 모양을 맞추는 퍼즐입니다.
숲속동물원목자석 | 기본=19000 | green_forest
  숲에 사는 동물 여덟 마리를 나무 자석으로 만들었습니다.
어린이목공체험키트 | 기본=22000 | green_forest
  사포와 나무망치로 새집을 조립하는 체험 키트입니다.
국산목재연필꽂이 | 기본=15000 | office_it green_forest
  삼나무 향이 나는 세 칸 연필꽂이입니다.
반려나무묘목키트 | 기본=15000 | household green_forest
  키우다가 마당이나 산에 옮겨 심을 수 있는 묘목입니다.

## 주식회사 숲길체험학교
> 숲해설가와 유아숲지도사들이 직접 안내합니다.
불암산유아숲체험 | 어린이=15000, 보호자=10000 | green_forest
  반나절 동안 숲길을 걸으며 나뭇잎과 곤충을 관찰합니다.
가족숲캠프 1박2일 | 4인가족=180000 | green_forest
  자연휴양림에서 숲 놀이와 별 관찰을 하는 가족 캠프입니다.
어르신숲치유프로그램 | 10인=200000 | green_forest
  걷기와 명상, 차 마시기로 몸과 마음을 쉬게 합니다.
숲해설가동행트레킹 | 1인=20000 | green_forest
  서울 둘레길 한 구간을 숲해설가와 함께 걷습니다.
기관단체숲체험 30인 | 30인=270000 | green_forest
  직원 연수와 단체 활동에 맞춰 숲 체험 일정을 짭니다.
숲놀이도감 | 기본=16000 | books_education
  사계절 숲에서 할 수 있는 놀이 쉰 가지를 담았습니다.

## 주식회사 햇살공정여행
> 현지 주민이 안내하고 여행 경비가 마을에 남도록 짰습니다.
북촌한옥마을공정여행 | 성인=35000, 어린이=25000
  한옥에 사는 주민이 골목을 안내하고 마을 공방을 함께 들릅니다.
제주마을공정여행 3박4일 | 1인=290000
  마을 민박에 묵고 해녀 삼촌과 밭일을 함께하는 여행입니다.
강화도평화여행 1박2일 | 1인=149000
  분단의 흔적을 걷고 마을 밥상에서 식사합니다.
서울성곽길걷기투어 | 성인=20000
  낙산 구간 성곽길을 해설과 함께 걷습니다.
지리산둘레길공정여행 | 1인=189000
  둘레길 마을 민박과 동네 식당을 이어 걷는 2박 3일 여행입니다.
공정여행상품권 | 5만원권=50000, 10만원권=100000
  햇살공정여행의 모든 여행 상품에 쓸 수 있습니다.
임직원워크숍공정여행 | 1인=89000
  기관과 회사의 워크숍을 지역 마을과 이어 준비합니다.

## 해방촌마을여행사
> 해방촌 주민들이 골목의 역사와 가게를 직접 안내합니다.
해방촌골목투어 | 성인=18000, 청소년=12000
  피란민이 일군 108계단과 골목 이야기를 두 시간 동안 듣습니다.
신흥시장야간투어 | 1인=22000
  불 켜진 시장 골목의 청년 가게와 노포를 둘러봅니다.
남산자락밥상투어 | 1인=35000
  마을 식당 세 곳에서 조금씩 맛보는 밥상 여행입니다.
마을사진산책클래스 | 1인=25000
  사진작가 주민과 골목을 걸으며 휴대폰 사진을 배웁니다.
영어해설해방촌투어 | 1인=30000
  외국인 여행자를 위해 영어로 해설하는 골목 투어입니다.
마을지도엽서세트 | 기본=8000
  주민이 그린 해방촌 지도와 엽서 여섯 장을 담았습니다.

## 주식회사 로컬트립랩
> 여행자가 쓴 돈이 골목 청년 가게에 남도록 코스를 설계합니다.
연남동로컬미식투어 | 1인=39000
  청년 셰프 가게 네 곳을 들러 한 접시씩 맛봅니다.
망원동제로웨이스트여행 | 1인=29000
  리필 가게와 업사이클 공방을 들르며 쓰레기 없는 하루를 보냅니다.
을지로공구거리체험 | 1인=25000
  철공소 장인을 만나고 나만의 열쇠고리를 만듭니다.
성수동수제화공방체험 | 1인=45000
  수제화 장인과 함께 가죽 슬리퍼를 만듭니다.
서울청년가게스탬프투어북 | 기본=12000
  청년 가게 서른 곳을 돌며 도장을 모으는 여행 책자입니다.
한강자전거피크닉세트 | 2인=38000
  자전거 대여와 도시락, 돗자리를 한 번에 예약합니다.

## 주식회사 해봄자전거
> 자립준비청년 정비사들이 버려진 자전거를 고쳐 다시 내놓습니다.
재생자전거 생활형 | 24인치=129000, 26인치=139000 | green_cycle
  버려진 자전거를 분해해 부품을 갈고 새로 칠했습니다.
재생어린이자전거 | 16인치=69000 | green_cycle
  보조 바퀴를 달아 드리는 어린이용 재생 자전거입니다.
폐타이어업사이클열쇠고리 | 기본=6000 | green_cycle
  닳은 자전거 타이어를 잘라 만든 열쇠고리입니다.
한강자전거대여 | 1일=15000
  헬멧과 자물쇠를 함께 빌려 드립니다.
자전거출장수리 | 1회=25000
  펑크와 브레이크, 체인을 집 앞에서 고쳐 드립니다.
자전거정기점검권 | 3회=45000
  계절마다 한 번씩 점검과 주유를 받는 이용권입니다.
자전거정비교실 2회 | 1인=30000 | books_education
  펑크 때우기와 체인 관리를 직접 해 보며 배웁니다.

## 캠핑살림협동조합
> 장비를 사지 않고 함께 빌려 쓰며, 경력보유 여성 조합원이 세척과 수선을 맡습니다.
캠핑텐트대여 1박 | 4인용=30000, 6인용=40000
  세척과 방수 점검을 마친 텐트를 택배로 보내 드립니다.
캠핑의자테이블세트대여 | 1박=15000
  의자 네 개와 접이식 테이블을 함께 빌려 드립니다.
초보캠핑스타터키트대여 | 1박=59000
  텐트부터 버너까지 처음 캠핑에 필요한 장비를 다 담았습니다.
업사이클캠핑매트 | 기본=35000 | green_cycle
  못 쓰게 된 텐트 원단을 겹쳐 만든 방수 매트입니다.
캠핑식기세트 4인 | 4인=42000
  스테인리스 식기를 수납 가방에 담아 가볍게 들고 다닙니다.
캠핑장비세척서비스 | 텐트=35000
  쓰고 난 텐트를 맡기면 세척하고 말려서 돌려 드립니다.
도시캠핑클래스 | 1인=20000
  공원에서 텐트 치기와 매듭법을 배우는 입문 수업입니다.

## 사회적협동조합 모두의여행
> 휠체어 사용자와 어르신이 직접 다녀 본 길로만 코스를 짭니다.
휠체어동반서울궁궐투어 | 1인=25000, 동반자=15000
  경사로와 장애인 화장실을 확인한 길로 경복궁과 창덕궁을 돕니다.
무장애남이섬당일여행 | 1인=69000
  리프트 버스로 이동하는 남이섬 당일 여행입니다.
어르신효도여행 1박2일 | 1인=159000
  걷는 거리를 줄이고 쉬는 시간을 넉넉히 둔 온천 여행입니다.
시각장애인동행해설투어 | 1인=20000
  만지고 듣는 해설로 박물관을 함께 둘러봅니다.
휠체어대여 | 1일=10000
  여행지까지 가져다 드리는 접이식 휠체어 대여입니다.
무장애여행가이드북 서울편 | 기본=15000 | books_education
  경사로와 엘리베이터 위치를 표시한 서울 여행 안내서입니다.

## 주식회사 마을극장 달빛
> 대학로 소극장에서 주민 배우와 전문 배우가 함께 무대에 섭니다.
마을연극관람권 | 성인=20000, 청소년=12000
  동네 사람들의 이야기를 주민 배우가 직접 연기합니다.
가족인형극관람권 | 1인=12000
  네 살부터 함께 볼 수 있는 오십 분짜리 인형극입니다.
찾아가는공연 기관행사 | 1회=300000
  기관 행사와 축제에 맞춘 삼십 분 공연을 준비합니다.
어린이연극교실 8주 | 1인=120000 | books_education
  몸으로 표현하기부터 짧은 무대 발표까지 여덟 주 동안 배웁니다.
시니어극단워크숍 | 1인=30000 | books_education
  예순 넘어 처음 무대에 서는 분들을 위한 연기 워크숍입니다.
연극대본집 우리동네이야기 | 기본=13000 | books_education
  마을극장에서 올린 대본 다섯 편을 묶었습니다.

## 주식회사 책읽는마을
> 이주민과 장애인 작가의 이야기를 책으로 펴냅니다.
쉬운글그림책세트 | 5권=45000
  발달장애인과 어린이가 함께 읽기 쉽게 고쳐 쓴 그림책 다섯 권입니다.
이주여성요리에세이 | 기본=16000
  여섯 나라에서 온 엄마들의 고향 음식과 이야기를 담았습니다.
다문화그림책 엄마나라이야기 | 기본=14000
  엄마 나라의 말과 한국어를 나란히 실은 그림책입니다.
쉬운글생활안내서 | 기본=12000
  병원 가기와 은행 이용을 쉬운 글과 그림으로 설명합니다.
점자동화책 | 기본=28000
  점자와 큰 글씨, 만지는 그림을 함께 실었습니다.
마을출판워크숍 | 1인=50000
  우리 동네 이야기로 작은 책 한 권을 만들어 봅니다.
어르신자서전만들기 | 1권=290000
  인터뷰와 편집, 제본까지 맡아 한 권뿐인 자서전을 만듭니다.

## 책방협동조합 골목서재
> 동네 책방 다섯 곳이 함께 고르고 독서 모임을 꾸립니다.
동네책방큐레이션정기구독 | 월1권=18000, 월2권=34000
  책방지기들이 고른 책을 편지와 함께 보내 드립니다.
독서모임운영패키지 | 기본=90000
  책 열 권과 발제 자료, 진행 안내서를 담았습니다.
작가와의만남 기관초청 | 1회=250000
  도서관과 학교에 작가를 모셔 북토크를 엽니다.
책방북커버 | 기본=15000
  책방 로고를 수놓은 면 북커버입니다.
어린이북클럽 4회 | 1인=40000
  그림책을 함께 읽고 이야기를 나누는 어린이 모임입니다.
독립출판입문클래스 | 1인=60000
  기획부터 인쇄 주문까지 독립출판의 전 과정을 배웁니다.

## 청소년교육협동조합 배움터
> 현직 교사와 학부모 조합원들이 함께 만들고 가르칩니다.
청소년진로탐색워크북 | 기본=12000
  좋아하는 것에서 직업을 찾아가는 서른 쪽짜리 활동지입니다.
마을교사진로특강 | 1회=200000
  마을에서 일하는 어른들이 학교를 찾아가 자기 일을 소개합니다.
검정고시교재 | 국어=15000, 수학=15000, 영어=15000
  학교 밖 청소년을 위해 핵심만 추린 검정고시 교재입니다.
민주시민교육교구세트 | 기본=65000
  토론 카드와 모의 투표 도구로 수업을 꾸립니다.
방학진로캠프 3일 | 1인=90000
  사회적기업 현장을 찾아가 일과 삶을 묻는 캠프입니다.
사회적경제교과서 청소년판 | 기본=14000
  협동조합과 사회적기업을 청소년 눈높이로 풀었습니다.

## 서촌골목책방마을
> 서촌 주민들이 빈 한옥을 고쳐 함께 꾸리는 책방입니다.
한옥책방필사노트 | 기본=9000
  서촌을 노래한 시 스무 편을 옮겨 적는 필사 노트입니다.
동네작가엽서책 | 기본=11000
  서촌에 사는 작가 여덟 명의 그림을 엽서 책으로 묶었습니다.
서촌골목지도책 | 기본=13000
  책방과 공방, 오래된 가게를 손그림 지도로 담았습니다.
어린이낭독회 4회 | 1인=32000
  한옥 마루에 둘러앉아 그림책을 소리 내어 읽습니다.
서촌문학산책북투어 | 1인=20000 | travel_leisure
  윤동주와 이상의 흔적을 따라 걷고 책방에서 마무리합니다.
한옥북스테이 | 1박=120000 | travel_leisure
  책방 안채에 묵으며 밤늦도록 책을 읽는 하룻밤입니다.

## 주식회사 손말잇다
> 농인 청년과 청인 청년이 함께 만들고 가르칩니다.
처음배우는수어교재 | 기본=18000
  일상 수어 오백 개를 사진과 QR 영상으로 익힙니다.
수어그림카드 | 100장=22000
  낱말 카드를 넘기며 손 모양을 외웁니다.
직장인수어교실 온라인 | 1인=49000
  점심시간에 듣는 이십 분짜리 수어 강의 열 편입니다.
기관수어통역 | 1시간=80000
  행사와 회의에 자격을 갖춘 수어 통역사를 보내 드립니다.
어린이수어동요그림책 | 기본=15000
  동요 열 곡을 수어와 그림으로 따라 부릅니다.
수어학습보드게임 | 기본=29000
  손 모양 카드를 맞히며 놀다 보면 수어가 익숙해집니다.

## 주식회사 별빛보드게임
> 경계선 지능 청년들이 설계와 제작에 함께 참여합니다.
마을장터보드게임 | 기본=35000
  사회적경제기업을 꾸려 마을 장터에서 물건을 파는 전략 게임입니다.
착한가게경제보드게임 | 기본=32000
  가게를 꾸리며 돈과 나눔의 균형을 배우는 경제 교육 게임입니다.
치매예방카드게임 | 기본=24000
  기억력과 집중력을 쓰는 어르신용 카드 게임입니다.
한글놀이보드게임 | 기본=27000
  자음과 모음을 모아 낱말을 만드는 게임입니다.
보드게임교구 학교세트 | 기본=180000
  학급에서 쓰기 좋은 게임 여섯 종과 교사용 지도안입니다.
기후위기보드게임 지구를지켜라 | 기본=33000
  온실가스를 줄이며 함께 지구를 지키는 협력 게임입니다.

## 주식회사 코딩다리
> 교육 상품 수익으로 저소득 가정 아이들의 무료 코딩 수업을 엽니다.
초등코딩로봇키트 | 기본=59000
  카드를 늘어놓아 로봇을 움직이며 순서와 반복을 배웁니다.
블록코딩교재 1단계 | 기본=15000
  블록 코딩으로 게임을 만들며 배우는 초등 교재입니다.
방과후코딩교실 12회 | 1인=120000
  학교와 지역아동센터로 찾아가는 열두 번의 수업입니다.
교사용AI교육연수 | 1인=70000
  수업에 바로 쓰는 인공지능 활동을 하루 동안 익힙니다.
여름방학코딩캠프 | 1인=150000
  닷새 동안 팀을 이뤄 앱 하나를 완성합니다.
아두이노입문키트 | 기본=39000 | office_it
  센서와 LED로 작은 장치를 만드는 입문용 부품 세트입니다.

## 사회적협동조합 늘봄공방
> 발달장애인 직원들이 흙을 빚고 초를 부어 만듭니다.
수제도자기머그 | 기본=18000
  손으로 빚어 모양과 유약 색이 조금씩 다릅니다.
소이캔들선물세트 | 2개입=26000 | eco
  콩에서 얻은 왁스와 면 심지로 만든 캔들입니다.
향주머니 3종 | 3종=12000
  라벤더와 편백 조각을 면 주머니에 담았습니다.
손도장도자기접시 | 기본=22000
  아이 손도장을 찍어 구워 드리는 기념 접시입니다.
도자기명함꽂이 | 기본=12000 | office_it
  책상 위에 두는 작은 도자기 명함꽂이입니다.
도자기펜홀더 | 기본=15000 | office_it
  무게감이 있어 잘 넘어지지 않는 펜 꽂이입니다.
기관로고머그주문제작 | 10개=150000 | office_it
  기관 로고를 새긴 머그를 기념품으로 만듭니다.

## 문래철공예마을
> 문래동 철공소 장인과 예술가들이 자투리 철을 모아 만듭니다.
철제화분받침 | 기본=35000 | green_cycle
  자투리 철판을 접어 녹슬지 않게 분체 도장했습니다.
철제벽선반 | 60cm=59000, 90cm=79000
  두꺼운 철판으로 만들어 무거운 책도 거뜬합니다.
문래동명패주문제작 | 기본=45000
  집과 가게 이름을 철판에 오려 명패로 만듭니다.
자투리철북엔드 | 기본=28000 | office_it green_cycle
  철공소에서 나온 자투리 철로 만든 책 받침입니다.
철공예캠핑그리들 | 기본=49000 | travel_leisure
  두꺼운 철판을 깎아 고기가 눌어붙지 않게 길들였습니다.
철공소견학체험 | 1인=15000 | travel_leisure
  장인의 작업장을 둘러보고 작은 철 소품을 직접 만듭니다.

## 자활기업 되돌림가구
> 가구 수리 기술을 익힌 자활 참여 주민들이 다시 손봐 내놓습니다.
리폼서랍장 3단 | 3단=119000 | green_cycle
  버려진 서랍장의 레일을 갈고 새로 칠했습니다.
리폼식탁의자 | 2개=79000 | green_cycle
  흔들리는 다리를 바로잡고 방석 천을 갈았습니다.
가구수리출장 | 1회=40000
  문짝과 경첩, 서랍 레일을 집에서 고쳐 드립니다.
리폼원목책상 | 기본=149000 | office_it green_cycle
  상판을 다시 갈아 오일로 마감한 원목 책상입니다.
재생사무용의자 | 기본=59000 | office_it green_cycle
  바퀴와 가스 실린더를 새것으로 바꾼 사무용 의자입니다.
철제캐비닛정비품 | 기본=89000 | office_it green_cycle
  녹을 벗기고 다시 칠한 3단 철제 캐비닛입니다.
"""

#: Sentences that fit any product; one is added to some descriptions so they do not all
#: read alike. Chosen by the seeded generator, never by the clock.
_CLOSINGS = (
    "공공기관과 단체의 대량 주문은 견적 요청으로 받습니다.",
    "세금계산서와 현금영수증을 발행해 드립니다.",
    "판매 수익은 취약계층 일자리와 지역사회에 다시 쓰입니다.",
    "궁금한 점을 판매자 문의로 남겨 주시면 영업일 하루 안에 답합니다.",
    "사회적경제기업의 제품이라 구매가 곧 이웃의 일자리가 됩니다.",
)

#: Fixed seed: the demo must come out the same on every machine and every call.
_SEED = 20_260_301


@dataclass(frozen=True)
class _ProductSpec:
    name: str
    options: tuple[tuple[str, int], ...]
    blurb: str
    category: Category | None
    items: tuple[StrategicItem, ...]
    eco: bool


@dataclass(frozen=True)
class _VendorCatalog:
    pitch: str
    products: tuple[_ProductSpec, ...]


_CATEGORY_VALUES = frozenset(c.value for c in Category)
_ITEM_VALUES = frozenset(i.value for i in StrategicItem)


def _parse_options(text: str, where: str) -> tuple[tuple[str, int], ...]:
    options: list[tuple[str, int]] = []
    for part in text.split(","):
        label, sep, won = part.strip().rpartition("=")
        if not sep or not label or not won.isdigit() or int(won) <= 0:
            raise ValueError(f"{where}: bad option {part.strip()!r}")
        options.append((label.strip(), int(won)))
    if len({label for label, _ in options}) != len(options):
        raise ValueError(f"{where}: duplicate option labels")
    return tuple(options)


def _parse_flags(text: str, where: str) -> tuple[Category | None, tuple[StrategicItem, ...], bool]:
    category: Category | None = None
    items: list[StrategicItem] = []
    eco = False
    for flag in text.split():
        if flag == "eco":
            eco = True
        elif flag in _CATEGORY_VALUES:
            if category is not None:
                raise ValueError(f"{where}: two categories")
            category = Category(flag)
        elif flag in _ITEM_VALUES:
            items.append(StrategicItem(flag))
        else:
            raise ValueError(f"{where}: unknown flag {flag!r}")
    return category, tuple(items), eco or bool(items)


def _parse_catalog(text: str) -> dict[str, _VendorCatalog]:
    """Read the catalog text strictly: a typo is an error at import, not a silent gap."""
    catalog: dict[str, _VendorCatalog] = {}
    vendor: str | None = None
    pitch = ""
    specs: list[_ProductSpec] = []
    header: _ProductSpec | None = None  # a product line still waiting for its description

    def finish_product(blurb: str, where: str) -> None:
        nonlocal header
        if header is None:
            raise ValueError(f"{where}: description without a product line")
        specs.append(replace(header, blurb=blurb))
        header = None

    def finish_vendor(where: str) -> None:
        if vendor is None:
            return
        if header is not None:
            raise ValueError(f"{where}: product {header.name!r} has no description")
        if not pitch or not specs:
            raise ValueError(f"{where}: vendor {vendor!r} needs a pitch and products")
        names = [spec.name for spec in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"{where}: duplicate product names for {vendor!r}")
        catalog[vendor] = _VendorCatalog(pitch, tuple(specs))

    for number, line in enumerate(text.splitlines(), start=1):
        where = f"catalog line {number}"
        if not line.strip():
            continue
        if line.startswith("## "):
            finish_vendor(where)
            vendor, pitch, specs = line[3:].strip(), "", []
            if vendor in catalog:
                raise ValueError(f"{where}: vendor {vendor!r} listed twice")
        elif vendor is None:
            raise ValueError(f"{where}: text before the first vendor heading")
        elif line.startswith("> "):
            pitch = line[2:].strip()
        elif line.startswith("  "):
            finish_product(line.strip(), where)
        else:
            if header is not None:
                raise ValueError(f"{where}: product {header.name!r} has no description")
            name, _, rest = (part.strip() for part in line.partition("|"))
            options_text, _, flags_text = (part.strip() for part in rest.partition("|"))
            if not name or not options_text:
                raise ValueError(f"{where}: expected 'name | options [| flags]'")
            category, items, eco = _parse_flags(flags_text, where)
            options = _parse_options(options_text, where)
            header = _ProductSpec(name, options, "", category, items, eco)
    finish_vendor("end of catalog")
    return catalog


_CATALOG: dict[str, _VendorCatalog] = _parse_catalog(_CATALOG_TEXT)


def _stock_for(price: int, rng: random.Random) -> int:
    """Plausible stock: cheap goods by the hundred, tours and big items by the handful.

    About one option in twenty is sold out, so the demo shows that state too.
    """
    if rng.random() < 0.05:
        return 0
    ceiling = 200 if price < 30_000 else 60 if price < 100_000 else 15
    return rng.randint(3, ceiling)


def demo_products(vendors: Sequence[VendorSeed] | None = None) -> list[ProductSeed]:
    """The demo catalog for ``vendors`` (default: :func:`demo_vendors`), in vendor order.

    ``vendor_index`` is the position in ``vendors``. SKUs run ``JT-0001-01``,
    ``JT-0001-02``, ... over the whole result, so they are unique and ASCII. A product
    outside its vendor's main categories is refused: the demo should never show a bakery
    selling toner.
    """
    vendors = demo_vendors() if vendors is None else vendors
    rng = random.Random(_SEED)
    products: list[ProductSeed] = []
    for vendor_index, vendor in enumerate(vendors):
        entry = _CATALOG.get(vendor.name)
        if entry is None:
            raise ValueError(f"no demo catalog for vendor {vendor.name!r}")
        for spec in entry.products:
            category = spec.category or vendor.main_categories[0]
            if category not in vendor.main_categories:
                raise ValueError(f"{spec.name!r} ({category}) does not fit {vendor.name!r}")
            number = len(products) + 1
            variants = tuple(
                VariantSeed(
                    sku=f"JT-{number:04d}-{k:02d}",
                    label=label,
                    price=price,
                    stock=_stock_for(price, rng),
                )
                for k, (label, price) in enumerate(spec.options, start=1)
            )
            sentences = [spec.blurb, entry.pitch]
            pick = rng.randrange(len(_CLOSINGS) + 2)
            if pick < len(_CLOSINGS):
                sentences.append(_CLOSINGS[pick])
            products.append(
                ProductSeed(
                    vendor_index=vendor_index,
                    name=spec.name,
                    description=" ".join(sentences),
                    category=category,
                    strategic_items=spec.items,
                    eco_friendly=spec.eco,
                    variants=variants,
                )
            )
    return products
