"""The application forms: one per application type, their fields matching the commands.

The GitHub issue forms in ``.github/ISSUE_TEMPLATE/`` are generated from these definitions
and the catalog (``accessreg forms``), and ``from-issue`` reads a submitted form's body with
the same definitions, so a label can never differ between the form and its reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from accessreg import i18n
from accessreg.edit.users import NONE
from accessreg.files.schemacheck import pattern_sentence
from accessreg.model import Catalog, System, Timing, base
from accessreg.model.catalog import ApplicationKind, PermissionCode

FieldType = Literal["input", "textarea", "dropdown", "checkboxes"]
APPLICATION_LABEL = "application"
KEEP = "変更しない"  # a dropdown choice of change forms: leave the permission as it is
CONFIRM_TEXT = "申請内容に誤りがないことを確認しました / I confirm the application is correct"

ROLE_LABELS = {
    "gas_retailer": "ガス小売事業者 / gas retailer",
    "wheeling_client": "託送供給依頼者 / wheeling client (basic contract)",
    "manufacturer": "製造事業者 / manufacturer",
    "electricity_retailer": "小売電気事業者 / electricity retailer",
    "demand_response": "需要抑制契約者 / demand-response contractor",
}


@dataclass(frozen=True)
class Choice:
    text: str  # what the form shows and the body carries
    value: str | None  # what the command receives; None: leave as it is
    # The texts an earlier version of the form showed for it: an issue filed before the
    # form changed still reads.
    formerly: tuple[str, ...] = ()

    def means(self, text: str) -> bool:
        return text == self.text or text in self.formerly


@dataclass(frozen=True)
class Field:
    id: str
    type: FieldType
    label: str  # Japanese; the `### label` heading of the submitted body
    help: str  # Japanese, shown under the label: what to enter, and what a blank means
    required: bool = False
    choices: tuple[Choice, ...] = ()
    placeholder: str | None = None
    render: str | None = None  # textarea: the body wraps the value in a code fence
    # Shown in the pull request as the filer wrote it, for the reviewer: what the registry
    # keeps no field for (a deletion's reason), or what is written to the reception there
    # (a memo, which the pull request's diff shows only as YAML).
    stated: bool = False


@dataclass(frozen=True)
class Form:
    kind: str
    name: str  # Japanese name of the application
    name_en: str
    seed: str  # the seed sections it cites, every provider's (``Catalog.citation``)
    about: str  # the form's description in the list of forms (Japanese)
    intro: str  # Japanese markdown shown at the top of the form
    fields: tuple[Field, ...]

    @property
    def label(self) -> str:
        return f"form:{self.kind}"

    @property
    def title_prefix(self) -> str:
        return f"[{self.name}] "

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)


def _input(
    fid: str, label: str, help_: str, required: bool = False, ph: str | None = None
) -> Field:
    return Field(fid, "input", label, help_, required, placeholder=ph)


OPERATOR = _input(
    "operator", "事業者コード",
    "広域機関から付与された事業者コード（半角英数字）を入力してください。", True, "AOBAGS01",
)  # fmt: skip
NAME = _input(
    "name", "利用者名（漢字）", "利用者の氏名を漢字で入力してください（例: 木村 花子）。", True
)


def _rule(pattern: str, what: str) -> str:
    """What a value must look like, in the sentence ``validate`` and an editor say when it
    does not (``schemacheck.PATTERNS``): a form states no rule in words of its own. Called
    as ``forms`` makes the forms, so only the commands that show them read the translations."""
    return i18n.text(pattern_sentence(pattern, what), "ja", cap=False) + "。"


def _email() -> Field:
    return _input(
        "email", "メールアドレス（ID）",
        "利用者のメールアドレスで、これがログイン ID になります。"
        f"{_rule(base.LOGIN_ID, 'メールアドレス')}"
        "大文字・小文字だけが違う ID は同じ ID とみなされます。", True,
        "hanako.kimura@aoba-gas.example.co.jp",
    )  # fmt: skip


MEMO = Field(
    "memo", "textarea", "申請メモ",
    "任意のメモ（受付担当者への伝達事項など）。利用者の登録内容に記録されます。", stated=True,
)  # fmt: skip
# The usage-change form's name and the labels of its fields and choices that other
# messages tell a form user to use (``wording.FOR_FORM_USERS``).
USAGE_CHANGE = "利用申請（変更）"
ADD_SUBCONTRACTORS = "追加する委託先事業者"
CONTACT_ROLE = "窓口責任者の追加"
REPLACE_PRIMARY = "正担当を交代"
CONTACT_REMOVE = "削除する窓口責任者のメールアドレス"
CHECK_BEFORE_SENDING = "入力内容を確かめてからチェックを入れ、送信してください。"
CONFIRM = Field(
    "confirm", "checkboxes", "確認", CHECK_BEFORE_SENDING, True,
    (Choice(CONFIRM_TEXT, "yes"),),
)  # fmt: skip


def _code_choice(system: System, code: PermissionCode) -> Choice:
    """A permission code as a form offers it (``System.choice``); an issue filed while the
    form showed a catalog key with its label still reads."""
    formerly = (f"{code.code}：{code.label}",) if system.form == "label" else ()
    return Choice(system.choice(code), code.code, formerly)


def _permission_fields(catalog: Catalog, change: bool) -> tuple[Field, ...]:
    fields = []
    for system in catalog.systems:
        if not system.user_level:
            continue
        head = (Choice(KEEP, None), Choice("なし（削除）", NONE)) if change else (
            Choice("なし", None),
        )  # fmt: skip
        codes = tuple(_code_choice(system, c) for c in system.codes if c.abolished_on is None)
        fields.append(
            Field(
                f"perm_{system.id}",
                "dropdown",
                f"{system.name_ja}（{system.id}）",
                f"{system.name_ja}の変更後の利用権限。変えないときは「{KEEP}」、"
                "権限を外すときは「なし（削除）」を選んでください。"
                if change
                else f"{system.name_ja}の利用権限を選んでください。",
                choices=head + codes,
            )
        )
    return tuple(fields)


FORMER_DELETED = "delete"  # the former admin's choice: their ID is deleted


def _former_admin_fields(catalog: Catalog) -> tuple[Field, ...]:
    """The change of admin (002 §3.2.2) in the same application as the new admin: the
    admin ID is issued new only once (§3.2.1), so the one who holds it gives it up here,
    deleted or kept with another code of that system (``users.give_up``)."""
    once = [s for s in catalog.systems if any(c.issued_once for c in s.codes)]
    if not once:
        return ()
    names = "・".join(s.name_ja for s in once)
    keeps = tuple(
        _code_choice(s, c)
        for s in once
        for c in s.codes
        if not c.issued_once and c.abolished_on is None
    )
    return (
        _input(
            "former_admin", "交代する管理者のメールアドレス",
            f"{names}の管理者 ID を現在の管理者から引き継ぐとき（管理者の変更、002 §3.2.2）に、"
            "現在の管理者のメールアドレス（ログイン ID）を入力します。管理者 ID の新規発行は "
            "1 回限りのため（002 §3.2.1）、現在の管理者はこの申請で管理者 ID を外れます。"
            "上の利用権限で、引き継ぐ管理者 ID を選んでください。",
        ),
        Field(
            "former_admin_keeps", "dropdown", "交代後の現在の管理者の権限",
            "交代する管理者を入力したときに、その管理者の ID を抹消するか、管理者 ID に替えて"
            "どの権限で残すかを選びます。",
            choices=(
                Choice("ID を抹消する", FORMER_DELETED),
                *keeps,
                Choice(f"{names}の権限だけ外す", NONE),
            ),
        ),
    )  # fmt: skip


def _systems(catalog: Catalog, fid: str, label: str, help_: str) -> Field:
    return Field(
        fid, "checkboxes", label, help_,
        choices=tuple(
            Choice(f"{s.name_ja}（{s.id}）", s.id) for s in catalog.applied_systems
        ),
    )  # fmt: skip


def _contact_fields(prefix: str, required: bool) -> tuple[Field, ...]:
    """A window person's fields: required on a new usage application; on a change, needed
    only when one is added or replaced, and then the GitHub login too (``builders``)."""
    github = (
        "空欄の場合は、このフォームを送信した人のアカウントが登録されます。" if required
        else "窓口責任者を追加・交代するときは必ず入力してください。"
    )  # fmt: skip
    return (
        _input(f"{prefix}name", "窓口責任者 氏名（漢字）",
               "窓口責任者の氏名を漢字で入力してください。", required),
        _input(f"{prefix}name_kana", "窓口責任者 氏名（カナ）",
               _rule(base.KANA, "窓口責任者の氏名"), required),
        _input(
            f"{prefix}email", "窓口責任者 メールアドレス",
            "窓口責任者のメールアドレスで、システム利用権限管理システムのログイン ID にもなります。"
            f"{_rule(base.LOGIN_ID, 'メールアドレス')}",
            required,
        ),
        _input(f"{prefix}phone", "窓口責任者 電話番号", _rule(base.PHONE, "電話番号"), required),
        _input(
            f"{prefix}github", "窓口責任者 GitHub アカウント",
            "このアカウントで、事業者の申請をこのリポジトリに提出できるようになります。"
            f"{_rule(base.GITHUB_LOGIN, 'アカウント名')}{github}",
        ),
    )  # fmt: skip


def _certificate_fields(catalog: Catalog, when: str = "") -> tuple[Field, ...]:
    """A client certificate's fields: those of its registration, or (``when``: the case it
    is given in) those a new usage application carries for a system that needs one."""
    need = not when
    # One per client for the web, and for the API as many per operator as a system allows
    # (001 p46: one for OCCTO's switching support system; the 託送API has no such rule), the
    # number the certificate-api rule counts to.
    per_operator: dict[int, list[str]] = {}
    for system in catalog.systems:
        if system.certificates and system.certificates.api_per_operator:
            per_operator.setdefault(system.certificates.api_per_operator, []).append(system.name_ja)
    purposes = "Web画面からの利用は端末（クライアント）1 台に 1 枚です。" + "".join(
        f"{'・'.join(names)}の API利用は事業者に {count} 枚です。"
        for count, names in per_operator.items()
    )
    return (
        Field("certificate", "textarea", "証明書（PEM）",
              f"{when}証明書だけを PEM 形式のテキストで、`-----BEGIN CERTIFICATE-----` から "
              "`-----END CERTIFICATE-----` までの行も含めて貼り付けてください。"
              "**秘密鍵は絶対に貼り付けないでください。**", need,
              render="text"),
        _input("cert_id", "証明書ID",
               f"{when}発行元（EPPCERT）が付与した証明書IDを入力します。"
               f"{_rule(base.CERTIFICATE_ID, '証明書ID')}", need,
               "EP2026-000913"),
        Field("medium", "dropdown", "格納媒体", f"{when}証明書を受け取った媒体を選んでください。",
              need,
              (Choice("DL：ダウンロード", "DL"), Choice("CD：CD-R", "CD"),
               Choice("UM：USBメモリ", "UM"), Choice("UT：USBトークン", "UT"))),
        Field("purpose", "dropdown", "用途",
              f"{when}{purposes}", need,
              (Choice("web：画面利用（端末ごと）", "web"),
               Choice("api：API利用（システム間の接続）", "api",
                      formerly=("api：託送API（事業者ごと）",)))),
        _input("location", "設置場所",
               f"{when}証明書を導入した場所（例: 本社 需給管理部 端末 PC003）。", need),
        _input("holder", "管理者",
               f"{when}その場所で証明書を管理する人（例: 需給管理部 青山 太郎）。", need),
    )  # fmt: skip


# The kinds of a user's application that a system times (a system's ``timing``).
_Applied = Literal["add", "change", "remove"]
# Which day each kind of application is keyed on, in the forms' words (000 §5-1..§5-3).
_KEYED_ON = {"add": "受付", "change": "申請入力", "remove": "申請入力"}
_M_FROM = {
    "add": "受付担当者の承認（受付）の日",
    "change": "申請入力（プルリクエストが開かれた日）",
    "remove": "申請入力（プルリクエストが開かれた日）",
}
_TAKES_EFFECT = {
    "add": "使えるようになります",
    "change": "反映されます",
    "remove": "使えなくなります",
}


def _when(catalog: Catalog, system: System, timing: Timing, kind: _Applied) -> str:
    """When ``system`` applies an application of ``kind``, as the catalog's ``timing`` says."""
    if timing.start == "manual":
        return f"{catalog.registrar_of(system)}の作業完了後"
    # The batch day is written with spaces around it, as half-width letters are here.
    day = " M " if timing.start == "processing_day" else _KEYED_ON[kind]
    if timing.business_days:
        text = f"{day}から {timing.business_days} 営業日目"
        return f"{text}の {timing.days} 日後" if timing.days else f"{text}以降"
    if timing.days:
        return f"{day}の翌日" if timing.days == 1 else f"{day}の {timing.days} 日後"
    return "システム処理日 M " if day == " M " else f"{day}の日"


def _timing(catalog: Catalog, kind: _Applied) -> str:
    """When each system applies an application of ``kind``: the catalog's timing in words,
    so a form cannot promise a day the plan, the imports and the mails do not give."""
    groups: dict[str, list[str]] = {}
    batched = False
    for system in catalog.systems:
        timing = getattr(system.timing, kind) if system.user_level and system.timing else None
        if timing is None:
            continue
        batched = batched or timing.start == "processing_day"
        groups.setdefault(_when(catalog, system, timing, kind), []).append(system.name_ja)
    if not groups:
        return ""
    said = "、".join(f"{'・'.join(names)}は{when}に" for when, names in groups.items())
    text = f"{said}{_TAKES_EFFECT[kind]}。"
    if batched:
        text = f"{_M_FROM[kind]}でシステム処理日 M が決まり、{text}"
    return text


def _usage_change_period(catalog: Catalog) -> str:
    """When a usage change is done, per provider as the catalog's ``usage_application``
    says (000 §3-2: about 15 business days from its acceptance to ⑥手続き完了通知), by
    which providers' (``_Differ.usage_change``), and that a system given up stays usable
    until then, the day the 受付 mail gives."""
    said = []
    for provider in catalog.providers:
        timing = provider.usage_application
        if timing is None:
            continue
        if timing.start == "manual":
            said.append(f"{provider.name_ja}のシステムでは同機関の作業完了後")
        elif timing.business_days:
            said.append(
                f"{provider.name_ja}のシステムでは受付から約 {timing.business_days} 営業日後"
            )
    if not said:
        return ""
    both = (
        "追加・終了するシステムはその受付窓口の手続きで（窓口が複数なら窓口ごとに別々に）、"
        "事業者名など共通の項目の変更は遅いほうで完了します。"
        if len(said) > 1
        else ""
    )
    return (
        f"手続きの完了は、{'、'.join(said)}です。{both}利用を終了するシステムも、受付のお知らせに"
        "載る反映日（「反映 … 以降」）までは、証明書・海外IPアドレスとともにそのまま使えます。"
    )


def forms(catalog: Catalog) -> tuple[Form, ...]:
    """Every application form, its permission choices taken from ``catalog``."""
    schedule = (
        "処理日程は 000 §5-1〜§5-3 のとおりです（docs/guide-window.md「いつから使えるか」）。"
    )
    not_before = "承認（マージ）より前に反映されることはありません。"

    def cited(kind: ApplicationKind) -> str:
        # A form serves every system: it cites each provider's section (``Catalog.citation``).
        return catalog.citation(kind, (s.id for s in catalog.applied_systems))

    no_change = "空欄の場合は変更しません。"
    # The systems whose contract ends with the OCCTO membership (003 §2.7.1).
    with_membership = "・".join(s.name_ja for s in catalog.systems if s.ends_with_membership)
    withdrawal = (
        f"退会を選ぶと、会員資格とともに利用が終わる{with_membership}の利用と、その利用者の"
        "権限もこの申請で削除します。"
        if with_membership
        else ""
    )
    # The systems applied for with a client certificate already obtained (002 §3.1).
    certified = "・".join(
        s.name_ja
        for s in catalog.applied_systems
        if s.certificates is not None and s.certificates.required
    )
    with_certificate = certificate_first = ""
    if certified:
        with_certificate = (
            f"{certified}は、取得済みのクライアント証明書とともに申請します: "
            "下の「証明書（PEM）」から「管理者」までの欄に 1 枚目を入力してください。"
            "2 枚目からは、この申請の後にクライアント証明書登録申請で追加します。"
        )
        certificate_first = (
            f"{certified}は、登録済みのクライアント証明書が必要です: "
            "先にクライアント証明書登録申請で登録してから申請してください。"
        )
    return (
        Form(
            "user-add", "利用権限の設定申請", "User permission set", cited("permission_set"),
            "新しい利用者の ID を登録し、システム利用権限を設定します。",
            f"新しい利用者にシステム利用権限を設定します。{_timing(catalog, 'add')}{schedule}",
            (OPERATOR, _email(), NAME,
             _input("name_kana", "利用者名（カナ）", _rule(base.KANA, "利用者の氏名"), True),
             _input("affiliation", "所属事業者コード",
                    "利用者が委託先事業者に所属する場合は、利用申請で届け出た委託先事業者のコードを"
                    "入力してください。空欄の場合は事業者自身の所属になります。"),
             *_permission_fields(catalog, change=False), *_former_admin_fields(catalog), MEMO,
             CONFIRM),
        ),
        Form(
            "user-change", "利用権限の変更申請", "User permission change",
            cited("permission_change"),
            "利用者のシステム利用権限や登録内容を変更します。",
            "変更する項目だけを選んでください。「変更しない」の項目はそのまま残ります。"
            "メールアドレス（ID）の変更は、抹消申請と設定申請で行います。"
            f"{_timing(catalog, 'change')}{not_before}{schedule}",
            (OPERATOR,
             _input("email", "メールアドレス（ID）",
                    "変更する利用者の現在のメールアドレス（ログイン ID）。", True),
             *_permission_fields(catalog, change=True), *_former_admin_fields(catalog),
             _input("name", "利用者名（漢字）", f"変更後の氏名（漢字）。{no_change}"),
             _input("name_kana", "利用者名（カナ）",
                    f"{_rule(base.KANA, '変更後の氏名')}{no_change}"),
             _input("affiliation", "所属事業者コード", f"変更後の所属事業者のコード。{no_change}"),
             Field("memo", "textarea", "申請メモ", f"新しいメモ。{no_change}", stated=True),
             CONFIRM),
        ),
        Form(
            "user-remove", "利用権限の抹消申請", "User permission deletion",
            cited("permission_delete"),
            "異動・退職などで利用しなくなった利用者の ID を抹消します。",
            "異動・退職などで利用を廃止する利用者の ID を抹消します。"
            f"{_timing(catalog, 'remove')}{not_before}",
            (OPERATOR,
             _input("email", "メールアドレス（ID）",
                    "抹消する利用者のメールアドレス（ログイン ID）。", True),
             Field("reason", "textarea", "理由",
                   "任意。抹消の理由（異動・退職など）。プルリクエストに記載されます。",
                   stated=True),
             CONFIRM),
        ),
        Form(
            "operator-new", "利用申請（新規）", "New usage application", cited("usage_new"),
            "事業者と窓口責任者（正担当）を登録し、システムの利用を申請します。",
            "新たに本システムの利用を申請します。申請者は窓口責任者（正担当）として登録されます。",
            (_input("operator", "事業者コード",
                    "広域機関から付与された事業者コードを入力してください。"
                    f"{_rule(base.OPERATOR_CODE, '事業者コード')}"
                    "広域機関に加入仮申請中で事業者コードがまだない事業者は、"
                    f"「{base.PROVISIONAL_PREFIX}」に続けて半角英大文字・数字 16 文字以内の"
                    f"仮のキー（例: {base.PROVISIONAL_PREFIX}NAGISA）を入力し、「広域機関の"
                    "会員資格」で加入仮申請を選んでください（003 §2.2）。", True),
             _input("name", "事業者名", "事業者の正式名称を入力してください。", True),
             _input("name_kana", "事業者名（カナ）", "事業者名を全角カタカナで入力してください。",
                    True),
             Field("roles", "checkboxes", "事業者区分",
                   "該当する事業者区分をすべて選んでください（1 つ以上）。",
                   choices=tuple(Choice(t, r) for r, t in ROLE_LABELS.items())),
             Field("occto_member", "checkboxes", "広域機関会員",
                   "電力広域的運営推進機関の会員であればチェックを入れてください。",
                   choices=(Choice("電力広域的運営推進機関の会員である / OCCTO member", "yes"),)),
             Field("membership", "dropdown", "広域機関の会員資格",
                   "電力広域的運営推進機関に加入仮申請中か、会員（本申請）であるときに選び、"
                   "その日を「会員資格の日付」欄に入力します（003 §2.2）。会員を選んだときは"
                   "「広域機関会員」のチェックは不要です。加入仮申請中の事業者は、まだ会員では"
                   "ないのでチェックを入れないでください。",
                   choices=(Choice("なし / none", None),
                            Choice("加入仮申請 / provisional application", "provisional"),
                            Choice("会員（本申請） / member", "member"))),
             _input("membership_on", "会員資格の日付",
                    "加入仮申請・本申請の日（YYYY-MM-DD）。空欄の場合は申請した日になります。",
                    ph="2026-12-01"),
             _input("privacy_policy_url", "個人情報の共同利用に関する公表ページ",
                    "個人情報の共同利用について公表しているページ（000 §2-5）。"
                    f"{_rule(base.HTTPS_URL, 'URL')}", True),
             _systems(catalog, "systems", "利用するシステム",
                      f"利用するシステムを選んでください（1 つ以上）。{with_certificate}"),
             *_certificate_fields(catalog, f"{certified}を申請するときに入力します。"),
             *_contact_fields("contact_", required=True),
             Field("subcontractors", "textarea", "委託先事業者",
                   "業務を委託する事業者を 1 行に 1 社ずつ「コード 名称」の形で入力してください"
                   "（例: `AOBASV01 青葉サービス株式会社`）。"
                   f"{_rule(base.OPERATOR_CODE, 'コード')}"),
             CONFIRM),
        ),
        Form(
            "operator-change", USAGE_CHANGE, "Usage change application",
            cited("usage_change"),
            "事業者の登録内容、利用するシステム、委託先事業者、窓口責任者を変更します。",
            "変更する項目だけを入力してください。利用者の権限はこの申請では変わりません"
            f"（必要なら利用権限の変更申請を別に行ってください）。{_usage_change_period(catalog)}",
            (OPERATOR,
             _input("name", "事業者名", f"変更後の事業者名。{no_change}"),
             _input("name_kana", "事業者名（カナ）",
                    f"変更後の事業者名（全角カタカナ）。{no_change}"),
             _input("privacy_policy_url", "個人情報の共同利用に関する公表ページ",
                    f"変更後の公表ページ。{_rule(base.HTTPS_URL, 'URL')}{no_change}"),
             Field("membership", "dropdown", "広域機関の会員資格",
                   "電力広域的運営推進機関の会員資格が変わったときに選びます（003 §2.2、§2.7）。"
                   f"{withdrawal}",
                   choices=(Choice("変更しない", None),
                            Choice("加入仮申請 / provisional application", "provisional"),
                            Choice("会員（本申請） / member", "member"),
                            Choice("退会 / withdrawal", "withdrawn"))),
             _input("membership_on", "会員資格の日付",
                    "加入仮申請・本申請・退会の日（YYYY-MM-DD）。空欄の場合は申請した日に"
                    "なります。", ph="2026-12-01"),
             _input("issued_code", "事業者コードの発番",
                    "加入仮申請中で仮のキー（PROV-…）で登録されている事業者に、広域機関が"
                    "事業者コードを発番したときに、そのコードを入力します（003 §2.2）。"
                    "「事業者コード」欄には仮のキーを入力してください。事業者と利用者のファイルが"
                    "このコードに移り（利用者の ID と権限は変わりません）、会員資格は会員"
                    "（本申請）になります。会員となった日は「会員資格の日付」欄の日"
                    "（空欄の場合は申請した日）です。"
                    f"{_rule(base.OPERATOR_CODE, '事業者コード')}", ph="HOSHIZR1"),
             _systems(catalog, "add_systems", "利用を開始するシステム",
                      f"新たに利用を開始するシステムを選んでください。{certificate_first}"),
             _systems(catalog, "remove_systems", "利用を終了するシステム",
                      "利用を終了するシステムを選んでください。"),
             Field("add_subcontractors", "textarea", ADD_SUBCONTRACTORS,
                   "追加する委託先事業者を 1 行に 1 社ずつ「コード 名称」の形で入力してください。"
                   f"{_rule(base.OPERATOR_CODE, 'コード')}"),
             Field("remove_subcontractors", "textarea", "削除する委託先事業者",
                   "削除する委託先事業者のコードを 1 行に 1 つずつ入力してください。"),
             Field("contact_role", "dropdown", CONTACT_ROLE,
                   "副担当を追加するか、正担当を交代するかを選びます。選んだときは、下の窓口責任者の"
                   "各項目を入力してください。現在の副担当を正担当にするときは「正担当を交代」を選び"
                   "その副担当の各項目を登録どおりに入力します（現在の正担当は外れます。GitHub"
                   " アカウントなどの変更は別の申請にしてください）。現在の正担当を副担当と"
                   "して残すときは「副担当と正担当を入れ替え」を選び、新たに正担当となる副担当の"
                   "メールアドレスだけを入力してください。",
                   choices=(Choice("追加しない", None), Choice("副担当を追加", "deputy"),
                            Choice(REPLACE_PRIMARY, "primary"),
                            Choice("副担当と正担当を入れ替え", "swap"))),
             *_contact_fields("contact_", required=False),
             _input("contact_remove", CONTACT_REMOVE,
                    "外す窓口責任者のメールアドレス。正担当を交代するときは、現在の正担当の"
                    "メールアドレスを入力してください。"),
             CONFIRM),
        ),
        Form(
            "operator-terminate", "利用申請（終了）", "Usage termination", cited("usage_end"),
            "事業者のシステム利用を終了します。",
            "**終了すると、貴社および委託先に属するすべての利用者の権限が抹消されます。**",
            (OPERATOR,
             _input("terminated_on", "終了日",
                    "利用を終了する日（YYYY-MM-DD）。空欄の場合は申請した日になります。",
                    ph="2026-12-31"),
             Field("confirm", "checkboxes", "確認", CHECK_BEFORE_SENDING, True,
                   (Choice("すべての利用者の権限が抹消されることを了解しました / "
                           "every user loses access", "yes"),)),
             ),
        ),
        Form(
            "cert-add", "クライアント証明書登録申請", "Client certificate registration",
            cited("certificate_registration"),
            "取得したクライアント証明書を登録します。",
            "証明書ファイル（.cer/.crt/.pem）をテキストで開き、`-----BEGIN CERTIFICATE-----` から"
            "`-----END CERTIFICATE-----` までを貼り付けてください。"
            "**秘密鍵（PRIVATE KEY）や .p12/.pfx の中身は絶対に貼り付けないでください。**",
            (OPERATOR, *_certificate_fields(catalog), CONFIRM),
        ),
        Form(
            "ip", "海外IPアドレスの許可申請", "Overseas IP allowlist", cited("overseas_ip"),
            "海外から利用するための固定グローバル IP アドレスの許可を申請"
            "（または取り消し）します。",
            "海外からの利用に必要な固定グローバル IP アドレスを申請します。"
            "動的に割り当てられるアドレスは登録できません。",
            (OPERATOR,
             Field("action", "dropdown", "申請内容",
                   "追加（登録済みのアドレスは理由と有効期限の更新）か、削除かを選んでください。",
                   True,
                   (Choice("追加・更新", "add"), Choice("削除", "remove"))),
             _input("cidr", "IPアドレス",
                    _rule(base.CIDR, "IP アドレス"), True),
             Field("reason", "textarea", "理由",
                   "海外からの利用が必要な理由（追加・更新のときは必須）。"),
             _input("expires_on", "有効期限",
                    "許可する期限（YYYY-MM-DD、追加・更新のときは必須）。", ph="2027-09-30"),
             CONFIRM),
        ),
    )  # fmt: skip
