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


def test_thousands_separators_join_a_number():
    assert terms("11,000원") == terms("11000원") == terms("１１，０００원") == ["11000", "원"]
    assert terms("1,234,567건")[0] == "1234567"
    assert terms("1,2345") == ["1", "2345"] and terms("3, 200") == ["3", "200"]  # not a thousands group


def test_a_word_after_a_number_also_gives_its_first_syllable():
    assert terms("11,000원으로") == ["11000", "원", "원으", "으로"]
    assert terms("9호선") == ["9", "호", "호선"] == terms("9 호선")
    assert terms("협의회") == ["협의", "의회"]  # no number before: bigrams only


def test_a_hyphened_latin_word_is_also_given_joined():
    assert terms("Wi-Fi") == ["wifi", "wi", "fi"] == terms("Ｗｉ－Ｆｉ")
    assert terms("COVID-19") == ["covid", "19"]  # letters and digits: no word to join
    assert "abcdef" not in terms("a-b-c-d-e-f")  # a long chain is no word


def test_a_query_does_not_ask_for_a_lone_syllable_beside_a_bridge():
    from index.analysis import query_terms

    assert query_terms("물 재이용") == ("물재", "재이", "이용")  # finds 물재이용 and 물 재이용
    assert query_terms("7만 원") == ("7", "만", "만원")  # finds 7만원 and 7만 원으로
    assert query_terms("물") == ("물",) and query_terms("시, 민") == ("시", "민")
