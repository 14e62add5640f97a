"""Word lists for the synthetic registry: (kanji, katakana reading, romanisation).

Surnames and given names are common ones; the generator pairs them at random, so every person
is an invented combination. Company names join a fanciful prefix, an optional middle word
and a business word, so they name no real company.
"""

from __future__ import annotations

Word = tuple[str, str, str]  # (kanji, katakana, romaji)


def _words(table: str) -> tuple[Word, ...]:
    rows = (line.split() for line in table.strip().splitlines())
    return tuple((kanji, kana, romaji) for row in rows for kanji, kana, romaji in [row])


SURNAMES = _words(
    """
    佐藤 サトウ sato
    鈴木 スズキ suzuki
    高橋 タカハシ takahashi
    田中 タナカ tanaka
    伊藤 イトウ ito
    渡辺 ワタナベ watanabe
    山本 ヤマモト yamamoto
    中村 ナカムラ nakamura
    小林 コバヤシ kobayashi
    加藤 カトウ kato
    吉田 ヨシダ yoshida
    山田 ヤマダ yamada
    佐々木 ササキ sasaki
    山口 ヤマグチ yamaguchi
    松本 マツモト matsumoto
    井上 イノウエ inoue
    木村 キムラ kimura
    林 ハヤシ hayashi
    斎藤 サイトウ saito
    清水 シミズ shimizu
    山崎 ヤマザキ yamazaki
    森 モリ mori
    池田 イケダ ikeda
    橋本 ハシモト hashimoto
    阿部 アベ abe
    石川 イシカワ ishikawa
    山下 ヤマシタ yamashita
    中島 ナカジマ nakajima
    石井 イシイ ishii
    小川 オガワ ogawa
    前田 マエダ maeda
    岡田 オカダ okada
    長谷川 ハセガワ hasegawa
    藤田 フジタ fujita
    後藤 ゴトウ goto
    近藤 コンドウ kondo
    村上 ムラカミ murakami
    遠藤 エンドウ endo
    青木 アオキ aoki
    坂本 サカモト sakamoto
    福田 フクダ fukuda
    太田 オオタ ota
    西村 ニシムラ nishimura
    藤井 フジイ fujii
    金子 カネコ kaneko
    岡本 オカモト okamoto
    藤原 フジワラ fujiwara
    中野 ナカノ nakano
    三浦 ミウラ miura
    原田 ハラダ harada
    中川 ナカガワ nakagawa
    松田 マツダ matsuda
    竹内 タケウチ takeuchi
    小野 オノ ono
    田村 タムラ tamura
    中山 ナカヤマ nakayama
    和田 ワダ wada
    石田 イシダ ishida
    森田 モリタ morita
    上田 ウエダ ueda
    原 ハラ hara
    内田 ウチダ uchida
    柴田 シバタ shibata
    酒井 サカイ sakai
    宮崎 ミヤザキ miyazaki
    横山 ヨコヤマ yokoyama
    高木 タカギ takagi
    安藤 アンドウ ando
    宮本 ミヤモト miyamoto
    大野 オオノ ohno
    小島 コジマ kojima
    谷口 タニグチ taniguchi
    今井 イマイ imai
    工藤 クドウ kudo
    高田 タカダ takada
    増田 マスダ masuda
    丸山 マルヤマ maruyama
    杉山 スギヤマ sugiyama
    村田 ムラタ murata
    大塚 オオツカ otsuka
    新井 アライ arai
    小山 コヤマ koyama
    平野 ヒラノ hirano
    藤本 フジモト fujimoto
    河野 コウノ kono
    上野 ウエノ ueno
    野口 ノグチ noguchi
    武田 タケダ takeda
    松井 マツイ matsui
    千葉 チバ chiba
    岩崎 イワサキ iwasaki
    菅原 スガワラ sugawara
    木下 キノシタ kinoshita
    久保 クボ kubo
    佐野 サノ sano
    野村 ノムラ nomura
    松尾 マツオ matsuo
    菊地 キクチ kikuchi
    杉本 スギモト sugimoto
    市川 イチカワ ichikawa
    古川 フルカワ furukawa
    大西 オオニシ onishi
    島田 シマダ shimada
    水野 ミズノ mizuno
    桜井 サクライ sakurai
    高野 タカノ takano
    吉川 ヨシカワ yoshikawa
    山内 ヤマウチ yamauchi
    西田 ニシダ nishida
    飯田 イイダ iida
    菅野 カンノ kanno
    西川 ニシカワ nishikawa
    小池 コイケ koike
    関 セキ seki
    中田 ナカタ nakata
    服部 ハットリ hattori
    川口 カワグチ kawaguchi
    辻 ツジ tsuji
    永井 ナガイ nagai
    北村 キタムラ kitamura
    """
)

GIVEN_NAMES = _words(
    """
    太郎 タロウ taro
    翔太 ショウタ shota
    大輔 ダイスケ daisuke
    健太 ケンタ kenta
    拓也 タクヤ takuya
    直樹 ナオキ naoki
    誠 マコト makoto
    蓮 レン ren
    大樹 ダイキ daiki
    悠斗 ユウト yuto
    陽翔 ハルト haruto
    湊 ミナト minato
    颯太 ソウタ sota
    健一 ケンイチ kenichi
    浩二 コウジ koji
    隆 タカシ takashi
    修 オサム osamu
    剛 ツヨシ tsuyoshi
    亮 リョウ ryo
    翼 ツバサ tsubasa
    和也 カズヤ kazuya
    雄一 ユウイチ yuichi
    智也 トモヤ tomoya
    哲也 テツヤ tetsuya
    秀樹 ヒデキ hideki
    俊介 シュンスケ shunsuke
    匠 タクミ takumi
    海斗 カイト kaito
    陸 リク riku
    悠真 ユウマ yuma
    一郎 イチロウ ichiro
    正人 マサト masato
    光 ヒカル hikaru
    聡 サトシ satoshi
    学 マナブ manabu
    花子 ハナコ hanako
    美咲 ミサキ misaki
    彩 アヤ aya
    遥 ハルカ haruka
    結衣 ユイ yui
    陽菜 ヒナ hina
    葵 アオイ aoi
    凛 リン rin
    さくら サクラ sakura
    由美 ユミ yumi
    直子 ナオコ naoko
    恵美 エミ emi
    舞 マイ mai
    愛 アイ ai
    千尋 チヒロ chihiro
    明日香 アスカ asuka
    真由美 マユミ mayumi
    裕子 ユウコ yuko
    智子 トモコ tomoko
    久美子 クミコ kumiko
    美穂 ミホ miho
    沙織 サオリ saori
    香織 カオリ kaori
    早紀 サキ saki
    奈々 ナナ nana
    莉子 リコ riko
    芽衣 メイ mei
    美月 ミヅキ mizuki
    朱里 アカリ akari
    杏 アン an
    理恵 リエ rie
    綾乃 アヤノ ayano
    """
)

# First part of a company name: fanciful words, not the name of any real company.
PREFIXES = _words(
    """
    青葉 アオバ aoba
    若葉 ワカバ wakaba
    朝凪 アサナギ asanagi
    夕凪 ユウナギ yunagi
    東雲 シノノメ shinonome
    星野 ホシノ hoshino
    月見 ツキミ tsukimi
    花園 ハナゾノ hanazono
    翠 ミドリ midori
    白鷺 シラサギ shirasagi
    若竹 ワカタケ wakatake
    松風 マツカゼ matsukaze
    潮騒 シオサイ shiosai
    青空 アオゾラ aozora
    虹 ニジ niji
    光風 コウフウ kofu
    清流 セイリュウ seiryu
    銀河 ギンガ ginga
    琥珀 コハク kohaku
    瑠璃 ルリ ruri
    茜 アカネ akane
    椿 ツバキ tsubaki
    楓 カエデ kaede
    菖蒲 アヤメ ayame
    桔梗 キキョウ kikyo
    柊 ヒイラギ hiiragi
    雲雀 ヒバリ hibari
    燕 ツバメ tsubame
    千鳥 チドリ chidori
    浜風 ハマカゼ hamakaze
    山桜 ヤマザクラ yamazakura
    南風 ミナミカゼ minamikaze
    早瀬 ハヤセ hayase
    若草 ワカクサ wakakusa
    萌黄 モエギ moegi
    紫苑 シオン shion
    朝霧 アサギリ asagiri
    松ヶ丘 マツガオカ matsugaoka
    緑ヶ丘 ミドリガオカ midorigaoka
    桜台 サクラダイ sakuradai
    泉 イズミ izumi
    岬 ミサキ misaki
    渚 ナギサ nagisa
    霞 カスミ kasumi
    日向 ヒナタ hinata
    暁 アカツキ akatsuki
    """
)

MIDDLES: tuple[Word, ...] = (
    ("", "", ""),
    ("", "", ""),
    ("みらい", "ミライ", "mirai"),
    ("ライフ", "ライフ", "life"),
    ("ネクスト", "ネクスト", "next"),
    ("ホーム", "ホーム", "home"),
    ("中央", "チュウオウ", "chuo"),
    ("シティ", "シティ", "city"),
)

SUBCONTRACTOR_KINDS = _words(
    """
    サービス サービス service
    ビジネスサポート ビジネスサポート bizsupport
    コールセンター コールセンター call
    システムサービス システムサービス systems
    検針サービス ケンシンサービス kenshin
    保安サービス ホアンサービス hoan
    """
)

OFFICES = ("本社", "東京支社", "横浜事業所", "大阪事務所", "名古屋支店", "さいたま営業所")
DEPARTMENTS = ("需給管理部", "業務部", "営業企画部", "情報システム部", "保安部", "料金センター")
MEMOS = (
    "委託先：検針業務",
    "需給管理担当",
    "夜間・休日対応",
    "請求業務担当",
    "2026年度 新任",
    "兼務：保安業務",
)
IP_REASONS = (
    "シンガポール拠点の固定IP（需給監視の夜間対応）",
    "ロンドン駐在事務所の固定IP（市場連携業務）",
    "ハノイ開発拠点の固定IP（委託先の保守作業）",
    "バンコク拠点の固定IP（コールセンター夜間対応）",
    "シドニー事務所の固定IP（LNG調達業務）",
)
