from index.analysis import terms


def test_hangul_runs_become_overlapping_bigrams():
    assert terms("서울협치협의회") == ["서울", "울협", "협치", "치협", "협의", "의회"]


def test_lone_syllable_stays_a_unigram():
    assert terms("시, 민") == ["시", "민"]


def test_bridge_bigram_makes_spacing_irrelevant():
    assert terms("위원회 제도") == terms("위원회제도") == ["위원", "원회", "회제", "제도"]
    assert terms("시민 참여  예산") == terms("시민참여예산")
    assert terms("협의회. 다음") == ["협의", "의회", "다음"]  # punctuation ends a phrase


def test_latin_and_digits_stay_whole_and_lower_cased():
    assert terms("민관협력담당관-130") == ["민관", "관협", "협력", "력담", "담당", "당관", "130"]
    assert terms("COVID-19") == ["covid", "19"]


def test_full_width_forms_fold_but_offsets_stay_in_the_original():
    from index.whoosh_schema import BigramTokenizer

    text = "보고 ＣＯＶＩＤ"
    tokens = [(t.text, t.startchar, t.endchar) for t in BigramTokenizer()(text, chars=True)]
    assert tokens == [("보고", 0, 2), ("covid", 3, 8)]
