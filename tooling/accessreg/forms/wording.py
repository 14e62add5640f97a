"""Problems in plain words for the window person's issue comment (Japanese, then English)."""

from __future__ import annotations

from accessreg import i18n
from accessreg.escape import markdown
from accessreg.forms.definitions import Form
from accessreg.model.messages import Message
from accessreg.model.problems import Problem
from accessreg.rules import RULES

# What each finding means for the applicant, in the words of the seed's forms.
RULE_JA = {
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
    "contact-primary": "システム窓口責任者の正担当は 1 名です",
    "subcontractor-code": "委託先事業者コードが重複しています",
    "operator-terminated-users": "利用終了した事業者には利用者を登録できません",
    "certificate-unique": "この証明書（シリアル番号または証明書ID）は既に登録されています",
    "certificate-validity": "証明書の有効期間が 2 年を超えています",
    "certificate-start": "証明書の有効期間開始日が 180 日以上先です",
    "certificate-api": "API利用の証明書が、システムが事業者ごとに認める枚数を超えています",
    "certificate-expired": "証明書の有効期限が切れています",
    "certificate-system": "事業者が利用していないシステムが指定されています",
    "ip-allowlist-address": "固定のグローバル IP アドレスではありません",
    "ip-allowlist-expired": "有効期限が過ぎています",
    "occto-member": "広域機関の会員でないと利用できないシステムです",
    "membership-provisional": "広域機関の仮入会から 1 年を過ぎています",
}


# A certificate entry's keys that a form field gives (the rest come from the PEM).
CERTIFICATE_FIELDS = {
    "id": "cert_id",
    "medium": "medium",
    "purpose": "purpose",
    "location": "location",
    "holder": "holder",
}


# A finding a form can itself remedy: told under that field (when the form has it), with
# what to enter there. A new usage application carries the certificate a system needs.
REMEDIED_BY = {
    "certificate-required": (
        "certificate",
        "このシステムは、取得済みのクライアント証明書とともに申請します。"
        "この申請の「証明書（PEM）」から「管理者」までの欄に入力してください",
    ),
}


def _remedy(form: Form, problem: Problem) -> tuple[str, str] | None:
    """The field of ``form`` that remedies ``problem``, and the words for it."""
    found = REMEDIED_BY.get(problem.rule)
    field = form.field(found[0]) if found else None
    return (field.label, found[1]) if field and found else None


def field_label(form: Form, problem: Problem) -> str | None:
    """The form field a problem is about, when its data path says so."""
    remedy = _remedy(form, problem)
    if remedy is not None:
        return remedy[0]
    if not problem.path:
        return None
    head = str(problem.path[0])
    if head == "permissions" and len(problem.path) > 1:
        head = f"perm_{problem.path[1]}"
    elif head == "contacts":
        head = "contact_email"
    elif head == "certificates":
        # A certificate's own entries have fields of their own (証明書ID, 設置場所, ...);
        # what is read from the PEM (serial, CN, dates) is the pasted certificate's.
        key = str(problem.path[2]) if len(problem.path) > 2 else ""
        head = CERTIFICATE_FIELDS.get(key, "certificate")
    elif head == "ip_allowlist":
        head = "cidr"
    field = form.field(head)
    return field.label if field else None


def _summary(rule_id: str) -> str:
    """The first line of the rule's documentation in Japanese, for a rule without its own
    headline here (a newer rule, say); a general one for what no rule names."""
    rule = next((r for r in RULES if r.id == rule_id), None)
    if rule is None:
        return "登録内容に問題があります"
    return i18n.translate(rule.doc, "ja").split("\n", 1)[0]


def explain(form: Form, problem: Problem) -> str:
    """One markdown list line: the field, what it means, and the tool's own message."""
    remedy = _remedy(form, problem)
    what = remedy[1] if remedy else RULE_JA.get(problem.rule) or _summary(problem.rule)
    where = field_label(form, problem)
    level = "警告 / warning" if problem.level == "warning" else "エラー / error"
    lead = f"**{where}**: " if where else ""
    return f"- {lead}{what}（{level}）  \n  {both(problem.message)} ({problem.rule})"


def both(message: Message | object) -> str:
    """A message in Japanese, then in English, each shown literally (``escape.markdown``)."""
    return f"{markdown(i18n.text(message, 'ja'))} / {markdown(i18n.text(message, 'en'))}"
