"""The vocabulary of who sells here: enterprise types and Seoul's districts.

Both are filter facets in the mall and counting keys in public procurement, so they are
closed enumerations with the Korean label the source documents use.
"""

from __future__ import annotations

import enum


class EnterpriseType(enum.StrEnum):
    """기업 유형: the legal or programme status of a social-economy enterprise."""

    CERTIFIED_SOCIAL = "certified_social"  # 인증 사회적기업 (고용노동부)
    PRE_SOCIAL_REGIONAL = "pre_social_regional"  # 예비 사회적기업 (지역형)
    PRE_SOCIAL_MINISTRY = "pre_social_ministry"  # 예비 사회적기업 (부처형)
    SEOUL_SOCIAL = "seoul_social"  # 서울형 사회적기업
    COOPERATIVE = "cooperative"  # 협동조합
    SOCIAL_COOPERATIVE = "social_cooperative"  # 사회적협동조합
    VILLAGE = "village"  # 마을기업 (행정안전부)
    SELF_SUFFICIENCY = "self_sufficiency"  # 자활기업
    YOUTH_SOCIAL_VENTURE = "youth_social_venture"  # 청년 소셜벤처

    @property
    def label(self) -> str:
        return ENTERPRISE_TYPE_LABELS[self]


ENTERPRISE_TYPE_LABELS: dict[EnterpriseType, str] = {
    EnterpriseType.CERTIFIED_SOCIAL: "인증 사회적기업",
    EnterpriseType.PRE_SOCIAL_REGIONAL: "예비 사회적기업(지역형)",
    EnterpriseType.PRE_SOCIAL_MINISTRY: "예비 사회적기업(부처형)",
    EnterpriseType.SEOUL_SOCIAL: "서울형 사회적기업",
    EnterpriseType.COOPERATIVE: "협동조합",
    EnterpriseType.SOCIAL_COOPERATIVE: "사회적협동조합",
    EnterpriseType.VILLAGE: "마을기업",
    EnterpriseType.SELF_SUFFICIENCY: "자활기업",
    EnterpriseType.YOUTH_SOCIAL_VENTURE: "청년 소셜벤처",
}

#: Pre-certified social enterprises are supported for three years from designation.
PRE_SOCIAL_SUPPORT_YEARS = 3


class District(enum.StrEnum):
    """서울특별시 25개 자치구. Values are the Korean names: they are what people type and read."""

    JONGNO = "종로구"
    JUNG = "중구"
    YONGSAN = "용산구"
    SEONGDONG = "성동구"
    GWANGJIN = "광진구"
    DONGDAEMUN = "동대문구"
    JUNGNANG = "중랑구"
    SEONGBUK = "성북구"
    GANGBUK = "강북구"
    DOBONG = "도봉구"
    NOWON = "노원구"
    EUNPYEONG = "은평구"
    SEODAEMUN = "서대문구"
    MAPO = "마포구"
    YANGCHEON = "양천구"
    GANGSEO = "강서구"
    GURO = "구로구"
    GEUMCHEON = "금천구"
    YEONGDEUNGPO = "영등포구"
    DONGJAK = "동작구"
    GWANAK = "관악구"
    SEOCHO = "서초구"
    GANGNAM = "강남구"
    SONGPA = "송파구"
    GANGDONG = "강동구"

    @property
    def label(self) -> str:
        return self.value
