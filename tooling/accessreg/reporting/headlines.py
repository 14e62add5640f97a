"""What a finding means, in one line: the title of its annotation on the pull request and
the lead of its line in the issue form's comment. One home, so that a window person reads
the same words for the same rule wherever the tool tells them."""

from __future__ import annotations

from accessreg import i18n
from accessreg.model.messages import msg
from accessreg.rules import RULES
from accessreg.rules.base import first_paragraph
from accessreg.rules.certificates import START_AHEAD_REFUSED
from accessreg.timeline.periods import CERTIFICATE_YEARS, PROVISIONAL_YEARS

# What a finding of the registry means for the applicant, in the words of the seed's forms;
# the periods as the rules count them.
# A rule without its own line here is told by the first paragraph of its documentation.
FOR_APPLICANTS = {
    "schema": "入力の形式が正しくありません",
    "affiliation": "所属事業者が、事業者本人でも届出済みの委託先事業者でもありません",
    "system-role": "事業者区分により、この権限・システムは申請できません",
    "system-not-approved": (
        "事業者がこのシステムの利用申請をしていません（先に利用申請（変更）が必要です）"
    ),
    "permission-limit": "事業者あたりの人数が上限を超えるか、必要な人数に足りません",
    "permission-abolished": "廃止された権限コードです",
    "permission-derived": "この権限は申請できません（当社が付与します）",
    "login-id-unique": (
        "このメールアドレス（ID）は既に使われています"
        "（大文字・小文字の違いは同じ ID とみなされます）"
    ),
    "file-name": "メールアドレス（ID）とファイル名が一致しません",
    "user-operator-unknown": "この事業者コードの事業者は登録されていません",
    "contact-primary": "システム窓口責任者の正担当は 1 名です",
    "subcontractor-code": "委託先事業者コードが重複しています",
    "operator-terminated-users": "利用終了した事業者には利用者を登録できません",
    "certificate-unique": "この証明書（シリアル番号または証明書ID）は既に登録されています",
    "certificate-validity": f"証明書の有効期間が {CERTIFICATE_YEARS} 年を超えています",
    "certificate-start": f"証明書の有効期間開始日が {START_AHEAD_REFUSED.days} 日以上先です",
    "certificate-api": "API利用の証明書が、システムが事業者ごとに認める枚数を超えています",
    "certificate-expired": "証明書の有効期限が切れています",
    "certificate-system": "事業者が利用していないシステムが指定されています",
    "ip-allowlist-address": "固定のグローバル IP アドレスではありません",
    "ip-allowlist-expired": "有効期限が過ぎています",
    "occto-member": "広域機関の会員でないと利用できないシステムです",
    "membership-provisional": f"広域機関の仮入会から {PROVISIONAL_YEARS} 年を過ぎています",
}


def _doc(rule_id: str) -> str | None:
    """The documentation of the rule a finding names: the registry's, or authorization's
    (imported only then: `validate` does not load the plan authorization reads)."""
    found = next((r.doc for r in RULES if r.id == rule_id), None)
    if found is None:
        from accessreg.review import authorize

        found = next((r.doc for r in authorize.RULES if r.id == rule_id), None)
    return found


def headline(rule_id: str, lang: str | None = None) -> str:
    """The line that says what a finding of ``rule_id`` means, in ``lang`` (the current
    language by default); a general one for a rule the tool does not know."""
    lang = lang or i18n.current()
    if lang == "ja" and rule_id in FOR_APPLICANTS:
        return FOR_APPLICANTS[rule_id]
    doc = _doc(rule_id)
    if doc is None:
        return i18n.text(msg("The registry has a problem"), lang)
    return first_paragraph(i18n.translate(doc, lang))
