"""The application forms: one per application type, their fields matching the commands.

The GitHub issue forms in ``.github/ISSUE_TEMPLATE/`` are generated from these definitions
and the catalog (``accessreg forms``), and ``from-issue`` reads a submitted form's body with
the same definitions, so a label can never differ between the form and its reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from accessreg.edit.users import NONE
from accessreg.model import Catalog

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


@dataclass(frozen=True)
class Field:
    id: str
    type: FieldType
    label: str  # Japanese; the `### label` heading of the submitted body
    help: str  # English help, with a Japanese hint
    required: bool = False
    choices: tuple[Choice, ...] = ()
    placeholder: str | None = None
    render: str | None = None  # textarea: the body wraps the value in a code fence


@dataclass(frozen=True)
class Form:
    kind: str
    name: str  # Japanese name of the application
    name_en: str
    seed: str
    about: str  # the form's description (English, with the Japanese name)
    intro: str  # markdown shown at the top of the form
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
    "operator", "事業者コード", "Your operator code (事業者コード, assigned by OCCTO).", True,
    "AOBAGS01",
)  # fmt: skip
EMAIL = _input(
    "email", "メールアドレス（ID）",
    "The user's e-mail address: it is their login ID. ASCII letters, digits and -_~.$&'`^= "
    "before the @ (000 §5-1 note 3). 半角英数字で入力してください。", True,
    "hanako.kimura@aoba-gas.example.co.jp",
)  # fmt: skip
NAME = _input("name", "利用者名（漢字）", "Name in kanji, e.g. 木村 花子.", True)
NAME_KANA = _input("name_kana", "利用者名（カナ）", "Name in full-width katakana.", True)
MEMO = Field("memo", "textarea", "申請メモ", "Optional note for the reviewers (申請メモ).")
CONFIRM = Field(
    "confirm", "checkboxes", "確認", "Confirm before submitting.", True,
    (Choice(CONFIRM_TEXT, "yes"),),
)  # fmt: skip


def _permission_fields(catalog: Catalog, change: bool) -> tuple[Field, ...]:
    fields = []
    for system in catalog.systems:
        if not system.user_level:
            continue
        head = (Choice(KEEP, None), Choice("なし（削除）", NONE)) if change else (
            Choice("なし", None),
        )  # fmt: skip
        # As on the seed's form (000 §5-1 ①): TAXIS「1011：更新権限あり」, JUJU「あり」.
        codes = tuple(
            Choice(system.shown(c.code) if system.form == "presence" else f"{c.code}：{c.label}",
                   c.code)
            for c in system.codes
            if c.abolished_on is None
        )  # fmt: skip
        fields.append(
            Field(
                f"perm_{system.id}",
                "dropdown",
                f"{system.name_ja}（{system.id}）",
                f"{system.name_en}: the permission code"
                + (" after the change." if change else "."),
                choices=head + codes,
            )
        )
    return tuple(fields)


def _systems(catalog: Catalog, fid: str, label: str, help_: str) -> Field:
    return Field(
        fid, "checkboxes", label, help_,
        choices=tuple(
            Choice(f"{s.name_ja}（{s.id}）", s.id) for s in catalog.applied_systems
        ),
    )  # fmt: skip


def _contact_fields(prefix: str, required: bool) -> tuple[Field, ...]:
    return (
        _input(f"{prefix}name", "窓口責任者 氏名（漢字）", "Name in kanji.", required),
        _input(f"{prefix}name_kana", "窓口責任者 氏名（カナ）", "Full-width katakana.", required),
        _input(
            f"{prefix}email", "窓口責任者 メールアドレス",
            "Their e-mail: also their ID for the permission-management system.", required,
        ),
        _input(f"{prefix}phone", "窓口責任者 電話番号", "e.g. 03-5550-0101.", required),
        _input(
            f"{prefix}github", "窓口責任者 GitHub アカウント",
            "Their GitHub login: who may file applications for the operator. "
            "Blank: the person filing this form.",
        ),
    )  # fmt: skip


def forms(catalog: Catalog) -> tuple[Form, ...]:
    """Every application form, its permission choices taken from ``catalog``."""
    dates = "Processing dates follow 000 §5-1 to §5-3; see docs/guide-window.md."
    return (
        Form(
            "user-add", "利用権限の設定申請", "User permission set", "000 §5-1",
            "A new user ID with permissions (利用権限の設定申請).",
            f"新しい利用者にシステム利用権限を設定します。{dates}",
            (OPERATOR, EMAIL, NAME, NAME_KANA,
             _input("affiliation", "所属事業者コード",
                    "The operator's code, or a declared subcontractor's code (委託先). "
                    "Blank: the operator itself."),
             *_permission_fields(catalog, change=False), MEMO, CONFIRM),
        ),
        Form(
            "user-change", "利用権限の変更申請", "User permission change", "000 §5-2",
            "Change a user's permissions or details (利用権限の変更申請).",
            "変更する項目だけを選んでください。「変更しない」の項目はそのまま残ります。"
            "メールアドレス（ID）の変更は、抹消申請と設定申請で行います。",
            (OPERATOR,
             _input("email", "メールアドレス（ID）", "The user's current e-mail (login ID).", True),
             *_permission_fields(catalog, change=True),
             _input("name", "利用者名（漢字）", "Blank: no change."),
             _input("name_kana", "利用者名（カナ）", "Blank: no change."),
             _input("affiliation", "所属事業者コード", "Blank: no change."),
             Field("memo", "textarea", "申請メモ", "Blank: no change."), CONFIRM),
        ),
        Form(
            "user-remove", "利用権限の抹消申請", "User permission deletion", "000 §5-3",
            "Delete a user ID (利用権限の抹消申請): transfer, leaving the company.",
            "異動・退職などで利用を廃止する利用者の ID を抹消します。"
            "TAXIS/JOHS は申請日の翌日、JUJU/LOACUS は当社の抹消手続き完了後に"
            "利用できなくなります。",
            (OPERATOR,
             _input("email", "メールアドレス（ID）", "The e-mail (login ID) to delete.", True),
             Field("reason", "textarea", "理由", "Optional: why (shown in the pull request)."),
             CONFIRM),
        ),
        Form(
            "operator-new", "利用申請（新規）", "New usage application", "000 §3-1",
            "Register your company and its primary window person (利用申請・新規).",
            "新たに本システムの利用を申請します。申請者は窓口責任者（正担当）として登録されます。",
            (_input("operator", "事業者コード", "Your operator code (事業者コード, from OCCTO).",
                    True),
             _input("name", "事業者名", "Company name.", True),
             _input("name_kana", "事業者名（カナ）", "Company name in full-width katakana.", True),
             Field("roles", "checkboxes", "事業者区分",
                   "Every role the company holds (at least one).",
                   choices=tuple(Choice(t, r) for r, t in ROLE_LABELS.items())),
             Field("occto_member", "checkboxes", "広域機関会員",
                   "Tick if the company is an OCCTO member.",
                   choices=(Choice("電力広域的運営推進機関の会員である / OCCTO member", "yes"),)),
             _input("privacy_policy_url", "個人情報の共同利用に関する公表ページ",
                    "https URL of your joint-use policy (000 §2-5).", True),
             _systems(catalog, "systems", "利用するシステム", "Systems to use (at least one)."),
             *_contact_fields("contact_", required=True),
             Field("subcontractors", "textarea", "委託先事業者",
                   "One per line: CODE and name, e.g. `AOBASV01 青葉サービス株式会社`."),
             CONFIRM),
        ),
        Form(
            "operator-change", "利用申請（変更）", "Usage change application", "000 §3-2",
            "Change company data, systems, subcontractors or window persons (利用申請・変更).",
            "変更する項目だけを入力してください。利用者の権限はこの申請では変わりません"
            "（必要なら利用権限の変更申請を別に行ってください）。",
            (OPERATOR,
             _input("name", "事業者名", "Blank: no change."),
             _input("name_kana", "事業者名（カナ）", "Blank: no change."),
             _input("privacy_policy_url", "個人情報の共同利用に関する公表ページ",
                    "Blank: no change."),
             _systems(catalog, "add_systems", "利用を開始するシステム", "Systems to add."),
             _systems(catalog, "remove_systems", "利用を終了するシステム", "Systems to drop."),
             Field("add_subcontractors", "textarea", "追加する委託先事業者",
                   "One per line: CODE and name."),
             Field("remove_subcontractors", "textarea", "削除する委託先事業者",
                   "One code per line."),
             Field("contact_role", "dropdown", "窓口責任者の追加",
                   "Add a window person (deputy), or a new primary replacing the current one.",
                   choices=(Choice("追加しない", None), Choice("副担当を追加", "deputy"),
                            Choice("正担当を交代", "primary"))),
             *_contact_fields("contact_", required=False),
             _input("contact_remove", "削除する窓口責任者のメールアドレス",
                    "A window person to remove; for a primary change, the current primary."),
             CONFIRM),
        ),
        Form(
            "operator-terminate", "利用申請（終了）", "Usage termination", "000 §3-3",
            "End your company's use of the systems (利用申請・終了).",
            "**終了すると、貴社および委託先に属するすべての利用者の権限が抹消されます。**",
            (OPERATOR,
             _input("terminated_on", "終了日", "YYYY-MM-DD. Blank: the day it is filed.",
                    ph="2026-12-31"),
             Field("confirm", "checkboxes", "確認", "Confirm before submitting.", True,
                   (Choice("すべての利用者の権限が抹消されることを了解しました / "
                           "every user loses access", "yes"),)),
             ),
        ),
        Form(
            "cert-add", "クライアント証明書登録申請", "Client certificate registration", "000 §4-2",
            "Register a client certificate (クライアント証明書登録申請).",
            "証明書ファイル（.cer/.crt/.pem）をテキストで開き、`-----BEGIN CERTIFICATE-----` から"
            "`-----END CERTIFICATE-----` までを貼り付けてください。"
            "**秘密鍵（PRIVATE KEY）や .p12/.pfx の中身は絶対に貼り付けないでください。**",
            (OPERATOR,
             Field("certificate", "textarea", "証明書（PEM）",
                   "The certificate alone, in PEM text. Never paste a private key.", True,
                   render="text"),
             _input("cert_id", "証明書ID", "The issuer's certificate ID (証明書ID).", True,
                    "EP2026-000913"),
             Field("medium", "dropdown", "格納媒体", "How it was delivered.", True,
                   (Choice("DL：ダウンロード", "DL"), Choice("CD：CD-R", "CD"),
                    Choice("UM：USBメモリ", "UM"), Choice("UT：USBトークン", "UT"))),
             Field("purpose", "dropdown", "用途", "web: one per PC; api: one per operator.", True,
                   (Choice("web：画面利用（端末ごと）", "web"),
                    Choice("api：託送API（事業者ごと）", "api"))),
             _input("location", "設置場所",
                    "Where it is installed, e.g. 本社 需給管理部 端末 PC003.", True),
             _input("holder", "管理者", "Who answers for it there.", True),
             CONFIRM),
        ),
        Form(
            "ip", "海外IPアドレス許可申請", "Overseas IP allowlist", "000 §2-8",
            "Allow (or stop allowing) a fixed overseas global IP address.",
            "海外からの利用に必要な固定グローバル IP アドレスを申請します。"
            "動的に割り当てられるアドレスは登録できません。",
            (OPERATOR,
             Field("action", "dropdown", "申請内容", "Add (or renew), or remove.", True,
                   (Choice("追加・更新", "add"), Choice("削除", "remove"))),
             _input("cidr", "IPアドレス", "A fixed global address, e.g. 41.203.64.10/32.", True),
             Field("reason", "textarea", "理由", "Why access from abroad is needed (for adding)."),
             _input("expires_on", "有効期限", "YYYY-MM-DD (for adding).", ph="2027-09-30"),
             CONFIRM),
        ),
    )  # fmt: skip
