"""A report's language: its script, the detector, and what the page declares."""

from __future__ import annotations

from bot.intake.language import declared_language, detect_language, script_language

INDONESIAN = (
    "Kelompok bersenjata itu mengatakan pada hari Jumat bahwa pasukannya telah menguasai penuh kota di perbatasan."
    " Junta militer belum memberikan tanggapan resmi atas klaim tersebut."
)


def test_the_page_says_what_it_is_in():
    assert declared_language(b'<!DOCTYPE html><html lang="en-US" class="x"><head>') == "en"
    assert declared_language('<html><head><meta http-equiv="Content-Language" content="id">') == "id"
    assert declared_language(b"<html><head><title>x</title>") is None


def test_scripts_decide_burmese_and_chinese():
    assert script_language("MNDAA ပြောရေးဆိုခွင့်ရှိသူက ထိန်းချုပ်ထားကြောင်း ပြောသည်။") == "my"
    assert script_language("双方同意立即停火，并通过和平协商解决分歧（MNDAA）。") == "zh"
    assert script_language("The junta said so.") is None


def test_the_detector_overrules_a_theme_that_says_english_but_the_page_settles_a_close_call():
    assert detect_language(INDONESIAN, "en") == "id"
    assert detect_language(INDONESIAN, "ms") == "ms"
    assert detect_language("The junta said on Friday that it had lost the town to the alliance.", None) == "en"


def test_text_with_no_letters_takes_the_declared_language():
    assert detect_language("1027 — 2023", "my") == "my"
    assert detect_language("", None) == "en"


def test_a_sentence_too_short_to_judge_is_taken_at_the_pages_word_else_as_english():
    """The detector called this English brief Nigerian Pidgin, and the report was skipped as not English."""
    brief = "The MNDAA took Laukkai on 5 January 2024."
    assert detect_language(brief, None) == "en"
    assert detect_language(brief, "id") == "id"


def test_the_detector_answers_in_two_letter_codes_a_dossier_can_accept():
    words = "Pasukan itu menguasai kota perbatasan setelah pertempuran sengit selama tiga hari berturut turut di sana"
    assert len(detect_language(words, None)) == 2
