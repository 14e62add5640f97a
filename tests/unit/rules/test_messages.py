"""Every rule's message, in Japanese and in English, on a registry broken every way.

Messages say what to do in the words of the seeds' forms; they never show a regular
expression, a parser's words or a Python value (``True``, ``1032`` for ``02010``).
"""

from __future__ import annotations

import re

import pytest

from accessreg import i18n
from accessreg.cli.generated_files import stale_problems
from accessreg.files import workspace
from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model.problems import Problem
from accessreg.rules import RULES
from accessreg.validation.validate import validate
from tests.helpers.broken import break_everything
from tests.helpers.regfactory import ROOT, TODAY, RegistryFactory

# (rule, file, English, Japanese), in report order.
EXPECTED = [
    (
        "calendar-year-end",
        "calendar.yaml",
        "The calendar does not say whether the centre closes over the year-end of 2026/2027: add a yearly closure (every_year: from 12-31 to 01-04, say) or that year-end's closed days",
        "カレンダーに 2026/2027 の年末年始の休業が書かれていません。毎年の休業（every_year: 例えば 12-31 から 01-04）か、その年末年始の休業日を書き加えてください",
    ),
    (
        "calendar-range",
        "calendar.yaml",
        "The closed days 2027-02-10 to 2027-02-01 end before they start: swap the dates",
        "休業日 2027-02-10〜2027-02-01 は終了日が開始日より前です。日付を入れ替えてください",
    ),
    (
        "github-account-unique",
        "maintainers.yaml",
        "The GitHub account uketsuke-kimura is also registered to a window person: a reviewer would examine applications filed with their own account; a reviewer and a window person never share an account",
        "GitHub アカウント uketsuke-kimura は窓口責任者にも登録されています。このままでは受付担当者が自らの申請を審査することになります。受付担当者と窓口責任者は同じアカウントを使えません。それぞれ本人のアカウントを登録してください",
    ),
    (
        "provisional-key",
        "operators/PROV-HOSHI.yaml",
        "PROV-HOSHI is a provisional key: only a provisional OCCTO membership applicant is held under one; move the files to the operator code OCCTO issued",
        "PROV-HOSHI は仮のキーです。仮のキーで登録できるのは広域機関の加入仮申請中の事業者だけです。広域機関が発番した事業者コードへファイルを移してください",
    ),
    (
        "schema",
        "operators/TESTOP01.yaml",
        "`privacy_policy_url2` is not a key of this file: did you mean `privacy_policy_url`?",
        "`privacy_policy_url2` は `privacy_policy_url` の誤りではありませんか",
    ),
    (
        "occto-member",
        "operators/TESTOP01.yaml",
        "occto_member is true but the membership status is provisional: make them agree",
        "occto_member は true ですが、会員資格の状態（membership の status）は provisional です。どちらかを直して一致させてください",
    ),
    (
        "github-account-unique",
        "operators/TESTOP01.yaml",
        "The GitHub account window-1 is also registered to another window person (logins differing only in letter case are the same account): an account is one person's and never shared; register this window person's own",
        "GitHub アカウント window-1 はほかの窓口責任者にも登録されています（大文字・小文字だけが違うアカウントは同じアカウントです）。アカウントは 1 人に 1 つで、共用できません（002 §3.3）。この窓口責任者本人のアカウントを登録してください",
    ),
    (
        "contact-primary",
        "operators/TESTOP01.yaml",
        "An operator has exactly one primary window person (role: primary); this file has 2: make one of them primary and the others deputy",
        "システム窓口責任者の正担当（role: primary）は 1 名です。このファイルには 2 名います。1 名を正担当、ほかを副担当（deputy）にしてください",
    ),
    (
        "subcontractor-code",
        "operators/TESTOP01.yaml",
        "The subcontractor code TESTSUB1 is already used in this file: declare each subcontractor once, with its own code",
        "委託先事業者コード TESTSUB1 はこのファイルで既に使われています。委託先は、それぞれのコードで一度だけ届け出てください",
    ),
    (
        "membership-provisional",
        "operators/TESTOP01.yaml",
        "Provisional OCCTO member since 2025-01-01: the full membership application was due by 2026-01-01; record the membership or its withdrawal",
        "2025-01-01 から広域機関の仮入会のままです。本入会の申込みの期限は 2026-01-01 でした。入会または退会を登録してください",
    ),
    (
        "certificate-unique",
        "operators/TESTOP01.yaml",
        "The certificate serial 7A0001 is registered more than once (also in operators/TESTOP01.yaml): check the serial against the certificate",
        "証明書のシリアル番号 7A0001 が二度以上登録されています（ほかに operators/TESTOP01.yaml）。証明書と照らしてシリアル番号を確かめてください",
    ),
    (
        "certificate-system",
        "operators/TESTOP01.yaml",
        "Certificate EP-TEST-0001 names switching, which the operator is not approved for: remove the system or apply for its use first",
        "証明書 EP-TEST-0001 に、事業者が利用申請していないシステム スイッチング支援システム（switching） が書かれています。そのシステムを外すか、先にシステムの利用申請をしてください",
    ),
    (
        "certificate-unused",
        "operators/TESTOP01.yaml",
        "Certificate EP-TEST-0002 (api) reaches none of the operator's systems: none of them takes api certificates. Remove it, or apply for the system it is meant for first",
        "証明書 EP-TEST-0002（api）は、事業者のどのシステムにも使われません。利用しているシステムに api 用の証明書を受け付けるものがありません。削除するか、先にこの証明書を使うシステムの利用申請をしてください",
    ),
    (
        "certificate-unique",
        "operators/TESTOP01.yaml",
        "The certificate serial 7A0001 is registered more than once (also in operators/TESTOP01.yaml): check the serial against the certificate",
        "証明書のシリアル番号 7A0001 が二度以上登録されています（ほかに operators/TESTOP01.yaml）。証明書と照らしてシリアル番号を確かめてください",
    ),
    (
        "certificate-validity",
        "operators/TESTOP01.yaml",
        "Certificate EP-TEST-0003: the validity 2026-01-01 to 2029-01-01 is not within the two years EPPCERT issues: copy the dates from the certificate",
        "証明書 EP-TEST-0003 の有効期間 2026-01-01〜2029-01-01 が、EPPCERT の発行する 2 年に収まっていません。証明書に書かれた日付を写してください",
    ),
    (
        "certificate-start",
        "operators/TESTOP01.yaml",
        "Certificate EP-TEST-0004 starts on 2027-06-01, 180 days or more after 2026-11-22: EPPCERT does not issue such a start; apply again closer to the date",
        "証明書 EP-TEST-0004 の開始日 2027-06-01 は 2026-11-22 から 180 日以上先です。EPPCERT ではこの開始日を指定できません。開始日が近づいてから申請してください",
    ),
    (
        "certificate-expired",
        "operators/TESTOP01.yaml",
        "Certificate EP-TEST-0005 expired on 2025-12-31: remove it, or register its renewal",
        "証明書 EP-TEST-0005 の有効期限は 2025-12-31 で切れています。削除するか、更新後の証明書を登録してください",
    ),
    (
        "ip-allowlist-address",
        "operators/TESTOP01.yaml",
        "10.1.2.3/32 is not a global address (a private, local or reserved one): write the fixed global IP the overseas site connects from",
        "10.1.2.3/32 はグローバルアドレスではありません（プライベート・ローカル・予約済み）。海外拠点が接続に使う固定のグローバル IP アドレスを書いてください",
    ),
    (
        "ip-allowlist-expired",
        "operators/TESTOP01.yaml",
        "41.203.64.10/32 expired on 2026-01-01: renew it with a reason, or remove it",
        "41.203.64.10/32 の有効期限は 2026-01-01 で切れています。理由を添えて更新するか、削除してください",
    ),
    (
        "occto-member",
        "operators/TESTOP02.yaml",
        "switching is open to electricity retailer (electricity_retailer) only for OCCTO members: record the membership (occto_member: true) or remove the system",
        "スイッチング支援システム（switching） を 小売電気事業者（electricity_retailer） が使えるのは広域機関の会員の場合だけです。申請の「広域機関の会員資格」で会員を選んで会員資格を登録するか、システムを外してください",
    ),
    (
        "system-role",
        "operators/TESTOP02.yaml",
        "taxis needs the operator to hold the role wheeling client (wheeling_client)",
        "託送システム（taxis） を使うには、事業者区分 託送供給依頼者（wheeling_client） が必要です",
    ),
    (
        "certificate-required",
        "operators/TESTOP03.yaml",
        "wheeling_api needs a registered client certificate (api) before it is applied for: "
        "register one first with a client certificate registration (クライアント証明書登録申請); "
        "a new operator gives it with its new usage application (利用申請（新規）)",
        "託送API（wheeling_api） の申請には、登録済みのクライアント証明書（api）が必要です。"
        "先にクライアント証明書登録申請で登録してください（新規の事業者は、利用申請（新規）で"
        "証明書も届け出ます）",
    ),
    (
        "github-account-unique",
        "operators/TESTOP03.yaml",
        "The GitHub account Window-1 is also registered to another window person (logins differing only in letter case are the same account): an account is one person's and never shared; register this window person's own",
        "GitHub アカウント Window-1 はほかの窓口責任者にも登録されています（大文字・小文字だけが違うアカウントは同じアカウントです）。アカウントは 1 人に 1 つで、共用できません（002 §3.3）。この窓口責任者本人のアカウントを登録してください",
    ),
    (
        "github-account-unique",
        "operators/TESTOP03.yaml",
        "The GitHub account uketsuke-kimura is a reviewer's (maintainers.yaml): a reviewer examines applications and may not file them; register the window person's own account",
        "GitHub アカウント uketsuke-kimura は受付担当者のアカウントです（maintainers.yaml）。受付担当者は申請を審査する立場で、窓口責任者として申請することはできません（000 §3-1）。窓口責任者本人のアカウントを登録してください",
    ),
    (
        "certificate-subject",
        "operators/TESTOP04.yaml",
        "Certificate EP-TEST-0012: its CN NOCODE-API2 does not carry the operator code TESTOP04: check the operator code written on the EPPCERT order",
        "証明書 EP-TEST-0012 の CN NOCODE-API2 に事業者コード TESTOP04 が含まれていません。EPPCERT の申込みに書いた事業者コードを確かめてください",
    ),
    (
        "certificate-api",
        "operators/TESTOP04.yaml",
        "Certificate EP-TEST-0012 is a valid API certificate of TESTOP04 for switching beyond the 1 the system allows per operator: remove an old one or use this one for the web",
        "証明書 EP-TEST-0012 は TESTOP04 の スイッチング支援システム（switching） 用の有効な API 用証明書で、事業者あたり 1 枚の上限を超えています。古いものを削除するか、この証明書を Web 用にしてください",
    ),
    (
        "approval",
        "operators/TESTOP04.yaml",
        "taxis is not approved without its roles (「その他当社が必要と認めた事業者」 applies to johs, loacus only)",
        "託送システム（taxis） は区分によらない承認の対象ではありません（「その他当社が必要と認めた事業者」は 託送情報開示システム（johs）、託送ロードカーブシステム（loacus） だけです）",
    ),
    (
        "suspension",
        "operators/TESTOP04.yaml",
        "The suspension names johs, which the operator is not approved for",
        "利用停止に 託送情報開示システム（johs） が書かれていますが、事業者はそのシステムの利用申請をしていません",
    ),
    (
        "admin-reissue",
        "operators/TESTOP04.yaml",
        "switching dr_user is not an admin ID issued only once: record only those reissues",
        "スイッチング支援システム（switching） dr_user は 1 回限り発行される管理者 ID ではありません。再発行として記録できるのはそれだけです",
    ),
    (
        "certificate-none-valid",
        "operators/TESTOP05.yaml",
        "No client certificate for switching is valid on 2026-11-22: register a renewed one",
        "2026-11-22 に有効な スイッチング支援システム（switching） 用のクライアント証明書がありません。更新後の証明書を登録してください",
    ),
    (
        "permission-limit",
        "operators/TESTOP05.yaml",
        "switching dr_admin (管理者ID（需要抑制契約者）) is held by 0 users of TESTOP05, and it needs at least 1: apply for the person to hold it with a user permission set application (a new operator, once it is registered)",
        "スイッチング支援システム（switching） dr_admin（管理者ID（需要抑制契約者））を持つ TESTOP05 の利用者は 0 名です。少なくとも 1 名が必要です。利用権限の設定申請で、その権限を付与する者を申請してください（新規の事業者は、登録されてから申請します）",
    ),
    (
        "certificate-expired",
        "operators/TESTOP05.yaml",
        "Certificate EP-TEST-0021 expired on 2025-12-31: remove it, or register its renewal",
        "証明書 EP-TEST-0021 の有効期限は 2025-12-31 で切れています。削除するか、更新後の証明書を登録してください",
    ),
    (
        "catalog-consistency",
        "systems.yaml",
        "The limit names nobody, which is not a code of the system",
        "上限の nobody はこのシステムの権限コードではありません",
    ),
    (
        "user-operator-unknown",
        "users/NOOP0001/lost@test-gas.example.co.jp.yaml",
        "There is no operator NOOP0001 (operators/NOOP0001.yaml): put the user in the folder of their operator",
        "事業者 NOOP0001 のファイル（operators/NOOP0001.yaml）がありません。利用者は所属する事業者のフォルダに置いてください",
    ),
    (
        "file-name-text",
        "users/TESTOP01/\x1b[31m.yaml",
        "The file name is not UTF-8 text or holds a control character: rename it as the layout says",
        "ファイル名が UTF-8 のテキストでないか、制御文字を含んでいます。決まりどおりの名前に変えてください",
    ),
    (
        "yaml-anchor",
        "users/TESTOP01/anchor@test-gas.example.co.jp.yaml",
        "Anchors and aliases (& and *) are not allowed: write every value where it applies, and quote a value that starts with & or *",
        "アンカーとエイリアス（& と *）は使えません。値はそれぞれの場所に書き、& や * で始まる値は引用符で囲んでください",
    ),
    (
        "file-too-large",
        "users/TESTOP01/big@test-gas.example.co.jp.yaml",
        "The file is 1048799 bytes; the limit is 1048576 bytes: keep one person or one operator per file, and long notes out of it",
        "ファイルが 1048799 バイトあり、上限の 1048576 バイトを超えています。1 ファイルに 1 人または 1 事業者とし、長い説明は書かないでください",
    ),
    (
        "text-control",
        "users/TESTOP01/control@test-gas.example.co.jp.yaml",
        "user name (kanji) holds a control character (U+001B): retype it without control, format, line-separator or invisible "
        "characters, and its spaces as half-width or full-width ones",
        "利用者名（漢字）に 制御文字（U+001B） が含まれています。制御文字・書式文字・区切り文字・見えない文字を除き、空白は半角か全角で入力し直してください",
    ),
    (
        "yaml-limits",
        "users/TESTOP01/deep@test-gas.example.co.jp.yaml",
        "Lists and mappings are nested more than 32 levels deep: no registry file needs that many; write the value flat",
        "リストや入れ子が 32 段より深くなっています。登録簿のファイルにそこまでの深さは要りません。値を平らに書いてください",
    ),
    (
        "schema",
        "users/TESTOP01/kimura@test-gas.example.co.jp.yaml",
        "木村@test-gas.example.co.jp: e-mail address (login ID) cannot hold 木 (U+6728), 村 (U+6751): write it with half-width letters and digits, one @, dots, and no other symbol than -_~$&'`^= (000 §5-1 note 3)",
        "木村@test-gas.example.co.jp: メールアドレス（ID）に 「木」（U+6728）、「村」（U+6751） は使えません。半角英数字、@（1 つ）、ドット、記号 -_~$&'`^= だけで書いてください（000 §5-1 注3）",
    ),
    (
        "permission-abolished",
        "users/TESTOP01/kimura@test-gas.example.co.jp.yaml",
        "taxis code 1110 (subcontractor) was abolished on 2022-01-24: write 1011 instead",
        "託送システム（taxis） の権限コード 1110（委託先事業者） は 2022-01-24 に廃止されました。代わりに 1011 と書いてください",
    ),
    (
        "file-type",
        "users/TESTOP01/link@test-gas.example.co.jp.yaml",
        "This is a symbolic link, not a file: the registry holds only files; remove it, and write the file itself if one belongs here",
        "これはファイルではなくシンボリックリンクです。登録簿に置けるのはファイルだけです。削除し、ここにファイルが必要ならファイルそのものを置いてください",
    ),
    (
        "schema-comment",
        "users/TESTOP01/nomodeline@test-gas.example.co.jp.yaml",
        "Make the first line # yaml-language-server: $schema=../../../schemas/user.schema.json so that editors check the file as it is typed",
        "1 行目を # yaml-language-server: $schema=../../../schemas/user.schema.json にしてください。エディタが入力中に内容を検査できるようになります",
    ),
    (
        "file-location",
        "users/TESTOP01/notes.txt",
        "No file belongs here: an operator goes in operators/<CODE>.yaml, a user in users/<CODE>/<e-mail in lower case>.yaml",
        "ここにはファイルを置けません。事業者は operators/<事業者コード>.yaml、利用者は users/<事業者コード>/<小文字のメールアドレス>.yaml に置いてください",
    ),
    (
        "schema",
        "users/TESTOP01/quote@test-gas.example.co.jp.yaml",
        "Quote the permission for taxis like '1011': without quotes it is read as a number",
        "託送システム（taxis） の権限は '1011' のように引用符で囲んでください。引用符がないと数として読まれます",
    ),
    (
        "schema",
        "users/TESTOP01/quote@test-gas.example.co.jp.yaml",
        "Quote the permission for loacus like '02010': without quotes it is read as a number",
        "託送ロードカーブシステム（loacus） の権限は '02010' のように引用符で囲んでください。引用符がないと数として読まれます",
    ),
    (
        "schema",
        "users/TESTOP01/quote@test-gas.example.co.jp.yaml",
        "yes is read as yes or no, not as a code: write granted for the permission for juju",
        "yes は「はい・いいえ」と読まれ、コードになりません。消費機器保安情報授受システム（juju） の権限は granted と書いてください",
    ),
    (
        "file-name",
        "users/TESTOP01/someone@test-gas.example.co.jp.yaml",
        "Name this user's file user2@test-gas.example.co.jp.yaml (the e-mail in lower case)",
        "この利用者のファイル名は user2@test-gas.example.co.jp.yaml（メールアドレスを小文字にしたもの）にしてください",
    ),
    (
        "yaml-syntax",
        "users/TESTOP01/tab@test-gas.example.co.jp.yaml",
        "Tabs cannot indent: indent with spaces",
        "字下げにタブは使えません。空白で字下げしてください",
    ),
    (
        "yaml-tag",
        "users/TESTOP01/tag@test-gas.example.co.jp.yaml",
        "The tag !!str is not allowed: write plain values, and quote a value that starts with !",
        "タグ !!str は使えません。値をそのまま書き、! で始まる値は引用符で囲んでください",
    ),
    (
        "yaml-duplicate-key",
        "users/TESTOP01/twice@test-gas.example.co.jp.yaml",
        "The key johs appears twice: only the later value would count; write it once",
        "キー johs が二度書かれています。後の値だけが使われてしまいます。一度だけ書いてください",
    ),
    (
        "schema",
        "users/TESTOP01/typo@test-gas.example.co.jp.yaml",
        "`name_kane` is not a key of this file: did you mean `name_kana`?",
        "`name_kane` は `name_kana` の誤りではありませんか",
    ),
    (
        "schema",
        "users/TESTOP01/typo@test-gas.example.co.jp.yaml",
        "`permisions` is not a key of this file: did you mean `permissions`?",
        "`permisions` は `permissions` の誤りではありませんか",
    ),
    (
        "login-id-unique",
        "users/TESTOP01/user1@test-gas.example.co.jp.yaml",
        "This login ID is also used at another operator (IDs differing only in letter case are the same ID): give each person their own e-mail address",
        "同じ ID がほかの事業者でも使われています（大文字・小文字だけが違う ID は同じ ID です）。一人ひとりに別のメールアドレスを使ってください",
    ),
    (
        "permission-abolished",
        "users/TESTOP01/user1@test-gas.example.co.jp.yaml",
        "taxis code 1110 (subcontractor) was abolished on 2022-01-24: write 1011 instead",
        "託送システム（taxis） の権限コード 1110（委託先事業者） は 2022-01-24 に廃止されました。代わりに 1011 と書いてください",
    ),
    (
        "permission-derived",
        "users/TESTOP01/user1@test-gas.example.co.jp.yaml",
        "admin_console is granted by the system operator and cannot be applied for: remove it",
        "システム利用権限管理システム（admin_console） はシステム運営部門が付与する権限で、申請できません。削除してください",
    ),
    (
        "affiliation",
        "users/TESTOP01/user3@test-gas.example.co.jp.yaml",
        "The affiliation OTHER001 is neither TESTOP01 nor one of its declared subcontractors (TESTSUB1, TESTSUB1): write TESTOP01 or declare the subcontractor in the operator's file first",
        "所属 OTHER001 は TESTOP01 でも、届出済みの委託先（TESTSUB1、TESTSUB1）でもありません。TESTOP01 と書くか、先に事業者のファイルで委託先を届け出てください",
    ),
    (
        "permission-limit",
        "users/TESTOP01/user9@test-gas.example.co.jp.yaml",
        "juju granted is held by more than 5 users of TESTOP01",
        "消費機器保安情報授受システム（juju） granted を持つ TESTOP01 の利用者が 5 名を超えています",
    ),
    (
        "operator-terminated-users",
        "users/TESTOP02/op2user@test-gas.example.co.jp.yaml",
        "Operator TESTOP02 is terminated: remove its users' files with the termination",
        "事業者 TESTOP02 は利用終了しています。利用終了と同時に利用者のファイルを削除してください",
    ),
    (
        "schema",
        "users/TESTOP02/op2user@test-gas.example.co.jp.yaml",
        "user cannot be used for the permission for switching: write one of retailer_admin, retailer_user, dr_admin, dr_user",
        "user はスイッチング支援システム（switching） の権限に使えません。retailer_admin、retailer_user、dr_admin、dr_user のどれかを書いてください",
    ),
    (
        "system-role",
        "users/TESTOP03/op3user@test-gas.example.co.jp.yaml",
        "loacus code 03010 needs the operator to hold the role manufacturer (manufacturer): choose a code for the operator's roles",
        "託送ロードカーブシステム（loacus） の権限コード 03010 には、事業者区分 製造事業者（manufacturer） が必要です。事業者の区分に合うコードを選んでください",
    ),
    (
        "system-not-approved",
        "users/TESTOP03/op3user@test-gas.example.co.jp.yaml",
        "Operator TESTOP03 is not approved for johs: apply for a usage change (利用申請（変更）) adding the system first",
        "事業者 TESTOP03 は 託送情報開示システム（johs） の利用申請をしていません。先に利用申請（変更）でシステムを追加してください",
    ),
    (
        "login-id-unique",
        "users/TESTOP03/user1@test-gas.example.co.jp.yaml",
        "This login ID is also used at another operator (IDs differing only in letter case are the same ID): give each person their own e-mail address",
        "同じ ID がほかの事業者でも使われています（大文字・小文字だけが違う ID は同じ ID です）。一人ひとりに別のメールアドレスを使ってください",
    ),
    (
        "system-not-approved",
        "users/TESTOP03/user1@test-gas.example.co.jp.yaml",
        "Operator TESTOP03 is not approved for johs: apply for a usage change (利用申請（変更）) adding the system first",
        "事業者 TESTOP03 は 託送情報開示システム（johs） の利用申請をしていません。先に利用申請（変更）でシステムを追加してください",
    ),
    (
        "occto-member-code",
        "users/TESTOP05/retail@test-gas.example.co.jp.yaml",
        "switching permission user ID (electricity retailer) is for electricity retailer, which only an OCCTO member may use, and TESTOP05 is not one: remove the permission, or record the membership (occto_member: true)",
        "スイッチング支援システム（switching） の ユーザID（小売電気事業者） は 小売電気事業者 のもので、広域機関の会員だけが使えます。TESTOP05 は会員ではありません。この権限を削除するか、申請の「広域機関の会員資格」で会員を選んで、会員資格を登録してください",
    ),
]

# What a regular expression or a Python value looks like inside a sentence.
MACHINERY = re.compile(
    r"\^\[|\]\{|\]\+|\]\*|\\[sSdDwW.]|\(\?|\{\d+,\d*\}|\$'|\bTrue\b|\bFalse\b|\bNone\b"
    r"|datetime|\[\'|\{\'|\bis not of type\b|\bdoes not match\b|\bcannot start any token\b"
)


@pytest.fixture(scope="module")
def problems(tmp_path_factory: pytest.TempPathFactory) -> list[Problem]:
    reg = RegistryFactory(tmp_path_factory.mktemp("broken") / "repo")
    break_everything(reg)
    return reg.validate().problems


def _rows(problems: list[Problem]) -> list[tuple[str, str, str, str]]:
    return [
        (p.rule, p.file.split("/", 1)[1], i18n.text(p.message, "en"), i18n.text(p.message, "ja"))
        for p in problems
    ]


def test_every_message_in_both_languages(problems: list[Problem]) -> None:
    assert _rows(problems) == EXPECTED


def test_the_broken_registry_breaks_every_rule(problems: list[Problem]) -> None:
    # file-missing stops everything; schema-stale and generated-stale need files beside the
    # registry: tested below.
    separate = {"file-missing", "schema-stale", "generated-stale"}
    assert {r.id for r in RULES} - separate <= {p.rule for p in problems}


def test_no_message_shows_machinery(problems: list[Problem]) -> None:
    for _, _, en, ja in _rows(problems):
        for text in (en, ja):
            assert not MACHINERY.search(text), text
    # The unquoted 02010 is quoted as written, never as the number YAML made of it (1032).
    assert not any("1032" in en or "1032" in ja for _, _, en, ja in _rows(problems))


def test_a_system_is_named_as_the_forms_name_it(problems: list[Problem]) -> None:
    """Name first, key in brackets, 託送システム（taxis）, as ``Named`` shows every system:
    never the key first with the name after it."""
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    catalog = registry.catalog
    backwards = [f"{s.id}（{s.name_ja}）" for s in catalog.systems]
    backwards += [f"{s.id} ({s.name_ja})" for s in catalog.systems]
    for _, _, en, ja in _rows(problems):
        assert not any(b in en or b in ja for b in backwards), ja


def test_a_schema_error_and_a_cross_file_error_in_one_round(problems: list[Problem]) -> None:
    # The e-mail fails the schema; the abolished code of the same file is reported with it.
    kimura = [p.rule for p in problems if p.file.endswith("/kimura@test-gas.example.co.jp.yaml")]
    assert kimura == ["schema", "permission-abolished"]
    # An operator file with an unknown key still has its rules (two primaries, say) judged.
    operator = {p.rule for p in problems if p.file.endswith("operators/TESTOP01.yaml")}
    assert {"schema", "contact-primary", "certificate-validity"} <= operator


def test_the_catalog_missing(reg: RegistryFactory) -> None:
    (reg.root / "systems.yaml").unlink()
    [p] = reg.validate().problems
    assert (p.rule, i18n.text(p.message, "en"), i18n.text(p.message, "ja")) == (
        "file-missing",
        "The catalog registry/systems.yaml is missing: restore it from git",
        "カタログ registry/systems.yaml がありません。git から元に戻してください",
    )


def test_a_stale_schema(reg: RegistryFactory) -> None:
    schemas = reg.repo / "schemas"
    schemas.mkdir()
    for src in (ROOT / "schemas").iterdir():
        (schemas / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (schemas / "user.schema.json").write_text("{}\n", encoding="utf-8")
    result = validate(DirectorySource(reg.root, "registry"), TODAY)
    [p] = stale_problems(reg.root, result)
    assert p.rule == "schema-stale"
    assert (i18n.text(p.message, "en"), i18n.text(p.message, "ja")) == (
        "This schema is not what the models and the catalog generate: run `accessreg schemas` "
        "and commit the result",
        "このスキーマはモデルとカタログから生成されるものと違います。`accessreg schemas` を"
        "実行して結果をコミットしてください",
    )


def test_a_stale_generated_file(reg: RegistryFactory) -> None:
    (reg.repo / ".github").mkdir()  # a repository with GitHub's files, without CODEOWNERS
    [p] = stale_problems(reg.root, validate(DirectorySource(reg.root, "registry"), TODAY))
    assert (p.rule, p.file, i18n.text(p.message, "en"), i18n.text(p.message, "ja")) == (
        "generated-stale",
        workspace.display(reg.repo / ".github" / "CODEOWNERS"),
        "This file is not what `accessreg codeowners` generates from the registry: run it and "
        "commit the result",
        "このファイルは登録簿から `accessreg codeowners` が生成するものと違います。実行して"
        "結果をコミットしてください",
    )


def test_a_misspelt_key_stands_for_the_missing_one(reg: RegistryFactory) -> None:
    # Not "name_kana is missing" besides the guess, and the file is still judged.
    reg.user(permissions={"taxis": "1110"})
    reg.edit("users/TESTOP01/user1@test-gas.example.co.jp.yaml", "name_kana:", "name_kane:")
    found = [(p.rule, i18n.text(p.message, "ja")) for p in reg.validate().problems]
    assert found == [
        ("schema", "`name_kane` は `name_kana` の誤りではありませんか"),
        (
            "permission-abolished",
            "託送システム（taxis） の権限コード 1110（委託先事業者） は 2022-01-24 に廃止されました。代わりに 1011 と書いてください",
        ),
    ]
